"""The ``kg site`` command: write the static site of entity and article pages (see kg.viz.site)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write, replaced as a whole [default: BUILD_DIR/site].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Processes writing pages.",
)
@seeds_options
@reports_errors
def site(out: Path | None, jobs: int, seeds: Path, build_dir: Path):
    """Write a static site of the built graph: a page per entity and per article, and an index.

    The index finds an entity as you type part of its name or of an alias. An entity page
    shows its type, posts and holders, trade measures on a timeline, a small ego graph,
    contested claims side by side, and every claim about it with its independent origins and
    quotes; each quote links to its place in the article's page, where every fact is marked in
    the text. The pages open offline and fetch nothing. Prints the path of the index.

    \b
    Examples:
        kg site
        kg site --out /tmp/trade-site
    """
    from kg.store import open_store
    from kg.viz.site import write_site

    result = write_site(open_store(build_dir), out or build_dir / "site", jobs=jobs)
    click.echo(f"site: {result.entities} entity pages, {result.articles} article pages", err=True)
    click.echo(str(result.path / "index.html"))
