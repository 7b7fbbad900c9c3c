"""The ``*-violation.rq`` queries find what they are written for, on the real seed graph.

The loader already refuses most of these mistakes in the seeds (an unknown key, a quote that is
not in the article), so the queries are the second line of defence, for data that reaches a
store another way. Each test plants one mistake in a copy of the seed build's quads and checks
that exactly that mistake is reported, and that the clean graph reports nothing. The queries are
rewritten for speed at scale (see benchmarks/README.md); these tests keep the rewrites honest.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build.validate import violation_queries

BASE = "https://w3id.org/trade-dispute/"
ID, FACT = BASE + "id/", BASE + "fact/"
OA = "http://www.w3.org/ns/oa#"
TDO = BASE + "ontology#"
PROV_GRAPH = ox.NamedNode(BASE + "graph/provenance")


@pytest.fixture()
def seed_store(built):
    store = ox.Store()
    store.bulk_load(path=str(built / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def found(store: ox.Store) -> dict[str, list[tuple[str, str]]]:
    """Query name -> sorted (focus, message) rows, for every violation query with rows."""
    out = {}
    for name, text in violation_queries().items():
        rows = sorted(
            (r["focus"].value, r["message"].value) for r in store.query(text, use_default_graph_as_union=True)
        )
        if rows:
            out[name] = rows
    return out


def a_fact_with(store: ox.Store, predicate: str) -> str:
    """The first fact graph (IRI order) holding a triple with this predicate."""
    rows = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }} }} ORDER BY ?g LIMIT 1")
    return next(iter(rows))["g"].value


def test_the_seed_graph_violates_nothing(seed_store):
    assert found(seed_store) == {}


def test_an_unregistered_subject_or_object_in_a_fact(seed_store):
    graph = ox.NamedNode(a_fact_with(seed_store, TDO + "sender"))
    seed_store.add(
        ox.Quad(
            ox.NamedNode(ID + "nobody"), ox.NamedNode(TDO + "sender"), ox.NamedNode(ID + "li-qiang"), graph
        )
    )
    seed_store.add(
        ox.Quad(
            ox.NamedNode(ID + "letter-x"), ox.NamedNode(TDO + "recipient"), ox.NamedNode(ID + "no-one"), graph
        )
    )
    # an IRI outside the id/ namespace is not the registry's business
    seed_store.add(ox.Quad(ox.NamedNode(ID + "li-qiang"), ox.NamedNode(TDO + "sender"), ox.NamedNode("http://example.org/x"), graph))  # fmt: skip
    rows = found(seed_store)
    assert rows.pop("unregistered-entity-violation") == [
        (ID + iri, "not in the registry: " + ID + iri) for iri in ("letter-x", "no-one", "nobody")
    ]
    assert rows == {}


def test_an_unregistered_iri_outside_fact_graphs_is_not_reported(seed_store):
    seed_store.add(ox.Quad(ox.NamedNode(ID + "nobody"), ox.NamedNode(TDO + "sender"), ox.NamedNode(ID + "li-qiang"), PROV_GRAPH))  # fmt: skip
    assert "unregistered-entity-violation" not in found(seed_store)


def test_offsets_that_do_not_span_the_quote(seed_store):
    fact = a_fact_with(seed_store, TDO + "sender")
    selector = ox.NamedNode(fact + "/position-selector")
    (old,) = seed_store.quads_for_pattern(selector, ox.NamedNode(OA + "end"), None, PROV_GRAPH)
    seed_store.remove(old)
    seed_store.add(ox.Quad(selector, ox.NamedNode(OA + "end"), ox.Literal(str(int(old.object.value) + 3), datatype=old.object.datatype), PROV_GRAPH))  # fmt: skip
    (exact,) = seed_store.quads_for_pattern(ox.NamedNode(fact + "/quote-selector"), ox.NamedNode(OA + "exact"), None, PROV_GRAPH)  # fmt: skip
    length = len(exact.object.value)
    start = int(next(iter(seed_store.quads_for_pattern(selector, ox.NamedNode(OA + "start"), None, PROV_GRAPH))).object.value)  # fmt: skip
    assert found(seed_store) == {
        "quote-offsets-violation": [
            (fact, f"quote of length {length} does not fit offsets {start}-{int(old.object.value) + 3}")
        ]
    }


def test_a_fact_graph_without_provenance(seed_store):
    orphan = ox.NamedNode(FACT + "orphan")
    seed_store.add(ox.Quad(ox.NamedNode(ID + "li-qiang"), ox.NamedNode(TDO + "sender"), ox.NamedNode(ID + "li-qiang"), orphan))  # fmt: skip
    rows = found(seed_store)
    assert rows.pop("fact-without-provenance-violation") == [
        (orphan.value, "fact graph without a provenance record")
    ]
    assert set(rows) <= {"letter-to-self-violation"}  # li-qiang writing to himself, in that graph


def test_a_measure_aimed_at_its_imposer(seed_store):
    graph = ox.NamedNode(a_fact_with(seed_store, TDO + "imposedBy"))
    measure, imposer = next(
        (q.subject, q.object)
        for q in seed_store.quads_for_pattern(None, ox.NamedNode(TDO + "imposedBy"), None, graph)
    )
    seed_store.add(ox.Quad(measure, ox.NamedNode(TDO + "target"), imposer, graph))
    assert found(seed_store) == {
        "self-directed-measure-violation": [
            (measure.value, "a measure cannot target the state that imposes it")
        ]
    }
