"""The ``kg export`` command: the graph as JSON-LD, GraphML, GEXF or an events table (see kg.analysis.export)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonld", "graphml", "gexf", "csv", "parquet", "trig"]),
    required=True,
    help="jsonld: the knowledge layer (and fact graphs); graphml/gexf: projections; csv/parquet: the events table; "
    "trig: every quad of kg.nq as TriG.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File to write, or folder for several documents [default: under BUILD_DIR/export/].",
)
@click.option(
    "--graphs", is_flag=True, help="jsonld: a document per named graph too (--output is then a folder)."
)
@click.option(
    "--view",
    "views",
    multiple=True,
    type=click.Choice(["actor", "state", "measures"]),
    help="graphml/gexf: the projection to write (repeat for several) [default: all three, into a folder].",
)
@click.option("--as-of", "as_of", metavar="DATE", help="graphml/gexf: only what is known on this date.")
@seeds_options
@reports_errors
def export(
    fmt: str,
    output: Path | None,
    graphs: bool,
    views: tuple[str, ...],
    as_of: str | None,
    seeds: Path,
    build_dir: Path,
):
    """Export the built graph for other tools; prints each path written.

    jsonld writes the knowledge layer as compact JSON-LD under the published context
    (ontology/context.jsonld, embedded in each document); --graphs writes a folder with
    layer.jsonld and graphs/fact/<fact-id>.jsonld, graphs/graph/provenance.jsonld ...
    graphml and gexf write the actor, state and measures projections for Gephi or
    networkx (list attributes joined with ' | '). csv writes the events table: one row
    per event or trade measure, with dates, actors, ISO 3166 alpha-3 codes, PLOVER-style
    category, sign, rate, articles and a quote (columns in docs/export.md). trig writes
    every quad of kg.nq as TriG, grouped by graph, sorted, with the project's prefixes.

    \b
    Examples:
        kg export --format jsonld --output build/export/layer.jsonld
        kg export --format jsonld --graphs --output build/export/jsonld
        kg export --format graphml --output build/export
        kg export --format gexf --view actor --output build/actor.gexf
        kg export --format csv --output build/events.csv
        kg export --format parquet --output build/events.parquet
        kg export --format trig --output build/kg.trig
    """
    from kg.analysis.export import VIEWS, ExportError, default_output
    from kg.analysis.export import export as run_export
    from kg.store import NQ_FILE, open_store

    if views and fmt not in ("graphml", "gexf"):
        raise ExportError("--view applies to --format graphml or gexf")
    if as_of and fmt not in ("graphml", "gexf"):
        raise ExportError("--as-of applies to --format graphml or gexf")
    if graphs and fmt != "jsonld":
        raise ExportError("--graphs applies to --format jsonld")
    views = tuple(dict.fromkeys(views)) or VIEWS
    output = output or default_output(build_dir, fmt, graphs, views)
    store = open_store(build_dir)
    nquads = build_dir / NQ_FILE
    for path in run_export(store, fmt, output, graphs=graphs, views=views, as_of=as_of, nquads=nquads):
        click.echo(str(path))
