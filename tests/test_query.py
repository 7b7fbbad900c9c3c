"""kg.sparql.query: safety checks, result formats, named queries."""

from __future__ import annotations

import csv
import io
import json

import pytest

from kg.errors import QueryError
from kg.sparql.check import refuse_unsafe
from kg.sparql.query import resolve_query, run_query
from kg.sparql.results import format_result

LETTER = "SELECT ?sender ?recipient WHERE { ?l a tdo:Letter ; tdo:sender ?sender ; tdo:recipient ?recipient }"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }",
        "select * where { service <http://x> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o } # harmless\nSERVICE",
    ],
)
def test_service_is_refused_wherever_it_is_a_keyword(query):
    with pytest.raises(QueryError, match="SERVICE is not allowed"):
        refuse_unsafe(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s tdo:content "the SERVICE was slow, LOAD it" }',
        "SELECT ?load ?service WHERE { ?load ?service ?o }",
        "SELECT * WHERE { ?s a <http://example.org/SERVICE> } # no LOAD here",
        "PREFIX load: <http://example.org/> SELECT * WHERE { ?s load:add ?o }",
    ],
)
def test_keywords_inside_strings_iris_variables_and_comments_are_fine(query):
    refuse_unsafe(query)


@pytest.mark.parametrize(
    "update",
    ["INSERT DATA { <a:b> <a:c> <a:d> }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL", "CLEAR DEFAULT"],
)
def test_updates_are_refused(update):
    with pytest.raises(QueryError, match="is not allowed: the graph is read-only"):
        refuse_unsafe(update)


def test_in_process_and_time_limited_runs_agree(built):
    unbounded = run_query(LETTER, built, timeout=None)
    limited = run_query(LETTER, built, timeout=10)
    assert sorted(map(str, unbounded.values())) == sorted(map(str, limited.values()))
    assert {(r["sender"], r["recipient"]) for r in unbounded.values()} == {
        (
            "https://w3id.org/trade-dispute/id/li-qiang",
            "https://w3id.org/trade-dispute/id/shigeru-ishiba",
        )
    }


def test_formats(built):
    result = run_query(LETTER + " LIMIT 1", built)
    table = format_result(result, "table").splitlines()
    assert table[0].split() == ["sender", "recipient"] and "id:li-qiang" in table[2]
    rows = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert rows[0] == ["sender", "recipient"] and rows[1][0].endswith("/id/li-qiang")
    tsv = format_result(result, "tsv").splitlines()
    assert tsv[0] == "?sender\t?recipient" and tsv[1].startswith(
        "<https://w3id.org/trade-dispute/id/li-qiang>"
    )
    doc = json.loads(format_result(result, "json"))
    assert doc["head"]["vars"] == ["sender", "recipient"]
    assert doc["results"]["bindings"][0]["sender"]["type"] == "uri"


def test_ask_and_construct(built):
    assert run_query("ASK { ?s a tdo:Letter }", built).boolean is True
    assert run_query("ASK { ?s a tdo:Letter ; tdo:sender id:shigeru-ishiba }", built).boolean is False
    graph = run_query("CONSTRUCT { ?s tdo:sender ?o } WHERE { ?s tdo:sender ?o }", built)
    assert graph.kind == "graph" and "li-qiang" in graph.ntriples


def test_union_default_graph_still_reaches_each_fact_graph(built):
    result = run_query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { id:li-qiang-letter-to-ishiba tdo:sender ?o } }",
        built,
    )
    assert len(result.rows) == 3


def test_resolve_named_file_and_text(tmp_path):
    assert "tdo:Letter" in resolve_query("cq-letters")
    path = tmp_path / "mine.rq"
    path.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert resolve_query(str(path)) == "ASK { ?s ?p ?o }"
    assert resolve_query("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"
    with pytest.raises(QueryError, match="no query file"):
        resolve_query(str(tmp_path / "missing.rq"))


def test_a_syntax_error_is_one_line_with_its_line_and_column(built):
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(
        main, ["query", "SELECT ?x WHERE {\n  ?x tdo:rate }", "--build-dir", str(built)]
    )
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: SPARQL syntax error at line 2, column 15")
    assert "\\u{" not in line and len(line) < 200


def test_a_term_the_ontology_lacks_is_named_with_the_closest_one(built):
    from click.testing import CliRunner

    from kg.cli import main
    from kg.sparql.query import unknown_terms

    assert unknown_terms(
        "SELECT * { ?m tdo:rate ?r ; a tdo:Tarif . ?m <https://w3id.org/trade-dispute/ontology#sendr> ?s }"
    ) == [
        "tdo:Tarif is not in the ontology (did you mean 'Tariff'?)",
        "tdo:sendr is not in the ontology (did you mean 'sender'?)",
    ]
    assert unknown_terms('SELECT * { ?m tdo:rate ?r FILTER(?r != "tdo:nothing") } # tdo:neither') == []
    result = CliRunner().invoke(
        main, ["query", "SELECT ?x WHERE { ?x tdo:nosuchprop ?y }", "--build-dir", str(built)]
    )
    assert result.exit_code == 0
    assert "warning: tdo:nosuchprop is not in the ontology" in result.output
