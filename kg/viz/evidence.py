"""Everything the article and entity pages show, read from the built store in a few bulk queries.

The queries are the named ``ontology/queries/page-*.rq`` (and ``view-facts`` for all facts at
once): articles with their text, facts with their quotes and offsets, the triples of every fact
graph, attribution chains, labels, registry entities and statements, claim nodes and
disagreements. Each is read once, whatever the number of pages, and joined here with dict
indexes, so writing a site is linear in the size of the graph. ``kg viz article`` reads one
article's share by binding ``?article`` (a SPARQL substitution, answered from the indexes).

Values are kept as keys: an IRI as itself, a literal as its N-Triples form (``"24"^^<...#decimal>``);
:meth:`Evidence.text` gives the words a page shows for either.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.rdf.namespaces import ARTICLE, ID, PREFIXES, TDO
from kg.resources import QUERIES_DIR

_TDO = str(TDO._NS)
_ID = str(ID)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_EN = ("en", "", None)


class PageError(KgError):
    """A page was asked for something the build does not hold (an article, an entity)."""


@dataclass(slots=True)
class Fact:
    """One annotated fact: its quote, where it sits, how the article presents it, what it states."""

    iri: str
    article: str  # article IRI
    quote: str
    start: int
    end: int
    modality: str  # modality IRI
    date: str | None
    article_dated: bool  # the date is the article's own (the annotation gave none)
    origin: str  # independent origin IRI
    attribution: list[tuple[int, str, str]] = field(default_factory=list)  # (step, source, name)
    triples: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, property, value key)

    @property
    def id(self) -> str:
        """The fact id of the annotation (``a000-letter``)."""
        return self.iri.rsplit("/", 1)[-1]


@dataclass(slots=True)
class Article:
    """One article: its record, its verbatim text and its facts (in order of position)."""

    iri: str
    id: str
    title: str
    issued: str
    outlet: str
    text: str
    excluded: list[tuple[int, int]]
    facts: list[Fact] = field(default_factory=list)


@dataclass(slots=True)
class Entity:
    """A registry entity: its key, label, classes and aliases."""

    iri: str
    label: str
    classes: list[str] = field(default_factory=list)  # class IRIs
    aliases: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The registry key (``japan``)."""
        return self.iri[len(_ID) :] if self.iri.startswith(_ID) else self.iri.rsplit("/", 1)[-1]


@dataclass(slots=True)
class Claim:
    """A claim node of the knowledge layer: one distinct triple with its counts."""

    iri: str
    subject: str
    property: str
    value: str  # value key
    facts: int
    articles: int
    origins: int
    as_fact: bool


@dataclass(slots=True)
class Disagreement:
    """Claims giving one subject different values of a single-valued property."""

    iri: str
    kind: str
    reason: str
    claims: list[tuple[str, str, str]] = field(default_factory=list)  # claim triples


@dataclass
class Evidence:
    """What the pages show, joined: by IRI, with labels for every term."""

    articles: dict[str, Article] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    literals: dict[str, str] = field(default_factory=dict)  # literal key -> lexical form
    entities: dict[str, Entity] = field(default_factory=dict)
    registry: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # entity -> (property, value)
    claims: dict[tuple[str, str, str], Claim] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)

    def text(self, term: str | None) -> str:
        """The words for a term: an entity's or a concept's label, a literal's value, else the
        IRI's last segment."""
        if term is None:
            return ""
        if term in self.literals:
            return self.literals[term]
        label = self.labels.get(term)
        if label is not None:
            return label
        return term[max(term.rfind("#"), term.rfind("/")) + 1 :]

    def claim_facts(self) -> dict[tuple[str, str, str], list[Fact]]:
        """The facts stating each triple, in the order of their IRIs."""
        out: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
        for fact in sorted(self.facts.values(), key=lambda f: f.iri):
            for triple in fact.triples:
                out[triple].append(fact)
        return out


def article_iri(article_id: str) -> str:
    """The IRI of an article id.

    Example:
        >>> article_iri("000_47059b8c57473c03")
        'https://w3id.org/trade-dispute/article/000_47059b8c57473c03'
    """
    return str(ARTICLE) + article_id


