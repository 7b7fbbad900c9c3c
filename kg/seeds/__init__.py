"""The seeds: YAML with positions, quote anchoring, loading and validating the corpus."""
