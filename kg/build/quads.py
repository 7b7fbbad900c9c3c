"""Turn a validated Corpus into RDF quads: ontology, registry, one named graph per fact, provenance.

Quads are made as N-Quads strings (no per-triple rdflib objects), which keeps the build close to
the speed of the store's own bulk loader and makes sorted output byte-identical across runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from kg.build.copies import copy_quads, source_copies
from kg.build.origins import independent_origin
from kg.rdf.namespaces import (
    ARTICLE,
    FACT,
    ID,
    OA,
    ONTOLOGY_GRAPH,
    PROV,
    PROVENANCE_GRAPH,
    REGISTRY_GRAPH,
    SCHEMA,
    TDO,
    WIKIDATA,
    XSD_NS,
)
from kg.rdf.terms import RDF_TYPE, iri, literal, quad
from kg.rdf.vocabulary import vocabulary
from kg.resources import ONTOLOGY_FILE
from kg.seeds.corpus import Corpus, Entity, Fact, Source, Value

RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
DCT = "http://purl.org/dc/terms/"
CONTEXT_CHARS = 32
"""Characters of prefix and suffix kept in each TextQuoteSelector."""

ARTICLE_DATE_BASIS = "the article's publication date (the annotation gives no date)"
"""tdo:dateBasis of a fact whose about-date falls back to its article's date."""


_ID_NS, _FACT_NS, _ARTICLE_NS, _OA_NS = str(ID), str(FACT), str(ARTICLE), str(OA)


@cache
def _t(name: str) -> str:
    return iri(str(TDO._NS) + name)


@lru_cache(maxsize=1 << 16)
def _id_t(key: str) -> str:
    """``<.../id/key>``, made once per key: registry keys recur in thousands of facts."""
    return iri(_ID_NS + key)


@cache
def _oa_t(name: str) -> str:
    return iri(_OA_NS + name)


_TYPE_T = {name: _t(name) for name in ("Fact", "Article", "AttributionStep", "AnonymousSource")}
_PROVENANCE_T = iri(str(PROVENANCE_GRAPH))


@dataclass(slots=True)  # one per claim: slots keep a large corpus's index small
class Location:
    """Where a triple was written: the file, line and fact (or registry key)."""

    path: str
    line: int
    fact: str
    value: str = ""  # the object term, so a violation on one value points at the right fact


@dataclass
class BuiltDataset:
    """The quads of a build and an index from (subject, predicate) to where they were written."""

    quads: list[str]
    locations: dict[tuple[str, str], list[Location]] = field(default_factory=dict)
    fact_index: dict[str, dict] = field(default_factory=dict)
    copies: list = field(default_factory=list)  # kg.build.copies.CopyPair: articles that may copy one story

    def locate(self, subject: str, predicate: str | None = None) -> list[Location]:
        """Where triples about subject (and predicate, when given) come from."""
        if predicate is not None:
            return self.locations.get((subject, predicate), [])
        return [loc for (s, _), locs in self.locations.items() if s == subject for loc in locs]


def value_term(value: Value) -> str:
    """The N-Quads term of a field value."""
    if value.kind == "entity":
        return _id_t(value.value)
    if value.kind == "concept":
        return _t(value.value)
    return literal(value.value, value.datatype)


def ontology_quads(path: Path | None = None) -> list[str]:
    """The ontology's triples in its own named graph."""
    import pyoxigraph as ox

    path = path or ONTOLOGY_FILE
    graph = iri(str(ONTOLOGY_GRAPH))
    out = []
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            from kg.errors import OntologyError

            raise OntologyError(
                f"{path}: blank nodes are not allowed (they would make the build non-deterministic)"
            )
        out.append(f"{triple.subject} {triple.predicate} {triple.object} {graph} .")
    return out


def registry_quads(entities: Iterable[Entity], index: dict | None = None) -> list[str]:
    """Registry graph: type, label, aliases, Wikidata link and definitional claims of each entity."""
    g = iri(str(REGISTRY_GRAPH))
    out: list[str] = []
    for e in entities:
        s = iri(ID[e.key])
        out.append(quad(s, RDF_TYPE, _t(e.type), g))
        out.append(quad(s, RDFS_LABEL, literal(e.label, lang="en"), g))
        out.extend(quad(s, SKOS_ALT, literal(a, lang="en"), g) for a in e.aliases)
        if e.wikidata:
            out.append(quad(s, _t("wikidata"), iri(WIKIDATA[e.wikidata]), g))
        if e.note:
            out.append(quad(s, _t("note"), literal(e.note), g))
        for c in e.claims:
            p, o = _t(c.prop), value_term(c.value)
            out.append(quad(s, p, o, g))
            if index is not None:
                index.setdefault((s, p), []).append(Location(e.path, c.line, e.key, o))
        if index is not None:
            index.setdefault((s, RDF_TYPE), []).append(Location(e.path, e.line, e.key))
    return out


