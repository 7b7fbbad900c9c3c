"""A knowledge graph of trade disputes, built from annotated news articles: the library behind ``kg``."""
