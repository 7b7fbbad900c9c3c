"""What the ontology allows in annotations: its classes, properties and the kind of value each takes."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import OntologyError
from kg.rdf.namespaces import OWL_NS, RDF_NS, RDFS_NS, SKOS_NS, TDO, XSD_NS
from kg.resources import ONTOLOGY_FILE

DATE_PROPERTIES = frozenset({"date", "announcedOn", "effectiveFrom", "aboutDate"})
"""Properties whose values are dates of day, month or year precision."""

CONCEPT_SCHEMES: dict[str, tuple[str, ...]] = {
    "rateKind": ("RateKindScheme",),
    "status": ("MeasureStatusScheme", "AgreementStatusScheme"),
    "stance": ("InteractionSignScheme",),
    "modality": ("ModalityScheme",),
}
"""Which concept schemes each concept-valued property draws its values from."""

PROVENANCE_ONLY = frozenset(
    {
        "aboutDate", "dateInference", "attribution", "stepIndex", "source",
        "independentOrigin", "annotation", "normalisedMatch", "sourceFile", "sourceLine",
        "sha256", "publishedBy", "outletStatus", "dateBasis", "excludedRange", "modality",
        "interactionSign", "signValue", "wikidata", "note",
    }
)  # fmt: skip
"""Properties the build writes itself; annotations may not use them as fields."""


@dataclass(frozen=True)
class Property:
    """One ontology property as the annotation format sees it."""

    name: str
    kind: str  # entity | concept | date | decimal | duration | integer | boolean | string
    functional: bool


def lineages(parents: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Each class with its ancestors, nearest first: the one subclass closure of the project.

    Breadth first, parents in sorted order, so the result is deterministic; cycles are harmless.

    >>> lineages({"Warning": ["Statement", "Event"], "Statement": ["Event"]})["Warning"]
    ('Warning', 'Event', 'Statement')
    """
    out: dict[str, tuple[str, ...]] = {}
    for start in parents:
        seen, queue, order = {start}, deque([start]), []
        while queue:
            cls = queue.popleft()
            order.append(cls)
            for parent in sorted(parents.get(cls, ())):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        out[start] = tuple(order)
    return out


@dataclass(frozen=True)
class Vocabulary:
    """Classes, annotatable properties and concepts of the ontology."""

    classes: frozenset[str]
    superclasses: dict[str, frozenset[str]]
    properties: dict[str, Property]
    concepts: dict[str, frozenset[str]]  # scheme -> concept local names
    lineages: dict[str, tuple[str, ...]]  # class -> itself and its superclasses, nearest first

    def concept_for(self, prop: str, value: str) -> str | None:
        """The concept local name a written value means ("in force" -> "InForce"), or None."""
        wanted = value.replace(" ", "").replace("-", "").replace("_", "").lower()
        for scheme in CONCEPT_SCHEMES.get(prop, ()):
            for concept in self.concepts.get(scheme, ()):
                if concept.lower() == wanted:
                    return concept
        return None

    def concept_names(self, prop: str) -> list[str]:
        """Every concept the property accepts, sorted."""
        return sorted(c for s in CONCEPT_SCHEMES.get(prop, ()) for c in self.concepts.get(s, ()))

    def lineage(self, cls: str) -> tuple[str, ...]:
        """The class and its superclasses in the ontology, nearest first (local names)."""
        return self.lineages.get(cls, (cls,))

    def is_a(self, cls: str, ancestor: str) -> bool:
        """True when ``cls`` is ``ancestor`` or one of its subclasses."""
        return cls == ancestor or ancestor in self.superclasses.get(cls, frozenset())


def _local(iri: str) -> str | None:
    ns = str(TDO._NS)
    return iri[len(ns) :] if iri.startswith(ns) else None


@lru_cache(maxsize=4)
def vocabulary(ontology_path: str | None = None) -> Vocabulary:
    """Read the ontology once and describe what annotations may use.

    Args:
        ontology_path: the Turtle file; defaults to ``ontology/tdo.ttl``.

    Returns:
        The Vocabulary.
    """
    import pyoxigraph as ox

    path = Path(ontology_path) if ontology_path else ONTOLOGY_FILE
    try:
        triples = [
            (q.subject.value, q.predicate.value, q.object)
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        ]
    except (OSError, SyntaxError) as exc:
        raise OntologyError(f"{path}: cannot read the ontology: {exc}") from exc
    types: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    parents: dict[str, set[str]] = {}
    schemes: dict[str, set[str]] = {}
    for s, p, o in triples:
        ov = o.value
        if p == RDF_NS + "type":
            types.setdefault(s, set()).add(ov)
        elif p == RDFS_NS + "range":
            ranges[s] = ov
        elif p == RDFS_NS + "subClassOf":
            parents.setdefault(s, set()).add(ov)
        elif p == SKOS_NS + "inScheme" and isinstance(o, ox.NamedNode):
            schemes.setdefault(ov, set()).add(s)
    classes = {n for s, t in types.items() if OWL_NS + "Class" in t and (n := _local(s))}

    ns = str(TDO._NS)
    closure = lineages(parents)
    ordered = {c: tuple(n for a in closure.get(ns + c, (ns + c,)) if (n := _local(a))) for c in classes}
    superclasses = {c: frozenset(line[1:]) for c, line in ordered.items()}
    properties: dict[str, Property] = {}
    for s, t in types.items():
        name = _local(s)
        if not name:
            continue
        functional = OWL_NS + "FunctionalProperty" in t
        if OWL_NS + "ObjectProperty" in t:
            kind = "concept" if ranges.get(s) == SKOS_NS + "Concept" else "entity"
        elif OWL_NS + "DatatypeProperty" in t:
            rng = ranges.get(s, "")
            kind = {
                XSD_NS + "decimal": "decimal",
                XSD_NS + "duration": "duration",
                XSD_NS + "integer": "integer",
                XSD_NS + "boolean": "boolean",
            }.get(rng, "string")
            if name in DATE_PROPERTIES:
                kind = "date"
        else:
            continue
        properties[name] = Property(name, kind, functional)
    concepts = {
        n: frozenset(c for x in members if (c := _local(x)))
        for scheme, members in schemes.items()
        if (n := _local(scheme))
    }
    return Vocabulary(frozenset(classes), superclasses, properties, concepts, ordered)


def annotatable(vocab: Vocabulary) -> dict[str, Property]:
    """Properties a fact or registry entry may use as a field."""
    return {n: p for n, p in vocab.properties.items() if n not in PROVENANCE_ONLY}
