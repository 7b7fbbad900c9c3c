"""CLI commands for SPARQL past the embedded store: ``kg serve`` and ``kg push``.

``kg query --endpoint URL`` (in kg.cli) queries a store that ``kg push`` loaded.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import main, reports_errors, seeds_options

# The defaults of kg.endpoint, repeated so that importing the CLI stays cheap (kg.endpoint
# pulls in rdflib); tests/test_endpoint.py checks they agree.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_SERVE_TIMEOUT = 30
PUSH_TIMEOUT = 60.0


@main.command()
@seeds_options
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on (loopback by default)."
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--timeout",
    default=DEFAULT_SERVE_TIMEOUT,
    show_default=True,
    type=click.IntRange(min=1),
    help="Query time limit in whole seconds.",
)
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (pages served from elsewhere).")
@reports_errors
def serve(seeds: Path, build_dir: Path, host: str, port: int, timeout: int, cors: bool):
    """Serve the built graph read-only over the SPARQL 1.1 protocol (Oxigraph server).

    The default graph is the union of all graphs; updates are refused; a query past the
    time limit gets an error. Queries must declare their prefixes (kg query does it for
    you with --endpoint). Runs until Ctrl-C; a store rebuilt by 'kg build' is picked up
    without a restart.

    \b
    Examples:
        kg serve --port 7878
        curl -s http://127.0.0.1:7878/query -H 'Accept: text/csv' \\
          --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        kg query --endpoint http://127.0.0.1:7878/query cq-letters
    """
    from kg.endpoint import serve as run_serve

    run_serve(build_dir, host, port, timeout, cors=cors, notify=click.echo)


@main.command()
@seeds_options
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store Protocol URL (Oxigraph http://HOST:7878/store, Fuseki http://HOST:3030/DS/data).",
)
@click.option(
    "--query-endpoint",
    metavar="URL",
    help="SPARQL query URL of the same store: then the project's graphs the build no longer has are deleted.",
)
@click.option(
    "--timeout", type=float, default=PUSH_TIMEOUT, show_default=True, help="Seconds allowed per request."
)
@reports_errors
def push(seeds: Path, build_dir: Path, endpoint: str, query_endpoint: str | None, timeout: float):
    """Load build/kg.nq into a SPARQL 1.1 store, replacing each named graph whole.

    One Graph Store Protocol PUT per graph: repeating a push gives the same store content,
    and an interrupted push never leaves half a graph (each is new, as it was, or on
    Oxigraph empty if the cut fell inside its upload; push again to finish). Graphs of
    other datasets in the store are never touched.

    \b
    Example:
        oxigraph serve --location kg-db --union-default-graph &
        kg push --endpoint http://127.0.0.1:7878/store --query-endpoint http://127.0.0.1:7878/query
        kg query --endpoint http://127.0.0.1:7878/query cq-letters
    """
    from kg.endpoint import push as run_push

    report = run_push(build_dir, endpoint, query_endpoint, timeout=timeout)
    click.echo(
        f"pushed {report.graphs} graphs ({report.triples} triples) to {endpoint} in {report.seconds:.1f} s"
    )
    if not report.pruned:
        click.echo("stale graphs not checked: give --query-endpoint to delete graphs the build no longer has")
    elif report.removed:
        click.echo(f"deleted {len(report.removed)} stale graph{'s' if len(report.removed) != 1 else ''}:")
        for name in report.removed:
            click.echo(f"  {name}")
    else:
        click.echo("no stale graphs")
