"""The ``kg viz`` command: write the interactive graph page (kg.viz.graph) or the timeline page (kg.viz.timeline)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options
from kg.cli.completion import complete_entity_keys


@click.command()
@click.argument("page", required=False, type=click.Choice(["graph", "timeline", "article"]), default="graph")
@click.argument("article_id", metavar="[ID]", required=False)
@click.option(
    "--view",
    type=click.Choice(["actor", "state", "measures"]),
    default="actor",
    show_default=True,
    help="Which projection to draw.",
)
@click.option(
    "--focus",
    metavar="ENTITY",
    shell_complete=complete_entity_keys,
    help="Show only this registry key (e.g. japan) and its surroundings.",
)
@click.option(
    "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="How many steps around --focus."
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Only what is known on this date (YYYY-MM-DD); actors no article names by then are left out.",
)
@click.option(
    "--min-origins",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Hide edges with fewer independent origins.",
)
@click.option("--title", help="Page heading.")
@click.option(
    "--timeline", is_flag=True, help="Write the measures timeline page instead (same as PAGE 'timeline')."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write [default: BUILD_DIR/graph.html or BUILD_DIR/timeline.html].",
)
@seeds_options
@reports_errors
def viz(
    page: str,
    article_id: str | None,
    view: str,
    focus: str | None,
    depth: int,
    as_of: str | None,
    min_origins: int,
    title: str | None,
    timeline: bool,
    output: Path | None,
    seeds: Path,
    build_dir: Path,
):
    """Write an interactive HTML page of the graph that opens offline in any browser.

    Nodes are coloured and shaped by class and sized by PageRank; one edge per pair and
    sign (cooperation solid, conflict dashed, neutral dotted), as wide as its independent
    origins. Hover a node or an edge to see its relations, dates and the article quotes
    behind it; type a name to focus on it. PAGE 'timeline' (or --timeline) writes the
    measures timeline instead: a zoomable chart per dyad and the table of statements.
    PAGE 'article' with an article ID (or its number, 000) writes the article's text with
    every fact's quote marked.
    Prints the path written.

    \b
    Examples:
        kg viz
        kg viz --focus japan --depth 1 --output build/japan.html
        kg viz --view state --as-of 2025-04-15
        kg viz timeline
        kg viz article 000
    """
    from kg.errors import KgError
    from kg.store import open_store
    from kg.viz.graph import write_graph_view
    from kg.viz.timeline import write_timeline

    if (page == "article") != (article_id is not None):
        raise KgError("an article ID goes with PAGE 'article', as in: kg viz article 000")
    store = open_store(build_dir)
    if page == "article":
        from kg.viz.article import write_article_page

        click.echo(str(write_article_page(store, article_id, output, build_dir)))
        return
    if timeline or page == "timeline":
        path = write_timeline(store, output or build_dir / "timeline.html", as_of=as_of, title=title)
        click.echo(str(path))
        return
    result = write_graph_view(
        store,
        output or build_dir / "graph.html",
        view=view,
        focus=focus,
        depth=depth,
        as_of=as_of,
        min_origins=min_origins,
        title=title,
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{view} view: {result.nodes} nodes, {result.edges} edges, drawn as {result.lines} lines", err=True
    )
    click.echo(str(result.path))
