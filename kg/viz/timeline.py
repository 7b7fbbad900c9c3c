"""The interactive timeline page of the trade measures (``kg viz timeline``), drawn with plotly.js.

One panel per dyad (imposer -> target), each with its own date axis: every measure's rate as a
step line per rate kind, dashed by status (in force, announced, paused, threatened), and under
it a strip of the dyad's events (announcements, pauses, retaliation, talks...) whose hover shows
the quote and its article. Panels zoom and pan. The page opens with the dyads that have most
statements (MAX_PANELS of them) and a box to choose others; the table of every row follows.

plotly.js comes from the plotly package and is copied into the page; the figures are plain
JSON built here (no plotly Python objects, which cost more than the page at 100,000 facts).
Text reaches plotly's hover labels HTML-escaped, since plotly reads a few tags in them.
"""

from __future__ import annotations

import html
import textwrap
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kg.files import write_atomic
from kg.viz.page import CSP_BASE, plotly_js, render
from kg.viz.styles import OKABE_ITO

MAX_PANELS = 12
"""Dyads drawn when the page opens; the others are one search away."""

MAX_TABLE_ROWS = 2000
"""Rows of the table under the charts; past that the page says where the rest are (a table of
32,000 rows was 11 MB of a 100,000-fact page that nobody reads in a browser)."""

STATUS_DASH: dict[str, str] = {
    "in force": "solid",
    "announced": "dash",
    "paused": "dot",
    "threatened": "dashdot",
    "stated": "longdash",
}
"""How a stretch of a rate line is dashed, by the measure's status then (plotly dash names)."""

THREATS = {"Expected", "Planned", "Considered", "Claimed"}
"""Modalities under which a stated rate is a threat rather than a fact."""

LINE_COLOURS = [
    OKABE_ITO[c]
    for c in ("blue", "vermillion", "bluish green", "orange", "reddish purple", "sky blue", "black")
]

EVENT_MARKERS: dict[str, tuple[str, str]] = {
    "announcement": ("triangle-up", OKABE_ITO["blue"]),
    "announced": ("triangle-up", OKABE_ITO["blue"]),
    "effective": ("square", OKABE_ITO["bluish green"]),
    "status": ("diamond", OKABE_ITO["sky blue"]),
    "paused": ("triangle-down", OKABE_ITO["orange"]),
    "excluded from pause": ("x", OKABE_ITO["vermillion"]),
    "retaliation": ("star", OKABE_ITO["vermillion"]),
}
"""Marker symbol and colour of an event kind; other kinds (talks, statement...) are grey circles."""

TIMELINE_COLUMNS: dict[str, str] = {
    "date": "date",
    "dyad": "dyad",
    "measure_label": "measure",
    "event": "event",
    "rate": "rate (%)",
    "rate_kind": "kind",
    "status": "status",
    "detail": "detail",
    "modality": "modality",
    "article_id": "article",
    "quote": "quote",
}
"""Columns of the timeline table (kg.analysis.timeline row keys -> headings); IRIs stay in the rows."""


