"""Offline HTML pages of the graph and the timeline."""
