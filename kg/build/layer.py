"""The knowledge layer: the store's default graph, one triple per claim, and a node per claim.

A build states each claim once per fact that gives it: the union of the fact graphs is a bag
(the 24 % tariff on Japan in four fact graphs). Plain questions want one row per claim, and
questions about evidence want the facts behind it. So, as Wikidata keeps "truthy" direct
triples beside its statement nodes, the build adds to the N-Quads, in the **default graph**:

* the ontology and the registry (so labels, types and class hierarchies answer plain queries),
  with the types the class hierarchy entails (a warning is also a ``tdo:Statement``, so "every
  statement" is ``?x a tdo:Statement``, not a class path),
  and the labels of the anonymous sources of attribution chains ("government sources"), so that
  every source a fact is ``tdo:accordingTo`` has its label in one place;
* every distinct triple stated by at least one fact presented as fact, that is whose modality
  is *asserted* or *reported* (the article states it, or relays someone who states it).
  Triples that only expected, planned, considered, claimed or denied facts give stay out: a
  plain query never shows them as fact; their claims (below) carry the modality;
* one ``tdo:Claim`` node (a subclass of ``rdf:Statement``) per distinct (subject, property, value) stated
  by any fact, whatever its modality: ``rdf:subject``/``rdf:predicate``/``rdf:object``, the
  number of facts, articles and independent origins, its modalities, whether it is in the
  layer (``tdo:statedAsFact``), its earliest and latest about-date, and, for a rate, the rate
  kinds and scopes its facts give with it (qualifiers, read in the same fact graph), and
  ``tdo:possiblyOneOrigin true`` when two of its facts come from articles whose wording says
  they may copy one story (``tdo:possibleCopyOf``, :mod:`kg.build.copies`) but count as two origins;
* one ``tdo:Disagreement`` per subject and single-valued property that claims stated as fact
  give two values or more, with its claims and its kind: a **contradiction** when two of the
  values agree on rate kind, scope and time; otherwise the difference that explains them
  (different rate kinds, scopes or times), and why in words. Each two contradicting claims are
  also linked by ``tdo:contradicts``.

The facts stating a claim are the fact graphs holding its triple (``GRAPH ?fact { ?s ?p ?o }``
with the claim's ``rdf:subject``, ``rdf:predicate`` and ``rdf:object``: one index lookup); a link
from each fact to its claims would add a line per fact triple (418,000 at 100,000 facts) for
what the store's indexes already answer. The counts are made here, once per build, from the
assembled quads, so ``kg claims``, ``kg diff``, the pages and the queries read the same numbers.

No default-graph triple has a fact, graph or ontology IRI as its object, so the last term of
an N-Quads line tells its graph (see :func:`graph_of`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.rdf.namespaces import (
    BASE,
    FACT,
    GRAPH,
    ONTOLOGY_GRAPH,
    OWL_NS,
    PROVENANCE_GRAPH,
    RDF_NS,
    RDFS_NS,
    REGISTRY_GRAPH,
    TDO,
    XSD_NS,
)
from kg.rdf.terms import RDF_TYPE, literal

CLAIM_BASE = BASE + "claim/"
DISAGREEMENT_BASE = BASE + "disagreement/"
LAYER_IRI = f"<{GRAPH}knowledge>"
"""Subject of the marker triples that say a store has the layer (and which version)."""
LAYER_VERSION = 2

_TDO = str(TDO._NS)
_ID = BASE + "id/"
_FACT_START = f"<{FACT}"
_GRAPH_START = f"<{GRAPH}"
_ONTOLOGY_T = f"<{ONTOLOGY_GRAPH}>"
_PROVENANCE_END = f" <{PROVENANCE_GRAPH}> ."
_REGISTRY_END = f" <{REGISTRY_GRAPH}> ."
_ONTOLOGY_END = f" {_ONTOLOGY_T} ."
_TRUTHY = {f"<{_TDO}Asserted>", f"<{_TDO}Reported>"}


def _t(name: str) -> str:
    return f"<{_TDO}{name}>"


_MODALITY, _ORIGIN, _DERIVED = (
    _t("modality"),
    _t("independentOrigin"),
    "<http://www.w3.org/ns/prov#wasDerivedFrom>",
)
_ABOUT, _BASIS = _t("aboutDate"), _t("dateBasis")
_COPY = _t("possibleCopyOf")
_LABEL = f"<{RDFS_NS}label>"
_RATE, _RATE_KIND, _SCOPE = _t("rate"), _t("rateKind"), _t("scope")
_INT = f"^^<{XSD_NS}integer>"


def graph_of(line: str) -> str:
    """The graph term of an N-Quads line of this project, or "" for the default graph.

    The graph is the last term when it is a fact, graph or ontology IRI: no triple of the
    default graph has one of those as its object (a literal object ends in a quote or a
    datatype, so what follows the last " <" is then no IRI on its own).

    Example:
        >>> graph_of('<a> <b> <c> <https://w3id.org/trade-dispute/graph/registry> .')
        '<https://w3id.org/trade-dispute/graph/registry>'
        >>> graph_of('<a> <b> <c> .')
        ''
    """
    term = line[line.rfind(" <") + 1 : -2]
    if (
        (term.startswith((_FACT_START, _GRAPH_START)) or term == _ONTOLOGY_T)
        and " " not in term
        and '"' not in term
    ):
        return term  # an IRI holds neither a space nor a quote: a literal's end is never taken for one
    return ""


_GRAPH_STARTS_B = (_FACT_START.encode(), _GRAPH_START.encode())
_ONTOLOGY_B = _ONTOLOGY_T.encode()


def graph_of_bytes(line: bytes) -> bytes:
    """:func:`graph_of` for a line as bytes (the TriG writer reads kg.nq as bytes)."""
    term = line[line.rfind(b" <") + 1 : -2]
    if (term.startswith(_GRAPH_STARTS_B) or term == _ONTOLOGY_B) and b" " not in term and b'"' not in term:
        return term
    return b""


_SIMPLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z")
_SLUG = re.compile(r"[^A-Za-z0-9]+")


def _value_part(obj: str) -> str:
    """The readable last segment of a claim IRI for an object term."""
    if obj.startswith("<"):
        value = obj[1:-1]
        for base in (_ID, _TDO):
            if value.startswith(base) and _SIMPLE.match(value[len(base) :]):
                return value[len(base) :]
    elif obj.startswith('"'):
        lexical = obj[1 : obj.rindex('"')]
        if _SIMPLE.match(lexical):
            return lexical
        slug = _SLUG.sub("-", lexical).strip("-")[:32].strip("-")
        return f"{slug or 'v'}-{hashlib.sha1(obj.encode('utf-8')).hexdigest()[:8]}"
    return "t-" + hashlib.sha1(obj.encode("utf-8")).hexdigest()[:12]


def _local(term: str) -> str:
    """The key or local name of an IRI term: ``<.../id/japan>`` -> ``japan``."""
    value = term[1:-1]
    return value[max(value.rfind("#"), value.rfind("/")) + 1 :]


def claim_iri(subject: str, predicate: str, obj: str) -> str:
    """The IRI (N-Quads term) of the claim of a triple given as N-Quads terms.

    Readable where the terms allow: ``claim/us-tariffs-on-china/rate/145``; a literal that is
    not a short token gets a slug and a hash of the whole term (its datatype too).

    Example:
        >>> claim_iri("<https://w3id.org/trade-dispute/id/japan>",
        ...           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        ...           "<https://w3id.org/trade-dispute/ontology#State>")
        '<https://w3id.org/trade-dispute/claim/japan/type/State>'
    """
    return f"<{CLAIM_BASE}{_local(subject)}/{_local(predicate)}/{_value_part(obj)}>"


@dataclass(slots=True)  # one per fact: 100,000 at scale
class _Fact:
    article: str = ""
    origin: str = ""
    modality: str = ""
    date: str = ""  # the about-date's term
    own_date: bool = True  # False when the about-date is the article's date
    qualifiers: list[str] | None = None  # "s p o" of its rate kinds and scopes, when it gives any


@dataclass(slots=True)
class ClaimRecord:
    """What the layer says of one claim (terms as N-Quads strings)."""

    iri: str
    subject: str
    predicate: str
    object: str
    facts: list[str]
    articles: set[str]
    origins: set[str]
    modalities: set[str]
    dates: list[str]  # about-date terms of its facts
    own_dates: list[str]  # of the facts that give a date of their own
    rate_kinds: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)

    @property
    def stated_as_fact(self) -> bool:
        return bool(self.modalities & _TRUTHY)


@dataclass
class Disagreement:
    """Claims giving one subject different values of a single-valued property."""

    iri: str
    kind: str  # local name of a tdo:DisagreementKind concept
    claims: list[ClaimRecord]
    reason: str
    contradicting: list[tuple[ClaimRecord, ClaimRecord]]


def _split(line: str, graph_len: int) -> tuple[str, str, str]:
    s_end = line.index(" ")
    p_end = line.index(" ", s_end + 1)
    return line[:s_end], line[s_end + 1 : p_end], line[p_end + 1 : -graph_len]


def read_facts(
    lines: Iterable[str], copies: dict[str, set[str]] | None = None
) -> tuple[dict[str, _Fact], dict[str, list[str]], list[str]]:
    """The facts (provenance, and rate qualifiers) of the dataset's lines, the facts stating each
    distinct triple ("s p o") of the fact graphs, and the registry and ontology triples (as
    default-graph lines). With copies, the ``tdo:possibleCopyOf`` links between articles
    (:mod:`kg.build.copies`) are added to it: article term -> the article terms it may copy.

    Claims are gathered as the lines are read, a list of fact terms per triple: at 100,000 facts
    a list of triples per fact besides, or a record of sets per claim, held about 100 MB more at
    the build's peak."""
    facts: dict[str, _Fact] = defaultdict(_Fact)
    claims: dict[str, list[str]] = {}
    copied: list[str] = []
    wanted = {_MODALITY, _ORIGIN, _DERIVED, _ABOUT, _BASIS}
    qualifying = (f" {_RATE_KIND} ", f" {_SCOPE} ")
    graphs: dict[str, str] = {}  # one string per fact term, however many lines name it
    for line in lines:
        if line.endswith(_PROVENANCE_END):
            if not line.startswith(_FACT_START):
                if copies is not None and _COPY in line:
                    s, p, o = _split(line, len(_PROVENANCE_END))
                    if p == _COPY:
                        copies.setdefault(s, set()).add(o)
                continue
            s, p, o = _split(line, len(_PROVENANCE_END))
            if p not in wanted:
                if p == _LABEL:  # an anonymous source's (no other provenance node has one)
                    copied.append(f"{s} {p} {o} .")
                continue
            fact = facts[s]
            if p == _MODALITY:
                fact.modality = o
            elif p == _ORIGIN:
                fact.origin = o
            elif p == _DERIVED:
                fact.article = o
            elif p == _ABOUT:
                fact.date = o
            else:
                fact.own_date = False
        elif line.endswith(_REGISTRY_END):
            copied.append(line[: -len(_REGISTRY_END)] + " .")
        elif line.endswith(_ONTOLOGY_END):
            copied.append(line[: -len(_ONTOLOGY_END)] + " .")
        else:
            g = graph_of(line)
            if g.startswith(_FACT_START):
                triple = line[: -len(g) - 3]  # "s p o": one string, not three
                g = graphs.setdefault(g, g)
                stating = claims.get(triple)
                if stating is None:
                    claims[triple] = [g]
                else:
                    stating.append(g)
                if qualifying[0] in triple or qualifying[1] in triple:
                    fact = facts[g]
                    if fact.qualifiers is None:
                        fact.qualifiers = []
                    fact.qualifiers.append(triple)
    return facts, claims, copied