def source_quads(sources: Iterable[Source]) -> list[str]:
    """Provenance records of the articles themselves."""
    g = iri(str(PROVENANCE_GRAPH))
    out: list[str] = []
    for src in sources:
        a = iri(ARTICLE[src.article_id])
        out.append(quad(a, RDF_TYPE, _TYPE_T["Article"], g))
        out.append(quad(a, iri(DCT + "identifier"), literal(src.article_id), g))
        if src.title:
            out.append(quad(a, iri(DCT + "title"), literal(src.title), g))
        if src.author:
            out.append(quad(a, iri(DCT + "creator"), literal(src.author), g))
        if src.outlet:
            out.append(quad(a, _t("publishedBy"), iri(ID[src.outlet]), g))
        out.append(quad(a, _t("outletStatus"), literal("stated" if src.outlet else "unknown"), g))
        if src.date:
            out.append(quad(a, iri(DCT + "issued"), literal(src.date.value, src.date.datatype), g))
        out.append(quad(a, _t("dateBasis"), literal(src.date_basis), g))
        out.append(quad(a, _t("sha256"), literal(src.sha256), g))
        if src.url:
            out.append(quad(a, iri(str(SCHEMA) + "url"), literal(src.url, XSD_NS + "anyURI"), g))
        for ex in src.excluded:
            out.append(quad(a, _t("excludedRange"), literal(f"{ex.start}-{ex.end}"), g))
        out.append(quad(a, iri(str(SCHEMA) + "articleBody"), literal(src.text), g))
    return out


def about_date(fact: Fact, source: Source) -> Value | None:
    """The date a fact is about: its own date, else its first date field, else the article's."""
    if fact.date:
        return fact.date
    vocab = vocabulary()
    for claim in fact.claims:
        if vocab.properties[claim.prop].kind == "date":
            return claim.value
    return source.date


