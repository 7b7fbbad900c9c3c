"""Reading the built graph: projections, network metrics, timeline, claims, diffs, stats and exports."""
