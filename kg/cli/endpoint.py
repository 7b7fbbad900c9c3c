"""CLI commands for SPARQL past the embedded store: ``kg serve`` and ``kg push``.

``kg query --endpoint URL`` (in kg.cli) queries a store that ``kg push`` loaded.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options

# The defaults of kg.sparql.front and kg.sparql.endpoint, repeated so that importing the CLI stays cheap;
# tests/test_endpoint.py checks they agree.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_SERVE_TIMEOUT = 30
DEFAULT_WORKERS = 4
DEFAULT_MAX_QUERY_KB = 64
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_RESULT_MB = 64
DEFAULT_WORKER_MEMORY_MB = 2048
PUSH_TIMEOUT = 60.0


@click.command()
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
    type=click.FloatRange(min=0.1),
    help="Query time limit in seconds (also bounds the wait for a free query process and the send).",
)
@click.option(
    "--workers",
    default=DEFAULT_WORKERS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Query processes: how many queries run at once.",
)
@click.option(
    "--max-query-kb",
    default=DEFAULT_MAX_QUERY_KB,
    show_default=True,
    type=click.IntRange(1, 16 * 1024),
    help="Largest query accepted, in KB.",
)
@click.option(
    "--max-nesting",
    default=DEFAULT_MAX_DEPTH,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Deepest nesting of brackets accepted in a query.",
)
@click.option(
    "--max-result-mb",
    default=DEFAULT_MAX_RESULT_MB,
    show_default=True,
    type=click.IntRange(1, 4096),
    help="Largest answer sent, in MB; a larger one is an error (413), never cut.",
)
@click.option(
    "--worker-memory-mb",
    default=DEFAULT_WORKER_MEMORY_MB,
    show_default=True,
    type=click.IntRange(0, 1 << 20),
    help="Memory cap of each query process, in MB (0: none).",
)
@click.option("--cors", is_flag=True, help="Allow cross-origin requests (pages served from elsewhere).")
@reports_errors
def serve(
    seeds: Path,
    build_dir: Path,
    host: str,
    port: int,
    timeout: float,
    workers: int,
    max_query_kb: int,
    max_nesting: int,
    max_result_mb: int,
    worker_memory_mb: int,
    cors: bool,
):
    """Serve the built graph read-only over the SPARQL 1.1 protocol.

    Queries see the same graph as kg query. Each is checked before it runs: size,
    nesting, SERVICE, updates and FROM are refused with a 4xx and a one-line reason.
    A query past the time limit gets 504, an answer past the size limit 413: never a
    cut body. Queries must declare their prefixes (kg query --endpoint does it for you).
    Runs until Ctrl-C; a store rebuilt by 'kg build' is picked up without a restart.
    See docs/security.md before listening beyond loopback.

    \b
    Examples:
        kg serve --port 7878
        curl -s http://127.0.0.1:7878/query -H 'Accept: text/csv' \\
          --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
        kg query --endpoint http://127.0.0.1:7878/query cq-letters
    """
    from kg.sparql.front import Limits
    from kg.sparql.front import serve as run_serve

    limits = Limits(
        timeout=timeout,
        max_query_bytes=max_query_kb * 1024,
        max_depth=max_nesting,
        max_result_bytes=max_result_mb * 1024 * 1024,
        workers=workers,
        worker_memory_mb=worker_memory_mb,
    )
    run_serve(build_dir, host, port, limits, cors=cors, notify=click.echo)


@click.command()
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
    from kg.sparql.endpoint import push as run_push

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
