"""CLI commands for endpoint (registered on kg.cli.main when imported). Being written."""