def is_entity(term: str) -> bool:
    """Whether a term is a registry entity's IRI (``https://w3id.org/trade-dispute/id/...``)."""
    return term.startswith(_ID)


def _query_text(name: str) -> str:
    path = QUERIES_DIR / f"{name}.rq"
    return path.read_text(encoding="utf-8")


def _solutions(store, name: str, bind: dict[str, str] | None = None):
    """The rows of a named query as tuples of pyoxigraph terms (None where unbound), in the order of
    its SELECT variables; ``bind`` sets variables to IRIs before it runs."""
    import pyoxigraph as ox

    substitutions = {ox.Variable(k): ox.NamedNode(v) for k, v in (bind or {}).items()} or None
    try:
        result = store.query(_query_text(name), prefixes=PREFIXES, substitutions=substitutions)
    except (SyntaxError, OSError, RuntimeError) as exc:
        raise KgError(f"query {name} failed: {exc}") from exc
    return map(tuple, result)


def _key(term) -> str:
    """A value key: an IRI as itself, a literal as its N-Triples form."""
    import pyoxigraph as ox

    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _check_layer(store) -> None:
    from kg.sparql.query import execute

    execute(store, "ASK { }")  # says "run kg build again" when the store has no knowledge layer


def read_labels(store, evidence: Evidence) -> None:
    """Labels of every labelled term (an English or untagged label first, then the smallest)."""
    best: dict[str, tuple[int, str]] = {}
    for term, label in _solutions(store, "page-labels"):
        rank = (0 if label.language in _EN else 1, label.value)
        key = term.value
        if key not in best or rank < best[key]:
            best[key] = rank
    evidence.labels.update({k: v[1] for k, v in best.items()})


def read_articles(store, evidence: Evidence, article: str | None = None) -> None:
    """Articles (all, or the one whose IRI is given) with their text and excluded ranges."""
    bind = {"article": article} if article else None
    for iri, ident, title, issued, outlet, text, excluded in _solutions(store, "page-articles", bind):
        ranges = []
        for part in (excluded.value if excluded else "").split():
            start, _, end = part.partition("-")
            ranges.append((int(start), int(end)))
        evidence.articles[iri.value] = Article(
            iri.value,
            ident.value,
            title.value if title else "",
            issued.value if issued else "",
            outlet.value if outlet else "",
            text.value,
            sorted(ranges),
        )


def read_facts(store, evidence: Evidence, article: str | None = None) -> None:
    """Facts (all, or an article's), their attribution chains and the triples of their graphs."""
    if article:
        rows = _solutions(store, "page-facts", {"article": article})
    else:  # view-facts joins its parts by hashing: linear on large graphs
        rows = (
            (fact, art, quote, start, None, modality, date, dated, origin)
            for fact, art, quote, start, origin, modality, date, dated in _solutions(store, "view-facts")
        )
    facts = evidence.facts
    for fact, art, quote, start, end, modality, date, dated, origin in rows:
        begin = int(start.value)
        facts[fact.value] = Fact(
            fact.value,
            art.value,
            quote.value,
            begin,
            int(end.value) if end else begin + len(quote.value),
            modality.value,
            date.value if date else None,
            bool(dated) and dated.value == "true",
            origin.value,
        )
    bind = {"article": article} if article else None
    for _, fact, step, source, name in _solutions(store, "page-attributions", bind):
        record = facts.get(fact.value)
        if record is not None:
            record.attribution.append((int(step.value), source.value, name.value if name else ""))
    literals = evidence.literals
    for _, fact, s, p, o in _solutions(store, "page-fact-triples", bind):
        record = facts.get(fact.value)
        if record is None:
            continue
        value = _key(o)
        if value not in literals and value.startswith('"'):
            literals[value] = o.value
        record.triples.append((s.value, p.value, value))
    for record in facts.values():
        record.attribution.sort()
        record.triples.sort()
    for record in sorted(facts.values(), key=lambda f: (f.start, -f.end, f.iri)):
        owner = evidence.articles.get(record.article)
        if owner is not None:
            owner.facts.append(record)