def record(triple: str, stating: list[str], facts: dict[str, _Fact]) -> ClaimRecord:
    """Everything the layer says of one claim ("s p o"), from the facts that state it."""
    s, p, o = triple.split(" ", 2)  # subjects and properties are IRIs: no spaces
    of = [facts[f] for f in stating]
    c = ClaimRecord(
        claim_iri(s, p, o),
        s,
        p,
        o,
        stating,
        {f.article for f in of},
        {f.origin for f in of},
        {f.modality for f in of},
        [f.date for f in of if f.date],
        [f.date for f in of if f.date and f.own_date],
    )
    if p == _RATE:  # qualifiers: what each fact gives with the rate, in its own graph
        kind, scope = f"{s} {_RATE_KIND} ", f"{s} {_SCOPE} "
        for f in of:
            for t in f.qualifiers or ():
                if t.startswith(kind):
                    c.rate_kinds.add(t[len(kind) :])
                elif t.startswith(scope):
                    c.scopes.add(t[len(scope) :])
    return c


def possibly_one_origin(stating: list[str], facts: dict[str, _Fact], copies: dict[str, set[str]]) -> bool:
    """True when two facts of a claim come from articles that may copy one story
    (``tdo:possibleCopyOf``) and count as different origins: its origin count may be too high.

    Example:
        >>> facts = {"f1": _Fact(article="a", origin="a"), "f2": _Fact(article="b", origin="b")}
        >>> possibly_one_origin(["f1", "f2"], facts, {"a": {"b"}, "b": {"a"}})
        True
        >>> possibly_one_origin(["f1", "f2"], facts, {})
        False
    """
    if not copies or len(stating) < 2:
        return False
    origins: dict[str, set[str]] = {}
    for f in stating:
        fact = facts[f]
        origins.setdefault(fact.article, set()).add(fact.origin)
    for article, found in origins.items():
        for other in copies.get(article, ()):
            if other in origins and len(found | origins[other]) > 1:
                return True
    return False


