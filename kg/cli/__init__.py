"""The ``kg`` command: a thin click layer over the library; each command calls one function.

Commands live in one module per group (build, query, add, analyze, claims, endpoint, export,
viz, site) and are registered here; they share options and error reporting from
:mod:`kg.cli.common`.
"""

from __future__ import annotations

import click

from kg.cli import add, analyze, build, claims, completion, endpoint, export, query, site, viz


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="trade-dispute-kg")
def main():
    """Build and explore a knowledge graph of trade disputes from annotated news articles.

    \b
    Exit codes: 0 ok, 1 the data does not conform, 2 bad input or usage.
    """


for command in (
    build.check,
    build.build,
    query.query,
    build.stats,
    claims.claims,
    analyze.analyze,
    viz.viz,
    site.site,
    export.export,
    add.add,
    add.suggest,
    add.diff,
    endpoint.serve,
    endpoint.push,
    completion.completion,
):
    main.add_command(command)


def run() -> None:  # pragma: no cover - console entry point for python -m kg
    main(prog_name="kg")
