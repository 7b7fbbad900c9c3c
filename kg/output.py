"""Rows for people and for pipes: aligned tables, CSV, TSV and JSON, the one way every command prints.

>>> print(render([{"name": "Japan", "pagerank": 0.25}], ["name", "pagerank"], "csv"))
name,pagerank
Japan,0.25
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence

FORMATS = ("table", "csv", "tsv", "json")


def cell(value) -> str:
    """A value as table or CSV text: nothing for None, floats without trailing zeros."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def render(records: Sequence[dict], columns: Sequence[str], fmt: str = "table", max_width: int = 60) -> str:
    """Records as an aligned table, CSV, TSV or JSON (JSON keeps every key of every record)."""
    if fmt == "json":
        doc = records if isinstance(records, (list, dict)) else list(records)
        return json.dumps(doc, indent=1, ensure_ascii=False, default=str)
    rows = [[cell(r.get(c)) for c in columns] for r in records]
    if fmt in ("csv", "tsv"):
        return delimited(list(columns), rows, "," if fmt == "csv" else "\t")
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return table(list(columns), rows, max_width)


def delimited(headers: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    """CSV (or TSV with a tab) with a header row and no trailing newline."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().rstrip("\n")


FULL_WIDTH = False
"""Set by ``--wide``: tables keep every cell whole instead of fitting the terminal."""


def terminal_width() -> int | None:
    """How wide a table may be: the terminal's columns ($COLUMNS first, 80 when there is no
    terminal), or None under ``--wide``."""
    if FULL_WIDTH:
        return None
    return shutil.get_terminal_size((80, 24)).columns


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def fit(widths: list[int], room: int, least: int = 4) -> list[int]:
    """Column widths that fit ``room`` characters: the widest columns give way first, none
    below ``least`` (or its own width, if narrower).

    >>> fit([10, 40, 5], 30)
    [10, 15, 5]
    """
    if sum(widths) <= room:
        return list(widths)
    cap = max(widths)
    while cap > least and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    return [min(w, cap) for w in widths]


def table(headers: list[str], rows: list[list[str]], max_width: int = 60, width: int | None = -1) -> str:
    """An aligned plain-text table that fits the terminal: each cell on one line, at most
    max_width characters, and the widest columns cut (with an ellipsis) until a line fits
    ``width`` (the terminal's by default; None for no limit, as ``--wide`` asks).

    >>> print(table(["name", "question"], [["cq-letters", "Who wrote to whom, and who delivered it?"]], width=30))
    name        question
    ----------  ------------------
    cq-letters  Who wrote to whom…
    """
    width = terminal_width() if width == -1 else width
    cap = None if width is None else max_width
    cells = [[" ".join(str(c).split()) for c in row] for row in [headers, *rows]]
    if cap is not None:
        cells = [[_shorten(c, cap) for c in row] for row in cells]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if width is not None:
        widths = fit(widths, width - 2 * (len(widths) - 1))
        cells = [[_shorten(c, w) for c, w in zip(row, widths, strict=True)] for row in cells]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
