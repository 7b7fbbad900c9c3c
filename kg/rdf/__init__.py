"""The project's RDF vocabulary as code: namespaces, N-Quads terms, and what the ontology allows."""
