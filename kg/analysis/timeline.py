"""Timeline of trade measures per dyad (imposer -> target): rates, statuses, pauses, retaliation, announcements.

Rows come from view-measures (what each fact states about a measure) and view-measure-events
(events concerning a measure). Each row is dated by its fact's about-date (an event by its own
stated date) and cites its fact, article and quote. The chart is drawn with matplotlib's Agg
canvas into an explicit path, without touching the global matplotlib backend.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from kg.analysis.project import (
    Snapshot,
    actor_records,
    fold_to_states,
    local_name,
    measure_records,
    memberships,
)
from kg.files import write_atomic
from kg.seeds.dates import first_day

ROW_KEYS = (
    "date",
    "dyad",
    "imposer",
    "target",
    "measure",
    "measure_label",
    "measure_type",
    "event",
    "rate",
    "rate_kind",
    "status",
    "detail",
    "modality",
    "fact",
    "article_id",
    "quote",
    "date_basis",
)
"""Keys of every timeline row, in display order."""

_PAUSES = ("TariffPause", "Exemption")


def _dyads(record: dict, labels: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """(imposer, target or None, "Imposer -> Target") for a measure; targets include beneficiaries."""
    imposers = sorted(record["imposers"]) or [None]
    targets = sorted(set(record["links"]["target"]) | set(record["links"]["beneficiary"]))
    out = []
    for imposer in imposers:
        who = labels.get(imposer, local_name(imposer)) if imposer else "(unknown)"
        if not targets:
            out.append((imposer, None, f"{who} -> {record['scope'] or '(no target)'}"))
        out.extend((imposer, t, f"{who} -> {labels.get(t, local_name(t))}") for t in targets if t != imposer)
    return out


def _row(date, dyad, measure, record, labels, evidence, fact, **fields) -> dict:
    imposer, target, name = dyad
    ev = evidence.get(fact, {})
    row = dict.fromkeys(ROW_KEYS)
    row.update(
        date=date,
        dyad=name,
        imposer=imposer,
        target=target,
        measure=measure,
        measure_label=labels.get(measure, local_name(measure)),
        measure_type=record["class"],
        modality=ev.get("modality"),
        fact=fact,
        article_id=ev.get("article_id"),
        quote=ev.get("quote"),
        date_basis="article date" if ev.get("article_dated") else "stated",
    )
    row.update(fields)
    return row


CSV_COLUMNS = ("date", "dyad", "measure_label", "event", "rate", "rate_kind", "status", "article_id", "quote")
"""The columns of the timeline as a table or CSV (``kg analyze timeline``, the CSV beside the page)."""


def timeline_rows(store, as_of: str | dt.date | None = None) -> list[dict]:
    """The timeline of every trade measure, one row per dyad and dated statement.

    A fact about a measure gives a row when it states a rate, a status, an announcement or
    effective date, a retaliation, or (for a pause) the measures it suspends and the states it
    leaves out; the row goes to each dyad of the measure (imposer -> target or beneficiary; the
    measure's scope when it has no target). A pause's rows go to the dyads of the measures it
    suspends ("paused") and to imposer -> each excluded state ("excluded from pause"). Events
    concerning a measure (announcements, statements, talks) give one row per dyad whose states
    include every state of the event, dated by the event's start (view-subject-starts) when the
    facts state one, else by its earliest fact.

    Args:
        store: an open pyoxigraph store, or a build folder.
        as_of: keep rows dated on or before this date.

    Returns:
        Dicts with the keys of ROW_KEYS, sorted by dyad, date, measure and fact.

    Example:
        >>> rows = timeline_rows("build")
        >>> sorted({(r["rate"], r["rate_kind"]) for r in rows if r["dyad"] == "United States -> China" and r["rate"]})
        [(25, 'additional'), (145, 'baseline'), (245, 'maximum')]
    """
    snap = Snapshot.load(
        store, as_of, prefetch=("measures", "measure-events", "roles", "memberships", "subject-dates")
    )
    evidence = snap.evidence
    measure_rows = snap.rows("measures")
    records = measure_records(measure_rows, snap)
    labels = snap.labels
    dyads = {m: _dyads(rec, labels) for m, rec in records.items() if rec["class"] not in _PAUSES}
    for m, rec in records.items():
        if rec["class"] in _PAUSES:
            # a pause belongs to the dyads of what it suspends and of the states it leaves out
            found = {d for s in rec["suspends"] for d in dyads.get(s, [])}
            for imposer in rec["imposers"]:
                for excluded in rec["links"]["excludes"]:
                    found.add(
                        (
                            imposer,
                            excluded,
                            f"{labels.get(imposer, local_name(imposer))} -> {labels.get(excluded, local_name(excluded))}",
                        )
                    )
            dyads[m] = sorted(found, key=lambda d: d[2])

    by_fact: dict[tuple[str, str], dict] = defaultdict(dict)
    for r in measure_rows:
        if r["measure"] not in records:
            continue
        stated = by_fact[(r["measure"], r["fact"])]
        stated.setdefault("date", r["date"])
        stated.setdefault(r["property"], []).append(r["value"])

    rows: list[dict] = []
    for (measure, fact), stated in by_fact.items():
        record = records[measure]
        date = stated["date"]
        if record["class"] in _PAUSES:
            what = f"{labels.get(measure, local_name(measure))}" + (
                f" ({stated['duration'][0]})" if "duration" in stated else ""
            )
            for suspended in stated.get("suspends", []):
                if suspended not in records:
                    continue
                for dyad in dyads.get(suspended, []):
                    rows.append(
                        _row(
                            date,
                            dyad,
                            suspended,
                            records[suspended],
                            labels,
                            evidence,
                            fact,
                            event="paused",
                            status="paused",
                            detail=f"paused by {what}",
                        )
                    )
            imposers = stated.get("imposedBy") or sorted(record["imposers"])
            for excluded in stated.get("excludes", []):
                for imposer in imposers:
                    dyad = (
                        imposer,
                        excluded,
                        f"{labels.get(imposer, local_name(imposer))} -> {labels.get(excluded, local_name(excluded))}",
                    )
                    rows.append(
                        _row(
                            date,
                            dyad,
                            measure,
                            record,
                            labels,
                            evidence,
                            fact,
                            event="excluded from pause",
                            detail=f"left out of {what}",
                        )
                    )
            continue
        fields = _what_a_fact_states(stated, labels)
        if fields is None:
            continue
        for dyad in dyads[measure]:
            rows.append(_row(date, dyad, measure, record, labels, evidence, fact, **fields))

    rows.extend(_event_rows(snap, records, dyads))
    if snap.as_of:
        rows = [r for r in rows if r["date"] <= snap.as_of]
    rows.sort(key=lambda r: (r["dyad"], r["date"], r["measure"], r["event"] or "", r["fact"]))
    return rows


def _what_a_fact_states(stated: dict, labels: dict[str, str]) -> dict | None:
    """Timeline fields of one fact about a measure, or None when it only names its parties."""
    fields: dict = {}
    details = []
    if "rate" in stated:
        rate = float(stated["rate"][0])
        fields["rate"] = int(rate) if rate.is_integer() else rate
        if "rateKind" in stated:
            fields["rate_kind"] = labels.get(stated["rateKind"][0], local_name(stated["rateKind"][0]))
        details.append(
            f"rate {fields['rate']}%" + (f" ({fields['rate_kind']})" if fields.get("rate_kind") else "")
        )
    if "status" in stated:
        fields["status"] = labels.get(stated["status"][0], local_name(stated["status"][0]))
        details.append(f"status {fields['status']}")
    if "announcedOn" in stated:
        details.append(f"announced {stated['announcedOn'][0]}")
    if "effectiveFrom" in stated:
        details.append(f"effective from {stated['effectiveFrom'][0]}")
    if "retaliatesAgainst" in stated:
        against = ", ".join(labels.get(m, local_name(m)) for m in stated["retaliatesAgainst"])
        details.append(f"retaliates against {against}")
    if not details:
        return None
    if "retaliatesAgainst" in stated:
        fields["event"] = "retaliation"
    elif "rate" in stated:
        fields["event"] = "rate"
    elif "announcedOn" in stated:
        fields["event"] = "announced"
    elif "effectiveFrom" in stated:
        fields["event"] = "effective"
    else:
        fields["event"] = "status"
    fields["detail"] = "; ".join(details)
    return fields


def _event_rows(snap: Snapshot, records: dict, dyads: dict) -> list[dict]:
    """Rows of events concerning a measure, on the dyads whose states include all the event's states."""
    fold = fold_to_states(actor_records(snap), memberships(snap))
    actors_of: dict[str, set[str]] = defaultdict(set)
    for r in snap.rows("roles"):
        if (
            r["role"] in ("speaker", "participant", "sender", "recipient", "party", "target")
            and r["actor"] in fold
        ):
            actors_of[r["subject"]].add(fold[r["actor"]])
    events: dict[tuple[str, str], dict] = {}
    for r in snap.rows("measure-events"):
        if r["measure"] not in records or not snap.is_a(r["event"], "Event"):
            continue
        key = (r["event"], r["measure"])
        e = events.setdefault(
            key,
            {
                "class": local_name(snap.types.get(r["event"])),
                "facts": {},
                "date": snap.starts.get(r["event"]),
                "states": actors_of[r["event"]],
            },
        )
        e["facts"][r["fact"]] = r["date"]
    rows = []
    for (event, measure), e in sorted(events.items()):
        if measure not in records:
            continue
        date = e["date"] or min(e["facts"].values())
        fact = min(e["facts"], key=lambda f: (e["facts"][f], f))
        for dyad in dyads[measure]:
            # talks of Japan and the US about the car tariff belong to US -> Japan, not US -> China
            if not e["states"] <= {dyad[0], dyad[1]}:
                continue
            row = _row(
                date,
                dyad,
                measure,
                records[measure],
                snap.labels,
                snap.evidence,
                fact,
                event=e["class"].lower(),
                detail=snap.label(event),
            )
            if e["date"]:
                row["date_basis"] = "stated"
            rows.append(row)
    return rows


def rates_in_force(rows: list[dict]) -> list[dict]:
    """Per dyad and date: the latest stated rate of each measure and rate kind, with its status.

    For every date on which anything is recorded for a dyad, each (measure, rate kind) whose rate
    has been stated by then shows its most recent rate (ties on one date: the highest), the
    measure's latest status by then, and the articles stating that rate.

    Args:
        rows: timeline rows (timeline_rows).

    Returns:
        Dicts with dyad, date, measure_label, rate_kind, rate, status, stated_on, articles;
        sorted by dyad, date, measure and rate kind.
    """
    by_dyad: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_dyad[r["dyad"]].append(r)
    out = []
    for dyad in sorted(by_dyad):
        dyad_rows = sorted(by_dyad[dyad], key=lambda r: (r["date"], r["fact"]))
        current: dict[tuple[str, str | None], dict] = {}
        status: dict[str, str] = {}
        dates = sorted({r["date"] for r in dyad_rows})
        i = 0
        for date in dates:
            while i < len(dyad_rows) and dyad_rows[i]["date"] <= date:
                r = dyad_rows[i]
                i += 1
                if r["status"]:
                    status[r["measure"]] = r["status"]
                if r["rate"] is None:
                    continue
                key = (r["measure"], r["rate_kind"])
                held = current.get(key)
                if (
                    held is None
                    or held["stated_on"] < r["date"]
                    or (held["stated_on"] == r["date"] and r["rate"] > held["rate"])
                ):
                    current[key] = {
                        "rate": r["rate"],
                        "stated_on": r["date"],
                        "label": r["measure_label"],
                        "articles": {r["article_id"]},
                    }
                elif held["stated_on"] == r["date"] and r["rate"] == held["rate"]:
                    held["articles"].add(r["article_id"])
            for (measure, kind), held in sorted(
                current.items(), key=lambda kv: (kv[1]["label"], kv[0][1] or "")
            ):
                out.append(
                    {
                        "dyad": dyad,
                        "date": date,
                        "measure_label": held["label"],
                        "rate_kind": kind,
                        "rate": held["rate"],
                        "status": status.get(measure),
                        "stated_on": held["stated_on"],
                        "articles": ", ".join(sorted(a for a in held["articles"] if a)),
                    }
                )
    return out


_MARKERS = {
    "announcement": ("^", "tab:blue"),
    "paused": ("v", "tab:orange"),
    "excluded from pause": ("X", "tab:red"),
    "retaliation": ("*", "tab:red"),
}


def timeline_png(rows: list[dict], path: str | Path, title: str = "Tariff rates by dyad") -> Path:
    """Draw the rates of each dyad over time as step lines, with announcements, pauses and retaliation.

    One panel per dyad that has a stated rate; one line per measure and rate kind, a point and a
    label at each stated rate. Markers along the bottom of a panel show the dyad's other events:
    announcements (^), pauses (v), exclusion from a pause (X) and retaliation (*).

    Args:
        rows: timeline rows (timeline_rows).
        path: where to write the PNG; its folder is created. Written atomically.
        title: the figure's title.

    Returns:
        The path written.

    Example:
        >>> timeline_png(timeline_rows("build"), "build/timeline.png")
        PosixPath('build/timeline.png')
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rated = sorted({r["dyad"] for r in rows if r["rate"] is not None})
    fig = Figure(figsize=(10, max(2.6 * len(rated), 3)), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    if not rated:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, "no stated rates in this timeline", ha="center", va="center")
        ax.set_axis_off()
    else:
        days = [first_day(r["date"]) for r in rows if r["dyad"] in rated]
        end = max(days) + dt.timedelta(days=3)
        axes = fig.subplots(len(rated), 1, sharex=True, squeeze=False)[:, 0]
        for ax, dyad in zip(axes, rated, strict=True):
            _draw_dyad(ax, [r for r in rows if r["dyad"] == dyad], end)
            ax.set_title(dyad, loc="left", fontsize=10)
            ax.set_ylabel("rate (%)")
            ax.grid(True, alpha=0.3)
        axes[-1].tick_params(axis="x", labelrotation=30)
    fig.suptitle(title)
    fig.supxlabel("markers: ^ announcement   v pause   X excluded from pause   * retaliation", fontsize=8)
    image = io.BytesIO()
    fig.savefig(image, format="png")
    write_atomic(path, image.getvalue())
    return path


def _draw_dyad(ax, rows: list[dict], end: dt.date) -> None:
    lines: dict[tuple[str, str | None], list[tuple[dt.date, float]]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["date"], r["fact"])):
        if r["rate"] is not None:
            lines[(r["measure_label"], r["rate_kind"])].append((first_day(r["date"]), r["rate"]))
    qualified = {label for (label, kind) in lines if kind}
    for label, kind in list(lines):
        if kind is None and label in qualified:
            del lines[(label, kind)]  # the same rates, stated without their kind
    top = max(rate for points in lines.values() for _, rate in points)
    for (label, kind), points in sorted(lines.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        # the highest rate stated on a day stands for that day
        by_day: dict[dt.date, float] = {}
        for day, rate in points:
            by_day[day] = max(by_day.get(day, rate), rate)
        xs = sorted(by_day) + [end]
        ys = [by_day[d] for d in sorted(by_day)]
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", label=f"{label} ({kind})" if kind else label)
        for day in sorted(by_day):
            ax.annotate(
                f"{by_day[day]:g}%", (day, by_day[day]), textcoords="offset points", xytext=(2, 4), fontsize=8
            )
    for r in rows:
        marker = _MARKERS.get(r["event"])
        if marker:
            ax.plot(
                [first_day(r["date"])],
                [0],
                marker=marker[0],
                color=marker[1],
                linestyle="none",
                markersize=8,
                clip_on=False,
            )
    ax.set_ylim(bottom=-0.05 * top, top=top * 1.25)
    ax.legend(fontsize=8, loc="upper left")