def _lexical(term: str) -> str:
    return term[1 : term.rindex('"')] if term.startswith('"') else term


def _span(dates: list[str]) -> tuple[str, str] | None:
    """The earliest and latest day a claim's dates may cover (a month covers all its days)."""
    if not dates:
        return None
    lexicals = [_lexical(d) for d in dates]
    return min(lexicals), max(lexicals) + "~"  # "2025-04~" sorts after every day of April


def _names(terms: set[str]) -> str:
    return ", ".join(sorted(_local(t).lower() if t.startswith("<") else _lexical(t) for t in terms))


def _compare(a: ClaimRecord, b: ClaimRecord) -> tuple[str, str]:
    """The kind of disagreement between two values, and why."""
    values = f"{_lexical(a.object)} and {_lexical(b.object)}"
    if a.rate_kinds and b.rate_kinds and not a.rate_kinds & b.rate_kinds:
        return "DifferentRateKinds", (
            f"{values} are rates of different kinds ({_names(a.rate_kinds)} / {_names(b.rate_kinds)})"
        )
    if a.scopes and b.scopes and not a.scopes & b.scopes:
        return "DifferentScopes", f"{values} are given for different scopes"
    span_a, span_b = _span(a.own_dates), _span(b.own_dates)
    if span_a and span_b and (span_a[1] < span_b[0] or span_b[1] < span_a[0]):
        return "DifferentTimes", f"{values} are given for different dates: a change, not a conflict"
    return "Contradiction", f"{values} disagree for the same rate kind, scope and time"


