"""CLI commands for analyze (registered on kg.cli.main when imported). Being written."""
