"""``kg claims``: which claims independent outlets confirm, and where articles disagree."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.common import reports_errors, seeds_options, wide_option


@click.command()
@seeds_options
@click.option(
    "--min-articles",
    type=int,
    default=2,
    show_default=True,
    help="Show claims made by at least this many articles.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Show the first N disagreements (contradictions first) and the N most corroborated claims; 0 shows all.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@wide_option
@reports_errors
def claims(seeds: Path, build_dir: Path, min_articles: int, limit: int, fmt: str):
    """Where articles disagree, then claims with their corroboration.

    A disagreement is two values of a single-valued property for one subject: a
    contradiction when they share rate kind, scope and time, else the difference
    that explains them (different rate kinds, scopes or times), each value with
    every quote behind it. Corroboration counts independent origins: articles
    relaying the same original reporter (e.g. Kyodo) count once. "as fact" is no
    for a claim that is only expected, planned, considered, claimed or denied.
    "possibly one origin": two of its articles share enough wording to be copies
    of one story (kg check warns about them) yet count as different origins.

    \b
    Examples:
        kg claims
        kg claims --min-articles 3 --limit 10
        kg claims --min-articles 1 --limit 0 --format json
    """
    from kg.analysis.claims import claims_report
    from kg.output import table
    from kg.store import open_store

    report = claims_report(open_store(build_dir), min_articles, limit)
    if fmt == "json":
        click.echo(json.dumps(report, indent=1, ensure_ascii=False))
        return
    found, total = report["disagreements"], report["counts"]
    shown = f"; the first {len(found)} shown" if len(found) < total["disagreements"] else ""
    click.echo(f"Disagreements ({total['disagreements']}: {total['contradictions']} contradiction(s){shown})")
    for d in found:
        click.echo(f"\n  {d['subject_name']} ({d['subject']}) {d['property']}: {d['kind']}")
        click.echo(f"    {d['reason']}")
        for v in d["values"]:
            kinds = f" ({', '.join(v['rate_kinds'])})" if v["rate_kinds"] else ""
            click.echo(f"    {v['value']}{kinds}: {len(v['articles'])} article(s), {v['origins']} origin(s)")
            for e in v["evidence"]:
                click.echo(f'      {e["article"]} [{e["modality"]}]: "{e["quote"]}"')
    rows = [
        [
            c["subject_name"],
            c["property"],
            c["value"],
            str(c["articles"]),
            str(c["origins"]),
            "yes" if c["stated_as_fact"] else "no",
            "possibly one origin" if c["possibly_one_origin"] else "",
        ]
        for c in report["claims"]
    ]
    shown = f"; the {len(rows)} most corroborated shown" if len(rows) < total["claims"] else ""
    click.echo(f"\nClaims made by at least {min_articles} article(s) ({total['claims']}{shown})\n")
    headers = ["subject", "property", "value", "articles", "origins", "as fact", "copies"]
    click.echo(table(headers, rows, max_width=40))
