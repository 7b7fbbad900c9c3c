"""The claims report: corroboration by independent origins, and contradictions between facts.

Both come from named queries (ontology/queries/cq-corroboration.rq, and claims-contested.rq, the
first step of cq-contradictions on its own), so the report and a user's own SPARQL always agree;
the quotes behind each contested value come from claims-evidence.rq, run for the contested
(subject, property) pairs only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.query import QueryResult, execute, named_queries, shorten


@dataclass(frozen=True)
class Claim:
    """One (subject, property, value) triple and who stands behind it."""

    subject: str
    property: str
    value: str
    articles: int
    origins: int
    modalities: str
    sources: tuple[str, ...]


@dataclass
class ContestedValue:
    """One of the values a contradiction is between, with the facts that give it."""

    value: str
    rate_kinds: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)  # article, quote, modality, fact

    @property
    def articles(self) -> list[str]:
        return sorted({e["article"] for e in self.evidence})


@dataclass
class Contradiction:
    """A subject with different values of one single-valued property."""

    subject: str
    property: str
    values: list[ContestedValue]


def _run(store, name: str, values: str = "") -> QueryResult:
    """Run a named query; values, a trailing VALUES clause, keeps only the rows it binds."""
    return execute(store, named_queries()[name].read_text(encoding="utf-8") + values)


def corroboration(store, min_articles: int = 1) -> list[Claim]:
    """Every claim with its number of articles and of independent origins.

    Args:
        store: an open pyoxigraph store of the built graph.
        min_articles: keep claims made by at least this many articles.

    Returns:
        Claims, most corroborated first.
    """
    claims = []
    for row in _run(store, "cq-corroboration").rows:
        articles = int(row["articles"]["value"])
        if articles < min_articles:
            continue
        claims.append(
            Claim(
                subject=shorten(row["subject"]),
                property=shorten(row["property"]),
                value=shorten(row["value"]),
                articles=articles,
                origins=int(row["origins"]["value"]),
                modalities=row["modality"]["value"],
                sources=tuple(sorted(row["sources"]["value"].split())),
            )
        )
    return claims


def contradictions(store) -> list[Contradiction]:
    """Subjects given different values of a functional property, each value with its evidence.

    claims-contested finds the contested (subject, property) pairs, as cq-contradictions does
    before it counts and groups their values; claims-evidence, restricted to those pairs by a
    trailing VALUES clause, gives every fact behind each of their values.
    """
    import pyoxigraph as ox

    contested = {
        (r["subject"]["value"], r["property"]["value"])
        for r in _run(store, "claims-contested").rows
        if r["subject"]["type"] == "uri"  # facts are about named things; a blank node has no name here
    }
    if not contested:
        return []
    # NamedNode refuses anything that is not an IRI: the text below stays one VALUES clause
    pairs = " ".join(f"({ox.NamedNode(s)} {ox.NamedNode(p)})" for s, p in sorted(contested))
    rows = _run(store, "claims-evidence", f"\nVALUES (?subject ?property) {{ {pairs} }}\n").values(short=True)
    order = ("subject", "property", "value", "article", "fact", "quote", "modality", "rateKind")
    rows.sort(key=lambda r: tuple(r[k] or "" for k in order))
    grouped: dict[tuple[str, str], dict[str, ContestedValue]] = {}
    for row in rows:
        values = grouped.setdefault((row["subject"], row["property"]), {})
        entry = values.setdefault(row["value"], ContestedValue(row["value"]))
        if row["rateKind"] and row["rateKind"] not in entry.rate_kinds:
            entry.rate_kinds.append(row["rateKind"])
        item = {k: row[k] for k in ("article", "quote", "modality", "fact")}
        if item not in entry.evidence[-1:]:  # a fact giving two rate kinds is two rows, side by side
            entry.evidence.append(item)
    return [
        Contradiction(subject, prop, [values[v] for v in sorted(values)])
        for (subject, prop), values in sorted(grouped.items())
    ]


def claims_report(store, min_articles: int = 1) -> dict:
    """Contradictions and corroboration as plain dicts (for JSON and notebooks)."""
    return {
        "contradictions": [
            {
                "subject": c.subject,
                "property": c.property,
                "values": [
                    {
                        "value": v.value,
                        "rate_kinds": v.rate_kinds,
                        "articles": v.articles,
                        "evidence": v.evidence,
                    }
                    for v in c.values
                ],
            }
            for c in contradictions(store)
        ],
        "claims": [c.__dict__ | {"sources": list(c.sources)} for c in corroboration(store, min_articles)],
    }
