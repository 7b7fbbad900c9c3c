"""CLI commands for add (registered on kg.cli.main when imported). Being written."""
