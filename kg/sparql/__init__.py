"""SPARQL over the built graph: named queries, safety checks, remote endpoints and the server front."""
