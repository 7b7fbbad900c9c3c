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


def graph_stats(seeds: Path | str = "seeds", build_dir: Path | str = "build") -> dict:
    """Counts from the built store and coverage from the seeds.

    Returns:
        ``{"classes": {class: n}, "articles": {id: {facts, quotes, sentences, covered,
        coverage, uncovered: [...]}}}``
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
    cov = coverage(load_corpus(seeds))
    articles = {}
    for article_id, c in cov.items():
        facts, quotes = per_article.get(article_id, (0, 0))
        articles[article_id] = {
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
        for a, v in stats["articles"].items()
    ]
    parts.append(table(["article", "facts", "quotes", "sentences covered", "coverage"], rows))
    for article_id, v in stats["articles"].items():
        for s in v["uncovered"]:
            parts.append(f"uncovered in {article_id} at {s['start']}-{s['end']}: {s['text']}")
    return "\n\n".join(parts)
