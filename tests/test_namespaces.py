"""The closed Python namespace and the hand-written ontology stay in sync; every term is documented."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS

from kg.rdf.namespaces import PREFIXES, TDO
from kg.rdf.vocabulary import vocabulary
from kg.resources import ONTOLOGY_DIR

NS = str(TDO._NS)


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(ONTOLOGY_DIR / "tdo.ttl", format="turtle")


def ontology_terms(graph) -> set[str]:
    return {str(s)[len(NS) :] for s in graph.subjects() if str(s).startswith(NS)}


def test_every_ontology_term_is_in_the_closed_namespace(ontology):
    missing = ontology_terms(ontology) - set(TDO.__annotations__)
    assert not missing, f"add to kg/namespaces.py: {sorted(missing)}"


def test_every_namespace_term_is_defined_in_the_ontology(ontology):
    extra = set(TDO.__annotations__) - ontology_terms(ontology)
    assert not extra, f"not in ontology/tdo.ttl: {sorted(extra)}"


def test_a_typo_fails_at_once():
    with pytest.raises(AttributeError):
        TDO.Lettr  # noqa: B018


def test_every_class_and_property_has_label_and_comment(ontology):
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        SKOS.Concept,
    )
    for kind in kinds:
        for term in ontology.subjects(RDF.type, kind):
            if not str(term).startswith(NS):
                continue
            assert ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
            assert ontology.value(term, RDFS.comment), f"{term} has no rdfs:comment"


def test_ontology_aligns_to_standard_vocabularies(ontology):
    parents = {str(o) for o in ontology.objects(None, RDFS.subClassOf)}
    parents |= {str(o) for o in ontology.objects(None, RDFS.subPropertyOf)}
    for vocabulary_iri in (
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "https://schema.org/",
        "http://www.w3.org/2004/02/skos/core#",
        "http://purl.org/dc/terms/",
    ):
        assert any(p.startswith(vocabulary_iri) for p in parents), f"no alignment to {vocabulary_iri}"


def test_controlled_lists_are_skos_schemes(ontology):
    vocab = vocabulary()
    assert vocab.concepts["MeasureStatusScheme"] == {
        "Threatened",
        "Announced",
        "InForce",
        "Paused",
        "Modified",
        "Revoked",
    }
    assert vocab.concepts["ModalityScheme"] >= {
        "Asserted",
        "Reported",
        "Expected",
        "Planned",
        "Considered",
        "Denied",
    }
    assert vocab.concepts["InteractionSignScheme"] == {"Cooperation", "Conflict", "Neutral"}
    assert {"Letter", "Meeting", "Warning", "Visit"} <= vocab.concepts["EventTypeScheme"]


def test_no_blank_nodes_in_the_ontology(ontology):
    assert not any(isinstance(t, rdflib.BNode) for triple in ontology for t in triple)


def test_bound_prefixes_cover_every_namespace_used():
    assert PREFIXES["tdo"] == NS
    assert len(set(PREFIXES.values())) == len(PREFIXES)
