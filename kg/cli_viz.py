"""CLI commands for viz (registered on kg.cli.main when imported). Being written."""