def _day(text: str) -> date:
    parts = [int(p) for p in str(text).split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _hover(*lines: Any, quote: str | None = None) -> str:
    """A plotly hover text: the lines escaped (plotly reads <b>, <a>... in it), the quote wrapped."""
    out = [html.escape(str(line)) for line in lines if line]
    if quote:
        out += [html.escape(part) for part in textwrap.wrap(f"\u201c{quote}\u201d", 70)]
    return "<br>".join(out)


def _status_at(row: Mapping, status: str | None) -> str:
    if status in STATUS_DASH:
        return status
    if row.get("modality") in THREATS:
        return "threatened"
    return "stated"


def dyad_figure(rows: list[Mapping]) -> dict:
    """The plotly figure (plain JSON) of one dyad's rows: rate step lines on top, events below.

    Args:
        rows: the timeline rows of one dyad (kg.analysis.timeline.timeline_rows).

    Returns:
        {"data": [...], "layout": {...}} for Plotly.newPlot.

    Example:
        >>> fig = dyad_figure([
        ...     {"date": "2025-04-02", "measure": "m", "measure_label": "Tariff", "rate": 24, "rate_kind": None,
        ...      "status": "announced", "event": "rate", "modality": "Asserted", "fact": "f1", "article_id": "a",
        ...      "quote": "24%", "detail": "rate 24%"},
        ...     {"date": "2025-04-09", "measure": "m", "measure_label": "Tariff", "rate": None, "rate_kind": None,
        ...      "status": "paused", "event": "paused", "modality": "Asserted", "fact": "f2", "article_id": "a",
        ...      "quote": "a pause", "detail": "paused by the pause"}])
        >>> [(t["name"], t["line"]["dash"]) for t in fig["data"] if t["mode"] == "lines+markers"]
        [('Tariff', 'dash'), ('Tariff', 'dot')]
        >>> fig["layout"]["xaxis"]["type"], fig["layout"]["xaxis"]["showticklabels"]
        ('date', True)
    """
    rows = sorted(rows, key=lambda r: (r["date"], r.get("fact") or ""))
    days = [_day(r["date"]) for r in rows]
    start, end = min(days) - timedelta(days=4), max(days) + timedelta(days=4)
    data: list[dict] = []

    # rates: one line per measure and rate kind; a kind-less rate that a kind repeats is dropped
    lines: dict[tuple[str, str | None], list[Mapping]] = defaultdict(list)
    status_of: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for r in rows:
        if r.get("status"):
            status_of[r["measure"]].append((_day(r["date"]), r["status"]))
        if r.get("rate") is not None:
            lines[(r["measure"], r.get("rate_kind"))].append(r)
    kinds = {m for (m, k) in lines if k}
    for m, k in list(lines):
        if k is None and m in kinds:
            del lines[(m, k)]
    ordered = sorted(lines.items(), key=lambda kv: (kv[1][0]["measure_label"] or "", kv[0][1] or ""))
    for n, ((measure, kind), points) in enumerate(ordered):
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        name = points[0]["measure_label"] + (f" ({kind})" if kind else "")
        by_day: dict[date, Mapping] = {}
        for r in points:  # the highest rate stated on a day stands for that day
            d = _day(r["date"])
            if d not in by_day or r["rate"] > by_day[d]["rate"]:
                by_day[d] = r
        steps = []
        for d in sorted(by_day):
            known = [s for day, s in status_of.get(measure, []) if day <= d]
            steps.append((d, by_day[d], _status_at(by_day[d], known[-1] if known else None)))
        # status changes between stated rates (a pause) start a new stretch at the same rate
        for day, status in status_of.get(measure, []):
            if steps and day > steps[0][0] and day not in by_day:
                before = [s for s in steps if s[0] < day][-1]
                steps.append((day, before[1], _status_at(before[1], status)))
        steps.sort(key=lambda s: s[0])
        runs: list[list[tuple]] = []
        for step in steps:
            if runs and runs[-1][-1][2] == step[2]:
                runs[-1].append(step)
            else:
                runs.append([step])
        for i, run in enumerate(runs):
            xs = [s[0].isoformat() for s in run]
            ys = [s[1]["rate"] for s in run]
            texts = [
                _hover(
                    name,
                    f"{s[1]['rate']:g}% \u00b7 {s[2]} \u00b7 {s[0].isoformat()}",
                    f"article {s[1].get('article_id')}",
                    quote=s[1].get("quote"),
                )
                for s in run
            ]
            until = runs[i + 1][0][0] if i + 1 < len(runs) else end
            xs.append(until.isoformat())
            ys.append(ys[-1])
            texts.append(texts[-1])
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": xs,
                    "y": ys,
                    "xaxis": "x",
                    "yaxis": "y",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": i == 0,
                    "line": {"shape": "hv", "color": colour, "width": 2.5, "dash": STATUS_DASH[run[0][2]]},
                    "marker": {"size": [7] * (len(xs) - 1) + [0], "color": colour},
                    "hovertext": texts,
                    "hoverinfo": "text",
                    "meta": {"status": run[0][2]},
                }
            )

    # events: a strip under the rates, one row per kind of event
    events: dict[str, list[Mapping]] = defaultdict(list)
    for r in rows:
        if r.get("event") and r.get("event") != "rate":
            events[r["event"]].append(r)
    for kind in sorted(events):
        symbol, colour = EVENT_MARKERS.get(kind, ("circle", "#999999"))
        items = events[kind]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [_day(r["date"]).isoformat() for r in items],
                "y": [kind] * len(items),
                "xaxis": "x",
                "yaxis": "y2",
                "name": kind,
                "showlegend": False,
                "marker": {
                    "symbol": symbol,
                    "size": 11,
                    "color": colour,
                    "line": {"width": 1, "color": "#1a202c"},
                },
                "hovertext": [
                    _hover(
                        f"{kind} \u00b7 {r['date']}",
                        r.get("measure_label"),
                        r.get("detail"),
                        f"article {r.get('article_id')} ({(r.get('modality') or '').lower()})",
                        quote=r.get("quote"),
                    )
                    for r in items
                ],
                "hoverinfo": "text",
                "meta": {"event": kind},
            }
        )
    rated = bool(lines)
    strip_px = 24 * max(len(events), 1) + 12  # one row of markers per kind of event
    rates_px = 190 if rated else 0
    plot_px = strip_px + rates_px + (24 if rated else 0)
    strip = strip_px / plot_px
    layout = {
        "height": plot_px + (34 if rated else 10) + 48,
        "margin": {"l": 130, "r": 20, "t": 10, "b": 40},
        "hovermode": "closest",
        "hoverlabel": {"align": "left", "bgcolor": "#ffffff", "font": {"size": 12}},
        "showlegend": rated,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 11}},
        "xaxis": {
            "type": "date",
            "range": [start.isoformat(), end.isoformat()],
            "anchor": "y2",
            "showticklabels": True,
            "ticks": "outside",
            "showgrid": True,
            "title": {"text": "date", "standoff": 4},
        },
        "yaxis2": {
            "domain": [0, strip if rated else 1],
            "type": "category",
            "automargin": True,
            "fixedrange": True,
        },
    }
    if rated:
        layout["yaxis"] = {
            "domain": [min(1.0, (strip_px + 24) / plot_px), 1],
            "title": {"text": "rate (%)"},
            "rangemode": "tozero",
            "zeroline": True,
        }
        layout["margin"]["t"] = 34
    return {"data": data, "layout": layout}