MOST_REASONS = 3
"""A disagreement's comment gives the reasons of this many pairs of values at most."""


def disagreements(claims: Iterable[ClaimRecord], functional: set[str]) -> list[Disagreement]:
    """One disagreement per subject and functional property given two values or more by claims
    stated as fact: a contradiction when some two values share rate kind, scope and time, else
    the difference that explains the first two."""
    by_key: dict[tuple[str, str], list[ClaimRecord]] = defaultdict(list)
    for c in claims:
        if c.predicate in functional and c.stated_as_fact:
            by_key[(c.subject, c.predicate)].append(c)
    out = []
    for (s, p), group in sorted(by_key.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda c: c.iri)
        pairs = [(a, b, *_compare(a, b)) for i, a in enumerate(group) for b in group[i + 1 :]]
        contradicting = [(a, b) for a, b, kind, _ in pairs if kind == "Contradiction"]
        shown = [x for x in pairs if x[2] == "Contradiction"] or pairs
        reason = "; ".join(why for _, _, _, why in shown[:MOST_REASONS])
        if len(shown) > MOST_REASONS:
            reason += f"; and {len(shown) - MOST_REASONS} more pairs"
        iri = f"<{DISAGREEMENT_BASE}{_local(s)}/{_local(p)}>"
        out.append(Disagreement(iri, shown[0][2], group, reason, contradicting))
    return out


def functional_properties(ontology_lines: Iterable[str]) -> set[str]:
    """The owl:FunctionalProperty terms declared in the ontology's lines."""
    marker = f"{RDF_TYPE} <{OWL_NS}FunctionalProperty>"
    return {line.split(" ", 1)[0] for line in ontology_lines if marker in line}


def superclasses(ontology_lines: Iterable[str]) -> dict[str, set[str]]:
    """Each class of the ontology's lines -> every class it is a subclass of, transitively.

    Example:
        >>> sub = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
        >>> superclasses([f"<W> {sub} <S> .", f"<S> {sub} <E> ."])["<W>"] == {"<S>", "<E>"}
        True
    """
    marker = f" <{RDFS_NS}subClassOf> "
    parents: dict[str, set[str]] = {}
    for line in ontology_lines:
        if marker in line:
            sub, _, sup = line[:-2].split(" ", 2)
            if sup.startswith("<"):  # a named class, not a restriction
                parents.setdefault(sub, set()).add(sup)
    closure: dict[str, set[str]] = {}
    for cls in parents:
        found, todo = set(), list(parents[cls])
        while todo:
            c = todo.pop()
            if c not in found and c != cls:
                found.add(c)
                todo += parents.get(c, ())
        closure[cls] = found
    return closure


def _earliest_latest(dates: list[str]) -> tuple[str, str]:
    ordered = sorted(dates, key=_lexical)
    return ordered[0], ordered[-1]


