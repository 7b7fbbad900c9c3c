"""The build: seeds to quads, the knowledge layer, validation, the cache and one-commit publishing."""
