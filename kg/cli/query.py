"""``kg query``: SPARQL on the built graph or an endpoint, named queries by name."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options, wide_option
from kg.cli.completion import complete_query_names


@click.command()
@click.argument("query", required=False, shell_complete=complete_query_names)
@click.option(
    "--file",
    "-f",
    "query_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "nt"]),
    default="table",
    show_default=True,
    help="Output format (nt: N-Triples, for CONSTRUCT and DESCRIBE).",
)
@click.option("--iris", is_flag=True, help="Show IRIs in tables instead of their labels.")
@wide_option
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Time limit in seconds.")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option("--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead of the built store.")
@seeds_options
@reports_errors
def query(
    query: str | None,
    query_file: Path | None,
    fmt: str,
    timeout: float,
    list_queries: bool,
    endpoint: str | None,
    iris: bool,
    seeds: Path,
    build_dir: Path,
):
    """Run SPARQL on the built graph: a named query, a .rq file, or query text.

    Queries read the knowledge layer (each claim once, and a tdo:Claim node per
    claim); GRAPH ?fact reaches each fact, GRAPH graph:provenance their evidence.
    The project's prefixes (tdo:, id:, fact:, claim:, oa:, prov:, ...) are
    predeclared. SERVICE and updates are refused.

    \b
    Examples:
        kg query --list
        kg query cq-letters
        kg query "SELECT ?post ?who WHERE { ?post tdo:heldBy ?who }" --format csv
    """
    from kg.output import render
    from kg.sparql.query import describe_query, labels, named_queries, resolve_query, run_query, unknown_terms
    from kg.sparql.results import format_result, iris_of

    if list_queries:
        if fmt == "nt":
            raise click.UsageError("--list prints a table, CSV, TSV or JSON, not N-Triples")
        rows = [{"name": name, "question": describe_query(path)} for name, path in named_queries().items()]
        click.echo(render(rows, ["name", "question"], fmt, max_width=90))
        return
    if query_file is not None:
        text = query_file.read_text(encoding="utf-8")
    elif query:
        text = resolve_query(query)
    else:
        raise click.UsageError("give a query, a named query (see --list) or --file")
    for warning in unknown_terms(text):
        click.echo(f"warning: {warning}", err=True)
    result = run_query(text, build_dir, timeout=timeout, endpoint=endpoint)
    names = None
    if fmt == "table" and not iris and result.kind == "select":
        names = labels(iris_of(result), build_dir, endpoint=endpoint, timeout=timeout)
    click.echo(format_result(result, fmt, labels=names))
