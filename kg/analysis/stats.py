"""``kg stats``: what the graph holds, per class and per article, and how well articles are covered."""

from __future__ import annotations

from pathlib import Path

from kg.output import table
from kg.seeds.corpus import load_corpus
from kg.seeds.coverage import coverage
from kg.sparql.query import execute
from kg.store import open_store

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(tdo:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

ARTICLE_COUNTS = """
SELECT ?article (COUNT(DISTINCT ?fact) AS ?facts) (COUNT(DISTINCT ?exact) AS ?quotes) WHERE {
  GRAPH graph:provenance {
    ?fact a tdo:Fact ; prov:wasDerivedFrom ?a ; tdo:annotation/oa:hasTarget/oa:hasSelector/oa:exact ?exact .
    ?a dcterms:identifier ?article .
  }
} GROUP BY ?article ORDER BY ?article
"""


BUILT_ARTICLES = """
SELECT ?article WHERE { GRAPH graph:provenance { ?a a tdo:Article ; dcterms:identifier ?article } }
"""

NOT_BUILT = "not built yet"
"""What kg stats shows for an article of the seeds that the last build did not have."""


def graph_stats(seeds: Path | str = "seeds", build_dir: Path | str = "build") -> dict:
    """Counts from the built store and coverage from the seeds.

    Returns:
        ``{"classes": {class: n}, "articles": {id: {built, facts, quotes, sentences, covered,
        coverage, uncovered: [...]}}}``; an article the last build did not have (added since)
        is ``{built: false, sentences}``.
    """
    store = open_store(build_dir)
    classes = {
        row["class"]["value"].split("#")[-1]: int(row["n"]["value"])
        for row in execute(store, CLASS_COUNTS).rows
    }
    per_article = {
        row["article"]["value"]: (int(row["facts"]["value"]), int(row["quotes"]["value"]))
        for row in execute(store, ARTICLE_COUNTS).rows
    }
    built = {row["article"]["value"] for row in execute(store, BUILT_ARTICLES).rows}
    cov = coverage(load_corpus(seeds))
    articles = {}
    for article_id, c in cov.items():
        facts, quotes = per_article.get(article_id, (0, 0))
        if article_id not in built:  # added since the last build: the store knows nothing of it
            articles[article_id] = {"built": False, "sentences": c.sentences}
            continue
        articles[article_id] = {
            "built": True,
            "facts": facts,
            "quotes": quotes,
            "sentences": c.sentences,
            "covered": c.covered,
            "coverage": round(c.ratio, 3),
            "uncovered": [{"start": s.start, "end": s.end, "text": s.text} for s in c.uncovered],
        }
    return {"classes": classes, "articles": articles}


def format_stats(stats: dict) -> str:
    """The stats as aligned tables, with the uncovered sentences listed."""
    parts = [table(["class", "instances"], [[c, str(n)] for c, n in stats["classes"].items()])]
    rows = [
        [
            a,
            str(v["facts"]),
            str(v["quotes"]),
            f"{v['covered']}/{v['sentences']}",
            f"{v['coverage']:.0%}",
        ]
        if v.get("built", True)
        else [a, NOT_BUILT, "", "", ""]
        for a, v in stats["articles"].items()
    ]
    parts.append(table(["article", "facts", "quotes", "sentences covered", "coverage"], rows))
    waiting = [a for a, v in stats["articles"].items() if not v.get("built", True)]
    if waiting:
        parts.append(f"{len(waiting)} article(s) added since the last build: run kg build to count them")
    for article_id, v in stats["articles"].items():
        for s in v.get("uncovered", ()):
            parts.append(f"uncovered in {article_id} at {s['start']}-{s['end']}: {s['text']}")
    return "\n\n".join(parts)
