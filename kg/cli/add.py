"""CLI commands for adding an article: ``kg add``, ``kg suggest`` and ``kg diff`` (registered on kg.cli.main)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options


def _interactive() -> bool:
    """True when a person can answer prompts (stdin is a terminal)."""
    return sys.stdin.isatty()


def _ask(value: str | None, label: str, interactive: bool) -> str | None:
    """The flag's value; when missing and stdin is a terminal, ask (empty answer = unknown)."""
    if value is not None or not interactive:
        return value
    answer = click.prompt(label, default="", show_default=False).strip()
    return answer or None


def _new_outlet(name: str, key: str | None, seeds: Path):
    from kg.authoring.outlets import plan_outlet

    return plan_outlet(name, seeds, key)


def _ask_outlet(seeds: Path):
    """Ask for the outlet in a terminal: a registry key or a name; a new one is added on request.

    Returns:
        (the key of a known outlet, or None; the NewOutlet to add, or None).
    """
    from kg.authoring.outlets import known_outlet, outlet_key, plan_outlet

    answer = _ask(None, "Outlet: registry key or name (empty if the text does not name it)", True)
    if answer is None:
        return None, None
    known = known_outlet(answer, seeds)
    if known is not None:
        click.echo(f"outlet: {known}")
        return known, None
    if not click.confirm(f"'{answer}' is not in the registry; add it as a new outlet?", default=True):
        return None, None
    key = click.prompt("Registry key for it", default=outlet_key(answer)).strip()
    return None, plan_outlet(answer, seeds, key)


@click.command()
@click.argument("article", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="The headline as printed.")
@click.option(
    "--outlet",
    help="Registry key of the publishing outlet; leave out when the text does not name it.",
)
@click.option(
    "--new-outlet",
    metavar="NAME",
    help="Name of a publishing outlet the registry does not know yet: adds a NewsOutlet entry to seeds/entities/outlets.yaml.",
)
@click.option(
    "--outlet-key", metavar="KEY", help="With --new-outlet: its registry key (default: made from the name)."
)
@click.option("--author", help="The byline as printed.")
@click.option("--date", help="Publication date: YYYY-MM-DD (or YYYY-MM, YYYY).")
@click.option("--date-basis", help='How the date was established: "stated: ..." or "inferred: ...".')
@click.option("--url", help="Where the article was published.")
@seeds_options
@reports_errors
def add(
    article: Path,
    title,
    outlet,
    new_outlet,
    outlet_key,
    author,
    date,
    date_basis,
    url,
    seeds: Path,
    build_dir: Path,
):
    """Copy an article into the seeds, record it in sources.yaml and start its fact file.

    The article gets the id NNN_<first 16 hex of its sha256>. Missing details are asked for
    when stdin is a terminal; otherwise they are recorded as null (an outlet is never guessed).
    An outlet the registry does not know yet is added to it with --new-outlet "Name" (or by
    answering the question in a terminal). The same text cannot be added twice.

    \b
    Examples:
        kg add new-article.txt --date 2025-05-02 --date-basis "stated: byline" --title "Japan weighs ..."
        kg add new-article.txt --new-outlet "The Japan Times" --date 2025-05-02 --date-basis "stated: byline"
    """
    import dataclasses

    from kg.authoring.add import AddError, ArticleMeta, add_article

    interactive = _interactive()
    if outlet_key and not new_outlet:
        raise AddError("--outlet-key names the key of a --new-outlet")
    if new_outlet is not None and outlet is not None:
        raise AddError("give --outlet KEY (a known outlet) or --new-outlet NAME, not both")
    planned = _new_outlet(new_outlet, outlet_key, seeds) if new_outlet is not None else None
    title = _ask(title, "Title (empty if none)", interactive)
    if planned is None and outlet is None and interactive:
        outlet, planned = _ask_outlet(seeds)
    meta = ArticleMeta(
        title=title,
        outlet=planned.key if planned else outlet,
        author=_ask(author, "Author as printed (empty if none)", interactive),
        date=_ask(date, "Date YYYY-MM-DD (empty if unknown)", interactive),
        date_basis=date_basis,
        url=_ask(url, "URL (empty if unknown)", interactive),
    )
    if meta.date and not meta.date_basis and interactive:
        basis = _ask(None, "How was the date established ('stated: ...' or 'inferred: ...')", True)
        meta = dataclasses.replace(meta, date_basis=basis)
    added = add_article(article, seeds, meta, planned)
    if added.outlet_file is not None:
        click.echo(f"added outlet {planned.key} ({planned.label}) to {added.outlet_file}")
    click.echo(f"added article {added.article_id}")
    click.echo(f"  text      {added.article_file}")
    click.echo(f"  source    {added.sources_file} (sha256 {added.sha256[:16]}...)")
    click.echo(f"  facts     {added.fact_file}")
    click.echo(f"next: kg suggest {added.article_id}")


