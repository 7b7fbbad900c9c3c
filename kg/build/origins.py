"""Independent origins: who a fact comes from in the end, read from its attribution chain.

A fact's origin is the first named source of its attribution that can stand as one (an outlet,
a person, an organisation or a state), else its article's outlet, else the article itself. Two
facts of one origin do not corroborate each other (:mod:`kg.build.layer` counts origins).
"""

from __future__ import annotations

from kg.rdf.namespaces import ARTICLE, ID
from kg.rdf.vocabulary import vocabulary
from kg.seeds.corpus import Entity, Fact, Source

ORIGIN_CLASSES = ("NewsOutlet", "Person", "Organization", "State")
"""Registry types that can stand as an independent origin in an attribution chain."""

_ID_NS, _ARTICLE_NS = str(ID), str(ARTICLE)


def independent_origin(fact: Fact, source: Source, entities: dict[str, Entity]) -> str:
    """IRI of the fact's independent origin: first named source, else outlet, else the article."""
    vocab = vocabulary()
    for step in fact.attribution:
        if step.key and any(vocab.is_a(entities[step.key].type, c) for c in ORIGIN_CLASSES):
            return _ID_NS + step.key
    if source.outlet:
        return _ID_NS + source.outlet
    return _ARTICLE_NS + source.article_id


def fact_origins(fact, source, entities) -> set[str]:
    """The origins a fact names: its independent origin and every named source of its
    attribution chain (IRIs), so that two articles citing one report somewhere in their chains
    share an origin."""
    named = {str(ID) + s.key for s in fact.attribution if s.key}
    return named | {independent_origin(fact, source, entities)}


def corpus_origins(corpus) -> dict[str, set[str]]:
    """Article id -> the origins its facts name (:func:`fact_origins`), for a kg.seeds.corpus.Corpus."""
    out: dict[str, set[str]] = {}
    for fact in corpus.facts:
        found = fact_origins(fact, corpus.sources[fact.article_id], corpus.entities)
        out.setdefault(fact.article_id, set()).update(found)
    return out


def entry_origins(entries) -> dict[str, set[str]]:
    """Article id -> the origins its facts name, from the cache's file entries (kg.build.cache)."""
    out: dict[str, set[str]] = {}
    for e in entries:
        if e.article_id is not None and e.origins:
            out.setdefault(e.article_id, set()).update(e.origins)
    return out
