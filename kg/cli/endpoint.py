"""CLI commands for SPARQL past the embedded store: ``kg serve`` and ``kg push``.

``kg query --endpoint URL`` (in kg.cli) queries a store that ``kg push`` loaded.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options

# The defaults of kg.sparql.front, kg.sparql.endpoint and kg.sparql.push, repeated so that importing the CLI stays cheap;
# tests/test_endpoint.py and tests/test_push.py check they agree.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_SERVE_TIMEOUT = 30
DEFAULT_WORKERS = 4
DEFAULT_MAX_QUERY_KB = 64
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_RESULT_MB = 64
DEFAULT_WORKER_MEMORY_MB = 2048
PUSH_TIMEOUT = 60.0
PUSH_RETRIES = 5
PUSH_CONNECTIONS = 2
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"


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
    help="Graph Store Protocol URL (Oxigraph http://HOST:7878/store, Virtuoso http://HOST:8890/sparql-graph-crud-auth).",
)
@click.option(
    "--query-endpoint",
    required=True,
    metavar="URL",
    help="SPARQL query URL of the same store, to read what the last push left (the record graph).",
)
@click.option(
    "--default-graph",
    metavar="IRI",
    help="Push the default graph into this named graph, for a store without a default graph of its own (Virtuoso).",
)
@click.option(
    "--user", help=f"User name, for a store that asks (the password is read from {PASSWORD_VARIABLE})."
)
@click.option(
    "--timeout", type=float, default=PUSH_TIMEOUT, show_default=True, help="Seconds allowed per request."
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=PUSH_RETRIES,
    show_default=True,
    help="Tries again of a request that failed for a transient reason (waiting 0.5 s, 1 s, 2 s, ...).",
)
@click.option(
    "--connections",
    type=click.IntRange(1, 16),
    default=PUSH_CONNECTIONS,
    show_default=True,
    help="Uploads sent at once.",
)
@click.option("--force", is_flag=True, help="Upload every graph, even those the store has unchanged.")
@reports_errors
def push(
    seeds: Path,
    build_dir: Path,
    endpoint: str,
    query_endpoint: str,
    default_graph: str | None,
    user: str | None,
    timeout: float,
    retries: int,
    connections: int,
    force: bool,
):
    """Load build/kg.nq into a SPARQL 1.1 store: what changed, graph by graph, resumable.

    Each graph is replaced whole (Graph Store Protocol PUT) and then noted with its
    digest in the store's record graph (https://w3id.org/trade-dispute/graph/pushed).
    The next push reads that record: it skips the graphs that are unchanged and deletes
    the ones the build no longer has, never scanning the store; a push that was stopped
    is finished by pushing again. Transient failures are retried. Graphs the record does
    not list (another dataset's) are never touched.

    \b
    Examples:
        oxigraph serve --location kg-db &
        kg push --endpoint http://127.0.0.1:7878/store --query-endpoint http://127.0.0.1:7878/query
        KG_PUSH_PASSWORD=dba kg push --user dba \\
          --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth \\
          --query-endpoint http://127.0.0.1:8890/sparql \\
          --default-graph https://w3id.org/trade-dispute/graph/layer
    """
    import sys

    from kg.sparql.push import Credentials
    from kg.sparql.push import push as run_push

    credentials = Credentials.from_environment(user) if user else None
    bar = _ProgressBar() if sys.stderr.isatty() else None
    try:
        report = run_push(
            build_dir,
            endpoint,
            query_endpoint,
            default_graph=default_graph,
            credentials=credentials,
            timeout=timeout,
            retries=retries,
            connections=connections,
            force=force,
            progress=bar.update if bar else None,
        )
    finally:
        if bar:
            bar.close()
    skipped = f"; {report.unchanged} unchanged, skipped" if report.unchanged else ""
    click.echo(
        f"pushed {report.graphs} graph{'s' if report.graphs != 1 else ''} ({report.triples} triples) "
        f"to {endpoint} in {report.seconds:.1f} s{skipped}"
    )
    if report.retried:
        click.echo(
            f"{report.retried} request{'s' if report.retried != 1 else ''} tried again after a transient failure"
        )
    if report.removed:
        click.echo(f"deleted {len(report.removed)} stale graph{'s' if len(report.removed) != 1 else ''}:")
        for name in report.removed:
            click.echo(f"  {name}")
    else:
        click.echo("no stale graphs")


class _ProgressBar:
    """A progress bar on stderr counting the triples uploaded."""

    def __init__(self):
        self._bar = None
        self._shown = 0

    def update(self, progress) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=progress.triples_total, label="pushing", file=click.get_text_stream("stderr"), width=30
            )
            self._bar.__enter__()
        self._bar.update(progress.triples - self._shown)
        self._shown = progress.triples

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