def timeline_page(
    rows: list[Mapping],
    title: str = "Trade measures over time",
    subtitle: str = "",
    max_panels: int = MAX_PANELS,
    max_rows: int = MAX_TABLE_ROWS,
    download: str | None = None,
) -> str:
    """The HTML page of the timeline: a plotly panel per dyad, then the rows as a table.

    Args:
        rows: kg.analysis.timeline.timeline_rows output (dicts; their keys become columns).
        title: page heading.
        subtitle: one line under the heading.
        max_panels: dyads drawn when the page opens (those with most rows); the rest on request.
        max_rows: rows of the table; the note under it says how to get all of them.

    Returns:
        The HTML text.
    """
    by_dyad: dict[str, list[Mapping]] = defaultdict(list)
    for r in rows:
        if r.get("date") and r.get("dyad"):
            by_dyad[r["dyad"]].append(r)
    order = sorted(
        by_dyad, key=lambda d: (-sum(r.get("rate") is not None for r in by_dyad[d]), -len(by_dyad[d]), d)
    )
    figures = [
        {"dyad": d.replace(" -> ", " \u2192 "), "rows": len(by_dyad[d]), **dyad_figure(by_dyad[d])}
        for d in order
    ]
    notes = []
    if len(figures) > max_panels:
        notes.append(
            f"{len(figures)} dyads: showing the {max_panels} with most stated rates and statements; "
            "type in the box to choose others."
        )
    table_note = ""
    if len(rows) > max_rows:
        table_note = (
            f"The first {max_rows:,} of {len(rows):,} rows, by dyad and date; all of them: "
            "kg analyze timeline --format csv"
        )
    present = {k for row in rows for k in row}
    columns = [c for c in TIMELINE_COLUMNS if c in present] or list(
        dict.fromkeys(k for row in rows for k in row)
    )
    return render(
        "timeline.html.j2",
        csp=CSP_BASE + "; script-src 'unsafe-inline'",
        title=title,
        subtitle=subtitle,
        notes=notes,
        figures=figures,
        max_panels=max_panels,
        status_dash=STATUS_DASH,
        event_markers=EVENT_MARKERS,
        columns=[TIMELINE_COLUMNS.get(c, c) for c in columns],
        cells=[[_cell(row.get(c)) for c in columns] for row in rows[:max_rows]],
        total_rows=len(rows),
        table_note=table_note,
        plotly_js=plotly_js(),
        download=download,
    )


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, str) and "://" in value:
        return value.rsplit("/", 1)[-1]
    return (
        "" if value is None else str(value).replace(" -> ", " \u2192 ")
    )  # dyads: an arrow that does not wrap


def write_timeline(
    store,
    output: Path | str,
    as_of: str | date | None = None,
    title: str | None = None,
    max_panels: int = MAX_PANELS,
) -> Path:
    """Write the timeline page of the measures to output, atomically: what ``kg viz timeline`` does.

    Args:
        store: an open pyoxigraph store.
        output: the HTML file to write.
        as_of: only what is known on this date.
        title: page heading.
        max_panels: dyads drawn when the page opens.

    Returns:
        The path written.

    Example:
        >>> from kg.store import open_store
        >>> write_timeline(open_store("build"), "build/timeline.html")
        PosixPath('build/timeline.html')
    """
    from kg.analysis.timeline import CSV_COLUMNS, timeline_rows
    from kg.output import render as render_rows

    rows = timeline_rows(store, as_of=as_of)
    dyads = len({r["dyad"] for r in rows})
    subtitle = f"{len(rows)} statements about measures, {dyads} dyads" + (
        f" \u00b7 as of {as_of}" if as_of else ""
    )
    output = Path(output)
    export = output.with_suffix(".csv")  # the statements as CSV, for a spreadsheet; the page links it
    write_atomic(export, render_rows(rows, list(CSV_COLUMNS), "csv") + "\n")
    html_text = timeline_page(
        rows, title or "Trade measures over time", subtitle, max_panels, download=export.name
    )
    return write_atomic(output, html_text)
