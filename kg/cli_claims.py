"""``kg claims``: which claims independent outlets confirm, and where articles disagree."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli import main, reports_errors, seeds_options


@main.command()
@seeds_options
@click.option(
    "--min-articles",
    type=int,
    default=2,
    show_default=True,
    help="Show claims made by at least this many articles.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def claims(seeds: Path, build_dir: Path, min_articles: int, fmt: str):
    """Contradictions between articles, then claims with their corroboration.

    Corroboration counts independent origins: articles relaying the same original
    reporter (e.g. Kyodo) count once. Modality (reported, expected, claimed...) is
    shown beside each claim.

    \b
    Examples:
        kg claims
        kg claims --min-articles 1 --format json
    """
    from kg.claims import claims_report
    from kg.query import table
    from kg.store import open_store

    report = claims_report(open_store(build_dir), min_articles)
    if fmt == "json":
        click.echo(json.dumps(report, indent=1, ensure_ascii=False))
        return
    click.echo(f"Contradictions ({len(report['contradictions'])})")
    for c in report["contradictions"]:
        click.echo(f"\n  {c['subject']} {c['property']} is contested:")
        for v in c["values"]:
            kinds = f" ({', '.join(v['rate_kinds'])})" if v["rate_kinds"] else ""
            click.echo(f"    {v['value']}{kinds} in {', '.join(v['articles'])}")
            for e in v["evidence"]:
                click.echo(f'      {e["article"]} [{e["modality"]}]: "{e["quote"]}"')
    rows = [
        [
            c["subject"],
            c["property"],
            c["value"],
            str(c["articles"]),
            str(c["origins"]),
            c["modalities"],
        ]
        for c in report["claims"]
    ]
    click.echo(f"\nClaims made by at least {min_articles} article(s) ({len(rows)})\n")
    click.echo(table(["subject", "property", "value", "articles", "origins", "modality"], rows, max_width=40))
