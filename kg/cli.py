"""The ``kg`` command: a thin click layer over the library; each command calls one function."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from kg.errors import EXIT_BAD_INPUT, KgError, SeedError, ValidationFailed, output_error


def seeds_options(fn):
    """--seeds and --build-dir, shared by every command that reads seeds or outputs."""
    fn = click.option(
        "--build-dir",
        default="build",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of build outputs.",
    )(fn)
    fn = click.option(
        "--seeds",
        default="seeds",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of articles, sources, registry and facts.",
    )(fn)
    return fn


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit cannot fail on a closed pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _say_quietly(message: str) -> None:
    """Write a line on stderr unless stderr is gone too (a closed pipe)."""
    with contextlib.suppress(BrokenPipeError, ValueError):
        click.echo(message, err=True)


def reports_errors(fn):
    """Turn KgError into a message on stderr and its exit code; never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _say_quietly("interrupted; previous outputs are unchanged")
            _discard_stdout()
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (kg ... | head): nothing left to say
            _discard_stdout()
            sys.exit(1)
        except click.exceptions.Exit:
            raise
        except OSError as exc:
            full = output_error(exc)
            if full is None:
                _internal_error(exc)
            click.echo(f"error: {full}", err=True)
            sys.exit(full.exit_code)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            _internal_error(exc)

    return wrapper


def _internal_error(exc: Exception) -> NoReturn:
    """A bug: say so plainly, traceback only on request (KG_DEBUG=1)."""
    if os.environ.get("KG_DEBUG"):
        raise exc
    click.echo(
        f"internal error: {type(exc).__name__}: {exc}\n(set KG_DEBUG=1 to see the traceback)",
        err=True,
    )
    sys.exit(70)


MOST_WARNINGS = 10
"""kg check and kg build print this many warnings in full, then how many more there are."""


def _warn(warnings: list[str]) -> None:
    """Print warnings on stderr (they leave the exit status as it is)."""
    for warning in warnings[:MOST_WARNINGS]:
        click.echo(f"warning: {warning}", err=True)
    if len(warnings) > MOST_WARNINGS:
        click.echo(f"warning: and {len(warnings) - MOST_WARNINGS} more like these", err=True)


def _progress(quiet: bool):
    if quiet:
        return lambda _stage: None
    return lambda stage: click.echo(f"  {stage} ...", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="trade-dispute-kg")
def main():
    """Build and explore a knowledge graph of trade disputes from annotated news articles.

    \b
    Exit codes: 0 ok, 1 the data does not conform, 2 bad input or usage.
    """


@main.command()
@seeds_options
@click.option("--quiet", "-q", is_flag=True, help="Do not print progress.")
@reports_errors
def check(seeds: Path, build_dir: Path, quiet: bool):
    """Validate the seeds: YAML, terms, quotes, SHACL shapes and violation queries.

    Writes nothing. Every problem is reported as path:line:col: fact-id: message.

    \b
    Example:
        kg check
    """
    from kg.pipeline import check as run_check

    report = run_check(seeds, progress=_progress(quiet), build_dir=build_dir)
    for notice in report.notices:
        click.echo(f"notice: {notice}", err=True)
    _warn(report.warnings)
    click.echo(
        f"ok: {report.facts} facts from {report.articles} articles, {report.entities} entities, "
        f"{report.quads} quads conform"
    )


@main.command()
@seeds_options
@click.option("--quiet", "-q", is_flag=True, help="Do not print progress.")
@reports_errors
def build(seeds: Path, build_dir: Path, quiet: bool):
    """Check the seeds, then write N-Quads, TriG, a manifest and the Oxigraph store.

    Outputs are replaced only when the whole build succeeds.

    \b
    Example:
        kg build
    """
    from kg.pipeline import build as run_build

    report = run_build(seeds, build_dir, progress=_progress(quiet))
    for notice in report.notices:
        click.echo(f"notice: {notice}", err=True)
    _warn(report.warnings)
    click.echo(
        f"built {report.facts} facts from {report.articles} articles "
        f"({report.entities} entities, {report.quads} quads)"
    )
    for name, path in report.outputs.items():
        click.echo(f"  {name:<14}{path}")


@main.command()
@click.argument("query", required=False)
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
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
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
    from kg.query import (
        describe_query,
        format_result,
        named_queries,
        resolve_query,
        run_query,
        table,
        unknown_terms,
    )

    if list_queries:
        rows = [[name, describe_query(path)] for name, path in named_queries().items()]
        click.echo(table(["name", "question"], rows, max_width=90))
        return
    if query_file is not None:
        text = query_file.read_text(encoding="utf-8")
    elif query:
        text = resolve_query(query)
    else:
        raise click.UsageError("give a query, a named query (see --list) or --file")
    for warning in unknown_terms(text):
        click.echo(f"warning: {warning}", err=True)
    click.echo(format_result(run_query(text, build_dir, timeout=timeout, endpoint=endpoint), fmt))


@main.command()
@seeds_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def stats(seeds: Path, build_dir: Path, fmt: str):
    """Counts per class, facts and quotes per article, and coverage of each article.

    \b
    Example:
        kg stats
    """
    import json

    from kg.stats import format_stats, graph_stats

    result = graph_stats(seeds, build_dir)
    click.echo(json.dumps(result, indent=1) if fmt == "json" else format_stats(result))


# Commands living in their own modules register themselves on ``main`` when imported.
from kg import cli_add, cli_analyze, cli_claims, cli_endpoint, cli_export, cli_viz  # noqa: E402,F401


def run() -> None:  # pragma: no cover - console entry point for python -m kg
    main(prog_name="kg")


if __name__ == "__main__":  # pragma: no cover
    run()


__all__ = [
    "main",
    "seeds_options",
    "reports_errors",
    "EXIT_BAD_INPUT",
    "SeedError",
    "ValidationFailed",
]
