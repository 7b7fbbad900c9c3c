"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD): the one parser for the seeds, the build and as-of dates.

>>> partial_date("2025-04"), first_day("2025-04")
(('2025-04', 'month'), datetime.date(2025, 4, 1))
"""

from __future__ import annotations

import datetime as dt
import re

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")


def partial_date(raw) -> tuple[str, str]:
    """The date as ISO text and its precision (``year``, ``month`` or ``day``).

    Raises:
        ValueError: not a date of one of those shapes; the message says what was expected.
    """
    text = raw.isoformat()[:10] if isinstance(raw, dt.date) else str(raw).strip()
    match = _DATE.match(text) if isinstance(raw, (str, int, dt.date)) and not isinstance(raw, bool) else None
    if not match:
        raise ValueError(f"malformed date '{raw}': expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"malformed date '{raw}': {exc}") from None
    return text, "day" if day else "month" if month else "year"


def first_day(text: str) -> dt.date:
    """A date of any precision as its first day (``2023-08`` -> 2023-08-01)."""
    iso, _ = partial_date(text)
    parts = [int(p) for p in iso.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def is_full_date(text: str) -> bool:
    """Whether the text is an xsd:date of day precision (YYYY-MM-DD) that exists."""
    try:
        return partial_date(text)[1] == "day"
    except ValueError:
        return False