@click.command()
@click.argument("article_id", required=False)
@click.option("--accept", "accept", multiple=True, metavar="ID",
              help="Uncomment this suggestion (and the registry entries it needs); 'all' for every one. Repeatable.")  # fmt: skip
@click.option(
    "--accept-entity",
    multiple=True,
    metavar="KEY",
    help="Uncomment this candidate registry entry. Repeatable.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be suggested; write nothing.")
@click.option(
    "--evaluate",
    is_flag=True,
    help="Score each annotated article, left out in turn, against its hand annotations.",
)
@click.option(
    "--details", is_flag=True, help="With --evaluate: list every missed and wrong mention and fact."
)
@seeds_options
@reports_errors
def suggest(
    article_id: str | None,
    accept,
    accept_entity,
    dry_run: bool,
    evaluate: bool,
    details: bool,
    seeds: Path,
    build_dir: Path,
):
    """Propose entity links and candidate facts for an article, as commented-out YAML.

    Candidate facts are appended to seeds/facts/<id>.yaml and candidate registry entries
    to seeds/entities/<id>.yaml, all commented out: nothing enters the graph until you
    uncomment it (by hand, or with --accept). Running it again adds only what is new.

    \b
    Examples:
        kg suggest 005_1a2b3c4d5e6f7a8b
        kg suggest 005_1a2b3c4d5e6f7a8b --accept a005-prime-minister-of-japan
        kg suggest --evaluate
    """
    from kg.authoring import suggest as lib

    if evaluate:
        for line in lib.evaluation_report(lib.evaluate(seeds), details):
            click.echo(line)
        return
    if not article_id:
        raise click.UsageError("give an ARTICLE_ID (see seeds/sources.yaml), or --evaluate")
    if accept or accept_entity:
        ids = None if "all" in accept else list(accept)
        done = lib.accept_suggestions(article_id, ids, seeds) if accept else []
        done += lib.accept_entities(article_id, list(accept_entity), seeds) if accept_entity else []
        click.echo(f"accepted {len(done)}: {', '.join(done)}")
        click.echo("next: kg check")
        return
    found = lib.suggest(article_id, seeds)
    if dry_run:
        for fs in found.facts:
            click.echo("\n".join(lib.fact_yaml(fs)))
        for c in found.candidates:
            click.echo("\n".join(lib.entity_yaml(c)))
        return
    written = lib.write_suggestions(found, seeds)
    keys = len({m.key for m in found.mentions})
    click.echo(
        f"{len(found.mentions)} mentions of {keys} registry entities, {len(found.dates)} relative dates"
    )
    click.echo(f"{len(written.facts_written)} candidate facts appended to {written.fact_file}")
    for fid in written.facts_written:
        click.echo(f"  {fid}")
    click.echo(
        f"{len(written.entities_written)} candidate registry entries appended to {written.entity_file}"
    )
    for key in written.entities_written:
        click.echo(f"  {key}")
    if written.skipped:
        click.echo(f"{len(written.skipped)} already there (skipped)")
    click.echo(
        f"next: review them, uncomment what is right (or kg suggest {article_id} --accept ID), then kg check"
    )


@click.command()
@click.option("--previous", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder to compare with (default: BUILD_DIR/previous, kept by kg build).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@seeds_options
@reports_errors
def diff(previous: Path | None, fmt: str, seeds: Path, build_dir: Path):
    """What the last rebuild changed: entities, facts, corroborations and contradictions.

    Compares the build in BUILD_DIR with the one it replaced (kept in BUILD_DIR/previous).

    \b
    Example:
        kg build -q && kg diff
    """
    from kg.analysis.diff import build_diff, format_diff

    result = build_diff(build_dir, previous)
    click.echo(json.dumps(result.to_dict(), indent=1) if fmt == "json" else format_diff(result))
