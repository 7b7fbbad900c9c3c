"""kg.api: open the built graph or an endpoint, query it, get rows, data frames and rdflib graphs."""

from __future__ import annotations

import socket
import subprocess
from collections import Counter

import pytest
import rdflib

from kg.api import open_graph
from kg.errors import QueryError, StoreError
from kg.sparql.endpoint import serve_args, start_oxigraph
from kg.sparql.query import resolve_query, run_query
from kg.store import store_path

ID = "https://w3id.org/trade-dispute/id/"
FACT = "https://w3id.org/trade-dispute/fact/"
TDO = rdflib.Namespace("https://w3id.org/trade-dispute/ontology#")
LETTER = "SELECT DISTINCT ?sender ?recipient WHERE { ?l a tdo:Letter ; tdo:sender ?sender ; tdo:recipient ?recipient }"
RATES = "SELECT ?measure ?rate WHERE { ?measure tdo:rate ?rate }"


@pytest.fixture(scope="module")
def graph(built):
    return open_graph(built)


@pytest.fixture(scope="module")
def endpoint(built):
    """A read-only Oxigraph server on the seed build (union default graph), ended by PID."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = start_oxigraph(serve_args(store_path(built), "127.0.0.1", port, timeout=60), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}/query"
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bag(result) -> Counter:
    return Counter(tuple(sorted(row.items())) for row in result.values())


def test_a_named_query_gives_what_run_query_gives(graph, built):
    result = graph.query("cq-letters")
    assert result.kind == "select" and result.rows
    assert bag(result) == bag(run_query(resolve_query("cq-letters"), built))


def test_rows_are_plain_values(graph):
    # article 000: "a letter from Chinese Prime Minister Li Qiang to his Japanese counterpart Shigeru Ishiba"
    assert graph.rows(LETTER) == [{"sender": ID + "li-qiang", "recipient": ID + "shigeru-ishiba"}]


def test_df_gives_numbers_for_numeric_columns(graph):
    frame = graph.df(RATES)
    assert list(frame.columns) == ["measure", "rate"]
    assert frame["rate"].dtype.kind in "iuf"
    rates = {(m.removeprefix(ID), r) for m, r in zip(frame["measure"], frame["rate"], strict=True)}
    # "tariffs of up to 245% on exports to the US" (000, 002); "the 24% tariffs" on Japan (000, 001, 003)
    assert {
        ("us-tariffs-on-china", 245),
        ("us-reciprocal-tariff-on-japan", 24),
        ("china-tariffs-on-us-goods", 125),
    } <= rates
    assert frame["rate"].max() == 245
    assert graph.df(RATES, typed=False)["rate"].map(type).eq(str).all()


def test_construct_gives_an_rdflib_graph_with_the_project_prefixes(graph):
    letters = graph.construct("CONSTRUCT { ?l tdo:sender ?s } WHERE { ?l a tdo:Letter ; tdo:sender ?s }")
    assert isinstance(letters, rdflib.Graph)
    assert set(letters) == {
        (rdflib.URIRef(ID + "li-qiang-letter-to-ishiba"), TDO.sender, rdflib.URIRef(ID + "li-qiang"))
    }
    assert dict(letters.namespaces())["tdo"] == rdflib.URIRef(str(TDO))
    assert "ns1:" not in letters.serialize(format="turtle")


def test_fact_graph_is_that_facts_named_graph(graph):
    fact = graph.fact_graph("a000-letter")
    assert fact.identifier == rdflib.URIRef(FACT + "a000-letter")
    letter = rdflib.URIRef(ID + "li-qiang-letter-to-ishiba")
    # "a letter from ... Li Qiang to ... Shigeru Ishiba, delivered by Chinese Ambassador to Tokyo Wu Jianghao"
    assert set(fact) == {
        (letter, rdflib.RDF.type, TDO.Letter),
        (letter, TDO.sender, rdflib.URIRef(ID + "li-qiang")),
        (letter, TDO.recipient, rdflib.URIRef(ID + "shigeru-ishiba")),
        (letter, TDO.deliveredBy, rdflib.URIRef(ID + "wu-jianghao")),
    }
    assert set(graph.fact_graph(FACT + "a000-letter")) == set(fact)


def test_an_unknown_fact_is_an_error_with_a_suggestion(graph):
    with pytest.raises(
        QueryError, match=r"no fact 'a000-leter' in the graph \(did you mean 'a000-letter'\?\)"
    ):
        graph.fact_graph("a000-leter")


def test_a_fact_id_cannot_smuggle_sparql(graph):
    with pytest.raises(QueryError, match="not a fact id"):
        graph.fact_graph("x> } } ; CLEAR ALL ; SELECT * { <y")


def test_the_wrong_query_form_is_a_clear_error(graph):
    with pytest.raises(QueryError, match="need a SELECT query, not ASK"):
        graph.df("ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="needs a CONSTRUCT or DESCRIBE query, not SELECT"):
        graph.construct(LETTER)


def test_updates_are_refused(graph):
    with pytest.raises(QueryError, match="DROP is not allowed"):
        graph.query("DROP ALL")


def test_opening_a_folder_without_a_build_says_so(tmp_path):
    with pytest.raises(StoreError, match="run 'kg build' first"):
        open_graph(tmp_path)


def test_in_process_queries_without_a_time_limit_agree(built, graph):
    assert open_graph(built, timeout=None).rows(LETTER) == graph.rows(LETTER)


def test_queries_lists_the_named_queries_with_their_questions(graph):
    questions = graph.queries()
    assert questions["cq-letters"].endswith("?")
    assert all(not name.endswith(".rq") for name in questions)


@pytest.mark.server
def test_an_endpoint_answers_like_the_embedded_store(endpoint, graph):
    remote = open_graph(endpoint=endpoint, timeout=60)
    assert bag(remote.query("cq-letters")) == bag(graph.query("cq-letters"))
    assert remote.df(RATES).sort_values(["measure", "rate"]).values.tolist() == (
        graph.df(RATES).sort_values(["measure", "rate"]).values.tolist()
    )
    assert set(remote.fact_graph("a000-letter")) == set(graph.fact_graph("a000-letter"))


def test_df_can_write_iris_with_prefixes(built):
    from kg.api import open_graph

    frame = open_graph(built, timeout=None).df("cq-people-by-state", short=True)
    assert ("id:pete-hegseth", "id:united-states") in set(zip(frame["person"], frame["state"], strict=True))
