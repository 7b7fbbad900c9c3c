"""Reading the built graph: projections, network metrics, timeline, claims, diffs, stats and exports."""

PROJECTIONS = ("actor", "state", "measures")
"""The projections by the one name every command uses (``--view``): see :func:`kg.analysis.project.projection`."""