def read_entities(store, evidence: Evidence) -> None:
    """Registry entities with their classes and aliases, and what the registry says of each."""
    entities = evidence.entities
    for iri, cls, label, alias in _solutions(store, "page-entities"):
        entity = entities.get(iri.value)
        if entity is None:
            entity = entities[iri.value] = Entity(iri.value, label.value if label else "")
        if cls.value not in entity.classes:
            entity.classes.append(cls.value)
        if alias is not None and alias.value not in entity.aliases:
            entity.aliases.append(alias.value)
    for entity in entities.values():
        entity.classes.sort()
        entity.aliases.sort(key=str.lower)
    registry: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for iri, p, o in _solutions(store, "page-registry"):
        value = _key(o)
        if value.startswith('"'):
            evidence.literals.setdefault(value, o.value)
        registry[iri.value].append((p.value, value))
    evidence.registry = {k: sorted(v) for k, v in registry.items()}


def read_claims(store, evidence: Evidence) -> None:
    """Claim nodes with their counts, and the disagreements between them."""
    claims = evidence.claims
    literals = evidence.literals
    for claim, s, p, o, facts, articles, origins, as_fact in _solutions(store, "page-claims"):
        value = _key(o)
        if value.startswith('"'):
            literals.setdefault(value, o.value)
        claims[(s.value, p.value, value)] = Claim(
            claim.value,
            s.value,
            p.value,
            value,
            int(facts.value),
            int(articles.value),
            int(origins.value),
            as_fact.value == "true",
        )
    found: dict[str, Disagreement] = {}
    for d, kind, reason, _claim, s, p, o in _solutions(store, "page-disagreements"):
        record = found.get(d.value)
        if record is None:
            record = found[d.value] = Disagreement(d.value, kind.value, reason.value)
        record.claims.append((s.value, p.value, _key(o)))
    for record in found.values():
        record.claims.sort()
    evidence.disagreements = sorted(found.values(), key=lambda d: d.iri)


def read_article(store, article_id: str) -> tuple[Evidence, Article]:
    """One article with its facts and the labels of everything they state.

    Args:
        store: an open pyoxigraph store of the built graph.
        article_id: an article id (``000_47059b8c57473c03``) or its number (``000``).

    Returns:
        The evidence read and the article.

    Raises:
        PageError: the build holds no such article.
    """
    _check_layer(store)
    iri = article_iri(resolve_article_id(store, article_id))
    evidence = Evidence()
    read_articles(store, evidence, iri)
    read_facts(store, evidence, iri)
    read_labels(store, evidence)
    read_entities(store, evidence)
    return evidence, evidence.articles[iri]


def read_everything(store) -> Evidence:
    """Every article, fact, label, entity, claim and disagreement of the store, for ``kg site``."""
    _check_layer(store)
    evidence = Evidence()
    read_articles(store, evidence)
    read_facts(store, evidence)
    read_labels(store, evidence)
    read_entities(store, evidence)
    read_claims(store, evidence)
    return evidence


def article_ids(store) -> list[str]:
    """The ids of the articles in the store, sorted."""
    query = "SELECT ?id WHERE { GRAPH graph:provenance { ?a a tdo:Article ; dcterms:identifier ?id } }"
    return sorted(row[0].value for row in store.query(query, prefixes=PREFIXES))


def resolve_article_id(store, given: str) -> str:
    """The article id that ``given`` names: the id itself, or the number before its underscore.

    Raises:
        PageError: no article, or several, go by that name.

    Example:
        >>> from kg.store import open_store
        >>> resolve_article_id(open_store("build"), "000")
        '000_47059b8c57473c03'
    """
    known = article_ids(store)
    if given in known:
        return given
    matches = [a for a in known if a.split("_", 1)[0] == given or a.startswith(given + "_")]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise PageError(f"article '{given}' is ambiguous: {', '.join(matches[:5])}")
    from kg.seeds.corpus import did_you_mean

    numbers = [a.split("_", 1)[0] for a in known]
    hint = did_you_mean(given, known) or did_you_mean(given, numbers)
    sample = ", ".join(known[:3]) + (", ..." if len(known) > 3 else "")
    raise PageError(
        f"no article '{given}' in this build{hint}"
        + (f" (articles: {sample}; see 'kg query cq-articles')" if not hint else "")
    )