def fact_quads(
    fact: Fact, source: Source, entities: dict[str, Entity], index: dict | None = None
) -> list[str]:
    """The fact's own named graph and its provenance record."""
    f = _FACT_NS + fact.id
    g = iri(f)
    s = _id_t(fact.subject)
    out: list[str] = []
    pg = _PROVENANCE_T
    if fact.type:
        out.append(quad(s, RDF_TYPE, _t(fact.type), g))
        if index is not None:
            index.setdefault((s, RDF_TYPE), []).append(Location(fact.path, fact.line, fact.id))
    for c in fact.claims:
        p, o = _t(c.prop), value_term(c.value)
        out.append(quad(s, p, o, g))
        if index is not None:
            index.setdefault((s, p), []).append(Location(fact.path, c.line, fact.id, o))
    if index is not None:
        index.setdefault((g, "*"), []).append(Location(fact.path, fact.line, fact.id))

    art = iri(_ARTICLE_NS + fact.article_id)
    ann, target = iri(f + "/annotation"), iri(f + "/target")
    qsel, psel = iri(f + "/quote-selector"), iri(f + "/position-selector")
    text = source.text
    start, end = fact.anchor.start, fact.anchor.end
    out += [
        quad(g, RDF_TYPE, _TYPE_T["Fact"], pg),
        quad(g, iri(str(PROV.wasDerivedFrom)), art, pg),
        quad(g, _t("modality"), _t(fact.modality), pg),
        quad(g, _t("independentOrigin"), iri(independent_origin(fact, source, entities)), pg),
        quad(g, _t("annotation"), ann, pg),
        quad(g, _t("quote"), literal(fact.anchor.exact), pg),
        quad(g, _t("about"), s, pg),
        quad(g, _t("sourceFile"), literal(fact.path), pg),
        quad(g, _t("sourceLine"), literal(str(fact.line), XSD_NS + "integer"), pg),
        quad(ann, RDF_TYPE, _oa_t("Annotation"), pg),
        quad(ann, _oa_t("hasBody"), g, pg),
        quad(ann, _oa_t("hasTarget"), target, pg),
        quad(ann, _oa_t("motivatedBy"), _oa_t("describing"), pg),
        quad(target, RDF_TYPE, _oa_t("SpecificResource"), pg),
        quad(target, _oa_t("hasSource"), art, pg),
        quad(target, _oa_t("hasSelector"), qsel, pg),
        quad(target, _oa_t("hasSelector"), psel, pg),
        quad(qsel, RDF_TYPE, _oa_t("TextQuoteSelector"), pg),
        quad(qsel, _oa_t("exact"), literal(fact.anchor.exact), pg),
        quad(qsel, _oa_t("prefix"), literal(text[max(0, start - CONTEXT_CHARS) : start]), pg),
        quad(qsel, _oa_t("suffix"), literal(text[end : end + CONTEXT_CHARS]), pg),
        quad(psel, RDF_TYPE, _oa_t("TextPositionSelector"), pg),
        # xsd:integer, not Web Annotation's xsd:nonNegativeInteger: Oxigraph stores every integer
        # subtype as xsd:integer, so the store and kg.nq would differ (shapes.ttl requires >= 0)
        quad(psel, _oa_t("start"), literal(str(start), XSD_NS + "integer"), pg),
        quad(psel, _oa_t("end"), literal(str(end), XSD_NS + "integer"), pg),
    ]
    if fact.anchor.normalised:
        out.append(quad(g, _t("normalisedMatch"), literal("true", XSD_NS + "boolean"), pg))
    if fact.note:
        out.append(quad(g, _t("note"), literal(fact.note), pg))
    when = about_date(fact, source)
    if when:
        out.append(quad(g, _t("aboutDate"), literal(when.value, when.datatype), pg))
        if when is source.date:
            # the annotation gives no date: say so, so event-date queries can skip this fact
            out.append(quad(g, _t("dateBasis"), literal(ARTICLE_DATE_BASIS), pg))
        else:  # the date the fact itself gives: what "when" questions ask for
            out.append(quad(g, _t("statedDate"), literal(when.value, when.datatype), pg))
    inferences = [
        v.inferred_from for v in (fact.date, *(c.value for c in fact.claims)) if v and v.inferred_from
    ]
    if inferences:
        out.append(quad(g, _t("dateInference"), literal("; ".join(dict.fromkeys(inferences))), pg))
    for step in fact.attribution:
        st = iri(f"{f}/attribution/{step.index}")
        out.append(quad(g, _t("attribution"), st, pg))
        out.append(quad(st, RDF_TYPE, _TYPE_T["AttributionStep"], pg))
        out.append(quad(st, _t("stepIndex"), literal(str(step.index), XSD_NS + "integer"), pg))
        if step.key:
            source_t = _id_t(step.key)
            out.append(quad(st, _t("source"), source_t, pg))
        else:
            source_t = anon = iri(f"{f}/source/{step.index}")
            out.append(quad(st, _t("source"), anon, pg))
            out.append(quad(anon, RDF_TYPE, _TYPE_T["AnonymousSource"], pg))
            out.append(quad(anon, RDFS_LABEL, literal(step.anonymous, lang="en"), pg))
        if step.index == 1:  # the source the article cites: "according to whom" in one step
            out.append(quad(g, _t("accordingTo"), source_t, pg))
    return out


def fact_record(fact: Fact) -> dict:
    """What the manifest keeps about a fact (for diffs and for pointing violations at lines)."""
    return {
        "article": fact.article_id,
        "path": fact.path,
        "line": fact.line,
        "start": fact.anchor.start,
        "end": fact.anchor.end,
        "subject": fact.subject,
    }


def corpus_quads(corpus: Corpus, ontology: Path | None = None) -> BuiltDataset:
    """Every quad of the dataset, sorted and without duplicates, with the location index."""
    index: dict[tuple[str, str], list[Location]] = {}
    quads: list[str] = ontology_quads(ontology)
    quads += registry_quads(corpus.entities.values(), index)
    quads += source_quads(corpus.sources.values())
    copies = source_copies(corpus.sources)
    quads += copy_quads(copies)
    for fact in corpus.facts:
        quads += fact_quads(fact, corpus.sources[fact.article_id], corpus.entities, index)
    records = {fact.id: fact_record(fact) for fact in corpus.facts}
    return BuiltDataset(sorted_unique(quads), index, records, copies)


def sorted_unique(quads: list[str]) -> list[str]:
    """``sorted(set(quads))``, in place: quads arrive in long sorted runs, which timsort merges
    in near-linear time, while a set would scramble them (ten times slower on millions of quads)
    and hold a second copy of every reference; duplicates are then squeezed out in place, for
    the same reason (a second list of 4 million references is 34 MB at the build's peak).

    Example:
        >>> sorted_unique(["b", "a", "b"])
        ['a', 'b']
    """
    quads.sort()
    kept = 0
    last = None
    for q in quads:
        if q != last:
            quads[kept] = last = q
            kept += 1
    del quads[kept:]
    return quads


def iter_lines(quads: Iterable[str]) -> Iterator[str]:
    """Lines of an N-Quads document."""
    for q in quads:
        yield q + "\n"
