"""benchmarks/probe.py: the probe beside each competency query, on the seeds' build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.probe import (
    MAX_WIDTH,
    computed_variables,
    hash_probe,
    measure_query,
    rdflib_times,
    star_probe,
    stored_terms,
    verdict,
)
from kg.sparql.query import execute, named_queries

ROOT = Path(__file__).resolve().parent.parent


def test_computed_variables_are_those_bound_by_expressions():
    text = "SELECT ?s (COUNT(?o) AS ?n) (GROUP_CONCAT(?o) AS ?all) WHERE { ?s ?p ?o BIND(STR(?o) AS ?t) } GROUP BY ?s"
    assert computed_variables(text) == {"n", "all", "t"}
    # the competency queries read stored terms only: the layer stores the counts they show
    corroboration = named_queries()["cq-corroboration"].read_text(encoding="utf-8")
    assert computed_variables(corroboration) == set()
    # a comment naming "AS ?x" binds nothing, on its own line or after a pattern
    assert computed_variables("# (COUNT(*) AS ?n)\nSELECT ?a WHERE { ?a ?b ?c } # (COUNT(*) AS ?m)") == set()
    assert computed_variables("SELECT (COUNT(*) AS $n) WHERE { ?a <urn:x#y> ?c }") == {"n"}


def test_variables_handing_on_a_stored_term_are_not_computed():
    # BIND(?in AS ?state): a stored term under another name
    people = computed_variables(named_queries()["cq-people-by-state"].read_text(encoding="utf-8"))
    assert people == set()
    assert computed_variables("SELECT (SAMPLE(?x) AS ?y) (MIN(?d) AS ?m) WHERE { ?s ?p ?x ; ?q ?d }") == set()
    assert computed_variables(
        "SELECT (SAMPLE(?c) AS ?y) WHERE { { SELECT (GROUP_CONCAT(?x) AS ?c) WHERE { ?s ?p ?x } } }"
    ) == {"c", "y"}


def test_stored_terms_count_bound_values_of_plain_columns(store):
    for name in ("cq-corroboration", "cq-articles"):
        text = named_queries()[name].read_text(encoding="utf-8")
        result = execute(store, text)
        assert result.rows
        bound = sum(len(row) for row in result.rows)  # unbound OPTIONAL columns are absent
        assert stored_terms(result, computed_variables(text)) == bound
    text = "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s a tdo:Tariff ; ?p ?o } GROUP BY ?s"
    result = execute(store, text)
    assert stored_terms(result, computed_variables(text)) == len(result.rows)  # ?n is computed


@pytest.mark.parametrize("width", [1, 2, 4, MAX_WIDTH])
def test_both_probe_plans_give_the_same_answer_of_the_asked_shape(store, width):
    facts = len(execute(store, star_probe(10**6, 1)).rows)
    assert facts > 50
    star = execute(store, star_probe(50, width))
    assert len(star.variables) == width and len(star.rows) == 50
    assert all(len(row) == width for row in star.rows)  # every term bound: a fact has each property once
    assert len(execute(store, hash_probe(50, width)).rows) == 50
    # over every fact the two plans must give the same rows (with a LIMIT, which facts is up to the store)
    as_set = lambda r: {tuple(sorted((k, v["value"]) for k, v in row.items())) for row in r.rows}  # noqa: E731
    everything = as_set(execute(store, star_probe(facts, width)))
    assert len(everything) == facts and everything == as_set(execute(store, hash_probe(facts, width)))
    with pytest.raises(ValueError):
        star_probe(5, MAX_WIDTH + 1)


def test_measure_query_reports_the_answer_and_its_probe(store):
    text = named_queries()["cq-post-holders"].read_text(encoding="utf-8")
    facts = len(execute(store, star_probe(10**6, 1)).rows)
    row = measure_query(store, "cq-post-holders", text, facts, repeats=2, budget_ms=60_000)
    expected = execute(store, text)
    assert row["rows"] == len(expected.rows) > 0
    assert row["runs"] == 2 and row["median_ms"] > 0 and row["probe_ms"] > 0 and row["first_rows_ms"] > 0
    # every column is a stored term (names, evidence, counts and IRIs), each row has all ten
    assert row["terms_per_row"] == len(expected.variables) == 10
    assert row["capped"]  # wider than the widest probe


def test_a_query_over_its_budget_runs_once(store):
    text = named_queries()["cq-pause"].read_text(encoding="utf-8")
    assert measure_query(store, "cq-pause", text, 100, repeats=5, budget_ms=0)["runs"] == 1


def test_verdicts_compare_with_the_targets():
    row = {"median_ms": 250.0, "probe_ms": 300.0, "first_rows_ms": 20.0}
    assert verdict(row) == ("met", "met")
    row = {"median_ms": 250.0, "probe_ms": 100.0, "first_rows_ms": 150.0}
    assert verdict(row) == ("not met", "not met")
    assert verdict({"median_ms": 200.0, "probe_ms": 100.0, "first_rows_ms": 99.9}) == ("met", "met")


def test_rdflib_times_come_from_the_run_at_the_same_size(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps(
            [
                {"facts": 10, "baseline": {"queries": {"cq-a": 9.0}}},
                {
                    "facts": 20,
                    "baseline": {
                        "queries": {"cq-a": 1.5},
                        "timeouts": {"cq-b": 30},
                        "errors": {"cq-c": "ParseException"},
                    },
                },
            ]
        )
    )
    assert rdflib_times(results, 20) == {"cq-a": 1.5, "cq-b": "> 30", "cq-c": "error"}
    assert rdflib_times(results, 30) == {}
    assert rdflib_times(tmp_path / "missing.json", 20) == {}


def test_the_script_writes_its_table_for_a_build(built, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "probe.py"),
            "--build",
            str(built),
            "--repeats",
            "1",
            "--out",
            str(out),
            "--results",
            str(tmp_path / "no-results.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads((out / "probe.json").read_text())
    names = {p.stem for p in (ROOT / "ontology" / "queries").glob("cq-*.rq")}
    assert {q["query"] for q in data["queries"]} == names
    table = (out / "probe.md").read_text()
    assert all(f"| {name} |" in table for name in names)


def test_the_script_names_a_missing_build_or_store(tmp_path):
    script = str(ROOT / "benchmarks" / "probe.py")
    result = subprocess.run(
        [sys.executable, script, "--build", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no build in" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "manifest.json").write_text(json.dumps({"facts": {}, "quads": 0}))
    result = subprocess.run(
        [sys.executable, script, "--build", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "no store at" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, script, "--build", str(tmp_path), "--repeats", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--repeats must be 1 or more" in result.stderr
