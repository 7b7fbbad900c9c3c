"""``kg check``, ``kg build`` and ``kg stats``: validate the seeds, build the graph, count what it holds."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import progress_printer, reports_errors, seeds_options, wide_option

MOST_WARNINGS = 10
"""kg check and kg build print this many warnings in full, then how many more there are."""


def _warn(warnings: list[str]) -> None:
    """Print warnings on stderr (they leave the exit status as it is)."""
    for warning in warnings[:MOST_WARNINGS]:
        click.echo(f"warning: {warning}", err=True)
    if len(warnings) > MOST_WARNINGS:
        click.echo(f"warning: and {len(warnings) - MOST_WARNINGS} more like these", err=True)


@click.command()
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
    from kg.build.pipeline import check as run_check

    report = run_check(seeds, progress=progress_printer(quiet), build_dir=build_dir)
    for notice in report.notices:
        click.echo(f"notice: {notice}", err=True)
    _warn(report.warnings)
    click.echo(
        f"ok: {report.facts} facts from {report.articles} articles, {report.entities} entities, "
        f"{report.quads} quads conform"
    )


@click.command()
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
    from kg.build.pipeline import build as run_build

    report = run_build(seeds, build_dir, progress=progress_printer(quiet))
    for notice in report.notices:
        click.echo(f"notice: {notice}", err=True)
    _warn(report.warnings)
    click.echo(
        f"built {report.facts} facts from {report.articles} articles "
        f"({report.entities} entities, {report.quads} quads)"
    )
    for name, path in report.outputs.items():
        click.echo(f"  {name:<14}{path}")


@click.command()
@seeds_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@wide_option
@reports_errors
def stats(seeds: Path, build_dir: Path, fmt: str):
    """Counts per class, facts and quotes per article, and coverage of each article.

    \b
    Example:
        kg stats
    """
    import json

    from kg.analysis.stats import format_stats, graph_stats

    result = graph_stats(seeds, build_dir)
    click.echo(json.dumps(result, indent=1) if fmt == "json" else format_stats(result))
