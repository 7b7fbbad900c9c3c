"""``kg analyze``: network analytics on the built graph (centrality, blocs, balance, paths, timeline)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.analysis import PROJECTIONS as VIEWS
from kg.cli.common import reports_errors, wide_option
from kg.cli.completion import complete_entity_keys


def analysis_options(fn):
    """--as-of, --format, --wide and --build-dir, shared by every analyze command."""
    fn = click.option(
        "--build-dir",
        default="build",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of build outputs (holds the store).",
    )(fn)
    fn = click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "tsv", "json"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(fn)
    fn = wide_option(fn)
    fn = click.option(
        "--as-of",
        "as_of",
        metavar="DATE",
        help="Only what was announced or in force by this date (YYYY-MM-DD).",
    )(fn)
    return fn


def view_option(fn):
    """--view: which projection to analyse."""
    return click.option(
        "--view",
        type=click.Choice(VIEWS),
        default="actor",
        show_default=True,
        help="Projection: actor graph, signed state graph or measures graph.",
    )(fn)


def _graph(view: str, build_dir: Path, as_of: str | None):
    from kg.analysis.project import projection

    return projection(build_dir, view, as_of=as_of)


def emit(records: list[dict], columns: list[str], fmt: str, max_width: int = 60) -> None:
    """Print records as an aligned table, CSV, or JSON (JSON keeps every key of every record)."""
    from kg.output import render

    click.echo(render(records, columns, fmt, max_width))


def _sign(value: int) -> str:
    return {1: "+", -1: "-", 0: "0"}[value]


@click.group()
def analyze():
    """Network analytics: centrality, communities, structural balance, paths, timeline.

    Every command reads the built store (run 'kg build' first), accepts --as-of DATE to
    see the network as it stood on a date, and prints a table, CSV or JSON.

    \b
    Examples:
        kg analyze centrality --view state
        kg analyze balance --as-of 2025-04-22
        kg analyze path pete-hegseth li-qiang
    """


@analyze.command()
@view_option
@click.option("--limit", type=int, default=0, help="Show only the first N rows (0: all).")
@analysis_options
@reports_errors
def centrality(view: str, limit: int, as_of: str | None, fmt: str, build_dir: Path):
    """Degree, weighted PageRank and betweenness of every node, highest PageRank first.

    \b
    Example:
        kg analyze centrality --view state
    """
    from kg.analysis.metrics import centrality as compute

    frame = compute(_graph(view, build_dir, as_of))
    records = frame.to_dict("records")[: limit or None]
    emit(
        records,
        ["label", "type", "degree", "pagerank", "betweenness"] + (["node"] if fmt != "table" else []),
        fmt,
    )


@analyze.command()
@view_option
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain random seed.")
@analysis_options
@reports_errors
def communities(view: str, seed: int, as_of: str | None, fmt: str, build_dir: Path):
    """Blocs: Louvain communities of cooperative and neutral ties (conflict edges left out).

    \b
    Example:
        kg analyze communities --view actor
    """
    from kg.analysis.metrics import communities as compute

    graph = _graph(view, build_dir, as_of)
    records = [
        {
            "community": i,
            "size": len(members),
            "members": "; ".join(sorted(graph.nodes[n].get("label", n) for n in members)),
            "nodes": sorted(members),
        }
        for i, members in enumerate(compute(graph, seed=seed), start=1)
    ]
    emit(records, ["community", "size", "members"], fmt, max_width=110)


@analyze.command()
@click.option("--details", is_flag=True, help="List the episodes and facts behind each edge of each triad.")
@analysis_options
@reports_errors
def balance(details: bool, as_of: str | None, fmt: str, build_dir: Path):
    """Structural balance of the signed state graph: every triad, and the frustration index.

    A triad is balanced when the product of its three signs is positive. The frustration
    index is the fewest edges against the best split of the states into two camps.

    \b
    Examples:
        kg analyze balance
        kg analyze balance --details --as-of 2025-04-22
    """
    from kg.analysis.metrics import structural_balance
    from kg.analysis.project import state_graph

    result = structural_balance(state_graph(build_dir, as_of=as_of))
    if fmt == "json":
        emit(result, [], fmt)
        return
    records = []
    for t in result["triads"]:
        a, b, c = t["labels"]
        records.append(
            {
                "triad": f"{a} / {b} / {c}",
                "signs": f"{a}-{b} {_sign(t['signs'][0])}, {b}-{c} {_sign(t['signs'][1])}, {a}-{c} {_sign(t['signs'][2])}",
                "balanced": "balanced" if t["balanced"] else "UNBALANCED",
                "facts": sum(len(e["facts"]) for e in t["edges"]),
            }
        )
    emit(records, ["triad", "signs", "balanced", "facts"], fmt, max_width=90)
    if fmt != "table":
        return
    camps = [
        ", ".join(_labels_of(result, g)) if len(g) <= 8 else f"{len(g)} states" for g in result["groups"]
    ]
    click.echo(
        f"\n{result['balanced']} balanced, {result['unbalanced']} unbalanced; "
        f"frustration index {result['frustration_index']}{'' if result['exact'] else ' (upper bound)'}"
        f" (camps: {camps[0] or '-'} | {camps[1] or '-'})"
    )
    for e in result["frustrated_edges"][:20]:
        click.echo(
            f"  against the camps: {e['a_label']} - {e['b_label']} ({_sign(e['sign'])}, score {e['score']})"
        )
    if len(result["frustrated_edges"]) > 20:
        click.echo(f"  ... and {len(result['frustrated_edges']) - 20} more (--format json lists them all)")
    if details:
        _print_details(result)


def _labels_of(result: dict, nodes: list[str]) -> list[str]:
    names = {}
    for t in result["triads"]:
        names.update(zip(t["nodes"], t["labels"], strict=True))
    from kg.analysis.project import local_name

    return [names.get(n, local_name(n)) for n in nodes]


def _print_details(result: dict) -> None:
    from kg.analysis.project import local_name

    seen = set()
    for t in result["triads"]:
        for e in t["edges"]:
            if (e["a"], e["b"]) in seen:
                continue
            seen.add((e["a"], e["b"]))
            click.echo(
                f"\n{e['a_label']} - {e['b_label']}: sign {_sign(e['sign'])}, score {e['score']}, {e['weight']} origins"
            )
            for ep in e["episodes"]:
                click.echo(
                    f"  {_sign(ep['sign'])} x{ep['weight']}  {'; '.join(ep['labels'])}  [{', '.join(ep['relations'])}]"
                )
                click.echo(f"        facts: {', '.join(local_name(f) for f in ep['facts'])}")


@analyze.command()
@click.argument("source", shell_complete=complete_entity_keys)
@click.argument("target", shell_complete=complete_entity_keys)
@click.option(
    "--registry",
    is_flag=True,
    help="Also walk registry links (an agency's state, a person's nationality); they cite no fact.",
)
@analysis_options
@reports_errors
def path(source: str, target: str, registry: bool, as_of: str | None, fmt: str, build_dir: Path):
    """The shortest path between two actors, each hop with its fact and quote.

    SOURCE and TARGET are registry keys (pete-hegseth), labels ("Li Qiang") or IRIs.
    Only fact-backed edges are walked unless --registry is given. Exits with 1 when the
    actors are not connected.

    \b
    Examples:
        kg analyze path pete-hegseth li-qiang
        kg analyze path scott-bessent li-qiang --registry
    """
    from kg.analysis.metrics import explained_path

    hops = explained_path(build_dir, source, target, as_of=as_of, include_registry=registry)
    if not hops:
        click.echo(
            f"no path between '{source}' and '{target}'" + (f" as of {as_of}" if as_of else ""), err=True
        )
        sys.exit(1)
    from kg.analysis.project import local_name

    records = [
        {
            **h,
            "hop": i,
            "edge": f"{h['from_label']} {'->' if h['direction'] == 'forward' else '<-'} {h['to_label']}",
            "via": h["relation"] + (f" ({h['subject_label']})" if h["subject_label"] else ""),
            "sign": _sign(h["sign"]),
            "fact_id": local_name(h["fact"]) or "(registry)",
        }
        for i, h in enumerate(hops, start=1)
    ]
    if fmt == "json":
        emit(hops, [], fmt)
        return
    emit(records, ["hop", "edge", "via", "sign", "fact_id", "article_id", "quote"], fmt, max_width=70)


@analyze.command()
@click.option(
    "--png",
    "png",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the rates per dyad into this PNG file.",
)
@click.option("--rates", is_flag=True, help="Show the rate in force per dyad and date instead of every row.")
@click.option("--dyad", help="Only rows of dyads containing this text (e.g. 'United States -> China').")
@analysis_options
@reports_errors
def timeline(png: Path | None, rates: bool, dyad: str | None, as_of: str | None, fmt: str, build_dir: Path):
    """Timeline of trade measures per dyad: rates, statuses, pauses, retaliation, announcements.

    \b
    Examples:
        kg analyze timeline --dyad "United States -> China"
        kg analyze timeline --rates --png build/timeline.png
    """
    from kg.analysis.timeline import CSV_COLUMNS, rates_in_force, timeline_png, timeline_rows

    rows = timeline_rows(build_dir, as_of=as_of)
    if dyad:
        rows = [r for r in rows if dyad.casefold() in r["dyad"].casefold()]
    if png:
        written = timeline_png(rows, png)
        click.echo(f"wrote {written}", err=True)
    if rates:
        emit(
            rates_in_force(rows),
            ["dyad", "date", "measure_label", "rate_kind", "rate", "status", "stated_on", "articles"],
            fmt,
            max_width=44,
        )
    else:
        emit(
            rows,
            list(CSV_COLUMNS),
            fmt,
            max_width=44,
        )


@analyze.command()
@view_option
@analysis_options
@reports_errors
def edges(view: str, as_of: str | None, fmt: str, build_dir: Path):
    """The edges of a projection with relation, sign, weight, date and facts.

    \b
    Examples:
        kg analyze edges --view state
        kg analyze edges --view measures --as-of 2025-03-31 --format csv
    """
    from kg.analysis.project import local_name

    graph = _graph(view, build_dir, as_of)
    records = []
    for u, v, data in graph.edges(data=True):
        records.append(
            {
                "source": u,
                "target": v,
                "from": graph.nodes[u].get("label", local_name(u)),
                "to": graph.nodes[v].get("label", local_name(v)),
                "relation": data.get("relation") or ", ".join(data.get("relations", [])),
                "about": data.get("subject_label") or data.get("label") or "",
                "sign": data.get("sign"),
                "weight": data.get("weight"),
                "date": data.get("date"),
                "rate": data.get("rate"),
                "score": data.get("score"),
                "cooperation": data.get("cooperation"),
                "conflict": data.get("conflict"),
                "facts": len(data.get("facts", [])),
                "fact_iris": data.get("facts", []),
            }
        )
    columns = ["from", "relation", "to", "about", "sign", "weight", "date", "facts"]
    if view == "measures":
        columns.insert(5, "rate")
    if view == "state":
        columns = ["from", "to", "sign", "score", "cooperation", "conflict", "weight", "facts", "relation"]
    emit(records, columns, fmt, max_width=48)


@analyze.command("view")
@click.argument("name", required=False)
@analysis_options
@reports_errors
def view_cmd(name: str | None, as_of: str | None, fmt: str, build_dir: Path):
    """Rows of a SPARQL view (ontology/queries/view-NAME.rq); without NAME, list the views.

    \b
    Examples:
        kg analyze view
        kg analyze view memberships --as-of 2025-03-31
    """
    from kg.analysis.project import view_names, view_rows
    from kg.resources import QUERIES_DIR
    from kg.sparql.query import describe_query

    if not name:
        emit(
            [{"view": v, "what": describe_query(QUERIES_DIR / f"view-{v}.rq")} for v in view_names()],
            ["view", "what"],
            fmt,
            max_width=120,
        )
        return
    rows = view_rows(build_dir, name, as_of=as_of)
    emit(rows, list(rows[0]) if rows else [], fmt, max_width=40)
