"""Rows for people and for pipes: aligned tables, CSV, TSV and JSON, the one way every command prints.

>>> print(render([{"name": "Japan", "pagerank": 0.25}], ["name", "pagerank"], "csv"))
name,pagerank
Japan,0.25
"""

from __future__ import annotations

import csv
import io
import json
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


def table(headers: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    """An aligned plain-text table; cells longer than max_width are cut with an ellipsis."""

    def cut(text: str) -> str:
        text = " ".join(str(text).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cut(h) for h in headers]] + [[cut(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