def _claim_iris(claims: dict[str, list[str]], stop: str) -> Iterator[str]:
    """The IRIs of the claims before stop (only asked when two IRIs' hashes agree)."""
    for triple in claims:
        if triple == stop:
            return
        yield claim_iri(*triple.split(" ", 2))


def layer_quads(lines: Iterable[str]) -> list[str]:
    """The default-graph lines of the knowledge layer, for the dataset's other lines.

    Args:
        lines: every N-Quads line of the dataset (without newlines), the layer aside.

    Returns:
        Default-graph N-Quads lines (unsorted, without duplicates).
    """
    copies: dict[str, set[str]] = {}
    facts, claims, copied = read_facts(lines, copies)
    functional = functional_properties(copied)
    supers = superclasses(copied)
    out = list(dict.fromkeys(copied))  # the ontology and the registry may state one triple
    type_mark = f" {RDF_TYPE} "
    typed = [line[:-2].partition(type_mark)[::2] for line in out if type_mark in line]
    registry = set(out)  # a registry triple that facts also state is written once
    out.append(f"{LAYER_IRI} {RDF_TYPE} {_t('KnowledgeLayer')} .")
    out.append(f'{LAYER_IRI} {_t("layerVersion")} "{LAYER_VERSION}"{_INT} .')
    claim_t, truthy = _t("Claim"), '"true"^^<' + XSD_NS + "boolean>"
    untruthy = '"false"^^<' + XSD_NS + "boolean>"
    subject_p, predicate_p, object_p = f"<{RDF_NS}subject>", f"<{RDF_NS}predicate>", f"<{RDF_NS}object>"
    facts_p, articles_p, origins_p = _t("factCount"), _t("articleCount"), _t("originCount")
    as_fact_p, kind_p, scope_p = _t("statedAsFact"), _t("withRateKind"), _t("withScope")
    earliest_p, latest_p = _t("earliestDate"), _t("latestDate")
    one_origin_p = _t("possiblyOneOrigin")
    seen: set[int] = set()  # hashes of the claim IRIs: a set of the strings would hold 50 MB more
    contested: list[ClaimRecord] = []
    for triple, stating in claims.items():
        c = record(triple, stating, facts)
        s, p, o = c.subject, c.predicate, c.object
        if c.stated_as_fact and f"{triple} ." not in registry:
            out.append(f"{triple} .")
            if p == RDF_TYPE:
                typed.append((s, o))
            if p in functional:
                contested.append(c)
        if hash(c.iri) in seen and any(n == c.iri for n in _claim_iris(claims, triple)):
            raise ValueError(f"two claims share the IRI {c.iri}")  # two literal terms, one readable IRI
        seen.add(hash(c.iri))
        n = c.iri
        out += [
            f"{n} {RDF_TYPE} {claim_t} .",
            f"{n} {subject_p} {s} .",
            f"{n} {predicate_p} {p} .",
            f"{n} {object_p} {o} .",
            f'{n} {facts_p} "{len(c.facts)}"{_INT} .',
            f'{n} {articles_p} "{len(c.articles)}"{_INT} .',
            f'{n} {origins_p} "{len(c.origins)}"{_INT} .',
            f"{n} {as_fact_p} {truthy if c.stated_as_fact else untruthy} .",
        ]
        if possibly_one_origin(stating, facts, copies):
            out.append(f"{n} {one_origin_p} {truthy} .")
        out += [f"{n} {_MODALITY} {m} ." for m in sorted(c.modalities)]
        out += [f"{n} {kind_p} {k} ." for k in sorted(c.rate_kinds)]
        out += [f"{n} {scope_p} {k} ." for k in sorted(c.scopes)]
        if c.dates:
            first, last = _earliest_latest(c.dates)
            out.append(f"{n} {earliest_p} {first} .")
            out.append(f"{n} {latest_p} {last} .")
    # the types the class hierarchy entails, so "every statement" is `?x a tdo:Statement`
    out += [f"{x} {RDF_TYPE} {sup} ." for x, cls in typed for sup in sorted(supers.get(cls, ()))]
    for d in disagreements(contested, functional):
        out += [
            f"{d.iri} {RDF_TYPE} {_t('Disagreement')} .",
            f"{d.iri} {_t('disagreementKind')} {_t(d.kind)} .",
            f"{d.iri} <http://www.w3.org/2000/01/rdf-schema#comment> {literal(d.reason, lang='en')} .",
        ]
        out += [f"{d.iri} {_t('claim')} {c.iri} ." for c in d.claims]
        for a, b in d.contradicting:
            out.append(f"{a.iri} {_t('contradicts')} {b.iri} .")
            out.append(f"{b.iri} {_t('contradicts')} {a.iri} .")
    return out
