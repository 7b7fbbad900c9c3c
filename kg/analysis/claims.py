"""The claims report: corroboration by independent origins, and where articles disagree.

Both read what the build stored in the knowledge layer (:mod:`kg.build.layer`) through named queries,
so the report, the pages and a user's own SPARQL give the same numbers: ``cq-corroboration``
(the claim nodes and their counts) and ``cq-contradictions`` (the disagreements, each value with
every fact behind it) for all of them, ``claims-top`` and ``claims-disagreements`` for the first
``limit`` (ranked on the stored counts, so a report on 100,000 facts takes under a second), and
``claims-counts`` for how many there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.sparql.query import execute, named_queries
from kg.sparql.results import shorten

_MIN_ARTICLES = re.compile(r"VALUES \?minArticles \{ \d+ \}")
_LIMIT = re.compile(r"^    LIMIT \d+$", re.MULTILINE)
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Claim:
    """One (subject, property, value) triple and who stands behind it."""

    subject: str
    subject_name: str
    property: str
    value: str
    articles: int
    origins: int
    facts: int
    stated_as_fact: bool
    possibly_one_origin: bool = False  # two of its articles may copy one story (kg.build.copies)


@dataclass
class ContestedValue:
    """One of the two values of a disagreement, with the facts that give it."""

    value: str
    origins: int
    rate_kinds: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)  # article, quote, modality

    @property
    def articles(self) -> list[str]:
        return sorted({e["article"] for e in self.evidence})


@dataclass
class Disagreement:
    """Two values of one single-valued property for one subject, and what kind of difference."""

    subject: str
    subject_name: str
    property: str
    kind: str  # contradiction, different rate kinds, different scopes, different times
    reason: str
    values: list[ContestedValue]

    @property
    def is_contradiction(self) -> bool:
        return self.kind == "contradiction"


def _query(name: str, min_articles: int | None = None, limit: int | None = None) -> str:
    """A named query with its parameter lines set (``VALUES ?minArticles``, ``LIMIT``)."""
    text = named_queries()[name].read_text(encoding="utf-8")
    for pattern, value, line in (
        (_MIN_ARTICLES, min_articles, f"VALUES ?minArticles {{ {min_articles} }}"),
        (_LIMIT, limit, f"    LIMIT {limit}"),
    ):
        if value is None:
            continue
        if not pattern.search(text):
            raise KgError(f"{name}.rq lost its parameter line ({pattern.pattern})")
        text = pattern.sub(line, text)
    return text


def corroboration(store, min_articles: int = 2, limit: int = 0) -> list[Claim]:
    """The claims made by at least min_articles articles, with their articles and origins.

    Args:
        store: an open pyoxigraph store of the built graph.
        min_articles: keep claims made by at least this many articles.
        limit: only the most corroborated this many (0: all).

    Returns:
        Claims, most corroborated first.
    """
    if limit:
        text = _query("claims-top", int(min_articles), int(limit))
    else:
        text = _query("cq-corroboration", int(min_articles))
    claims = [
        Claim(
            subject=shorten(row["subject"]),
            subject_name=row["subjectName"]["value"],
            property=shorten(row["property"]),
            value=row["valueName"]["value"] if "valueName" in row else shorten(row["value"]),
            articles=int(row["articles"]["value"]),
            origins=int(row["origins"]["value"]),
            facts=int(row["facts"]["value"]),
            stated_as_fact=row["asFact"]["value"] == "true",
            possibly_one_origin=row.get("possiblyOneOrigin", {}).get("value") == "true",
        )
        for row in execute(store, text).rows
    ]
    return sorted(claims, key=lambda c: (-c.articles, -c.origins, c.subject, c.property, c.value))


def counts(store, min_articles: int = 2) -> dict[str, int]:
    """How many claims min_articles articles make, and how many disagreements and contradictions."""
    (row,) = execute(store, _query("claims-counts", int(min_articles))).rows
    return {k: int(row[k]["value"]) for k in ("claims", "disagreements", "contradictions")}


def disagreements(store, limit: int = 0) -> list[Disagreement]:
    """Subjects given two values of a single-valued property, with the kind of difference and
    every fact behind each value: all (cq-contradictions), or the first limit, contradictions
    first (claims-disagreements)."""
    text = _query("claims-disagreements", limit=int(limit)) if limit else _query("cq-contradictions")
    found: dict[str, Disagreement] = {}
    for row in execute(store, text).values(short=True):
        d = found.get(row["disagreement"])
        if d is None:
            d = found[row["disagreement"]] = Disagreement(
                row["subject"], row["subjectName"], row["property"], row["kind"], row["reason"], []
            )
        value = next((v for v in d.values if v.value == row["value"]), None)
        if value is None:
            value = ContestedValue(row["value"], int(row["origins"]))
            d.values.append(value)
        if row["rateKind"] and row["rateKind"] not in value.rate_kinds:
            value.rate_kinds.append(row["rateKind"])
        item = {k: row[k] for k in ("article", "quote", "modality")}
        if item not in value.evidence:
            value.evidence.append(item)
    for d in found.values():
        d.values.sort(key=lambda v: v.value)
    return sorted(found.values(), key=lambda d: (not d.is_contradiction, d.subject, d.property, d.reason))


def claims_report(store, min_articles: int = 2, limit: int = 0) -> dict:
    """Disagreements and corroboration as plain dicts (for JSON and notebooks), with how many
    there are in all; limit keeps the first so many of each (0: all).

    The three queries run at once: Oxigraph lets go of the GIL while it answers, and the counts
    and the corroboration each read every claim node (0.27 and 0.5 s at 100,000 facts)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        counted = pool.submit(counts, store, min_articles)
        contested = pool.submit(disagreements, store, limit)
        corroborated = pool.submit(corroboration, store, min_articles, limit)
        found, claims = contested.result(), corroborated.result()
        total = counted.result()
    return {
        "counts": total,
        "disagreements": [
            {
                "subject": d.subject,
                "subject_name": d.subject_name,
                "property": d.property,
                "kind": d.kind,
                "reason": d.reason,
                "values": [
                    {
                        "value": v.value,
                        "rate_kinds": v.rate_kinds,
                        "articles": v.articles,
                        "origins": v.origins,
                        "evidence": v.evidence,
                    }
                    for v in d.values
                ],
            }
            for d in found
        ],
        "claims": [c.__dict__ for c in claims],
    }
