"""CLI commands for claims (registered on kg.cli.main when imported). Being written."""
