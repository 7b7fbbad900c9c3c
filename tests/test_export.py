"""kg export: JSON-LD that round-trips, GraphML and GEXF that networkx reads back, the events table."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pycountry
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.analysis.export import (
    EVENT_COLUMNS,
    LIST_SEPARATOR,
    flat_projection,
    flat_value,
    jsonld_context,
    state_codes,
)
from kg.cli import main
from kg.rdf.namespaces import PREFIXES, TDO


def run(*args):
    return CliRunner().invoke(main, ["export", *args], catch_exceptions=False)


def default_graph(store) -> rdflib.Graph:
    """The store's default graph read straight from Oxigraph (not through kg.analysis.export)."""
    import pyoxigraph as ox

    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def named_graph(store, iri: str) -> rdflib.Graph:
    import pyoxigraph as ox

    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


# ------------------------------------------------------------------------------------ JSON-LD


def test_the_context_declares_every_prefix_and_only_ontology_terms():
    context = jsonld_context()
    for prefix, iri in PREFIXES.items():
        assert context[prefix] == iri
    for term, definition in context.items():
        if isinstance(definition, dict) and definition["@id"].startswith("tdo:"):
            assert getattr(TDO, definition["@id"][4:]) is not None, term  # closed namespace: a typo fails


def test_jsonld_of_the_knowledge_layer_round_trips(built, store, tmp_path):
    out = tmp_path / "layer.jsonld"
    result = run("--format", "jsonld", "--output", str(out), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"] == jsonld_context() | doc["@context"]  # the published context, embedded
    letter = next(n for n in doc["@graph"] if n.get("@id") == "id:li-qiang-letter-to-ishiba")
    assert letter["sender"] == "id:li-qiang"  # compact: terms and prefixed IRIs
    assert letter["label"].startswith("Li Qiang's letter")
    back = rdflib.Graph().parse(out, format="json-ld")
    expected = default_graph(store)
    assert len(expected) > 5000
    assert isomorphic(back, expected)


def test_jsonld_with_graphs_writes_one_document_per_named_graph(built, store, tmp_path):
    out = tmp_path / "jsonld"
    result = run("--format", "jsonld", "--graphs", "--output", str(out), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    names = [str(g.value) for g in store.named_graphs()]
    facts = sorted(out.glob("graphs/fact/*.jsonld"))
    assert len(facts) == sum(n.startswith(PREFIXES["fact"]) for n in names) == 196
    assert len(result.output.split()) == len(names) + 1  # the layer and each named graph
    assert (out / "graphs/graph/provenance.jsonld").is_file() and (
        out / "graphs/fact/a000-letter.jsonld"
    ).is_file()
    documents = sorted(out.glob("graphs/**/*.jsonld"))
    assert sorted(json.loads(p.read_text(encoding="utf-8"))["@id"] for p in documents) == sorted(names)
    for path in documents:
        iri = json.loads(path.read_text(encoding="utf-8"))["@id"]
        back = rdflib.Dataset().parse(path, format="json-ld").graph(rdflib.URIRef(iri))
        assert len(back) > 0, path  # a document with @id and @graph is that named graph
        assert isomorphic(back, named_graph(store, iri)), path
    assert isomorphic(rdflib.Graph().parse(out / "layer.jsonld", format="json-ld"), default_graph(store))


# ------------------------------------------------------------------------------ GraphML, GEXF


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_projections_read_back_with_the_same_counts(built, store, tmp_path, fmt, reader):
    from kg.analysis.project import actor_graph, measures_graph, state_graph

    result = run("--format", fmt, "--output", str(tmp_path), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    for view, build in (("actor", actor_graph), ("state", state_graph), ("measures", measures_graph)):
        projection = build(store)
        back = reader(tmp_path / f"{view}.{fmt}")
        assert (back.number_of_nodes(), back.number_of_edges()) == (
            projection.number_of_nodes(),
            projection.number_of_edges(),
        ), view
        assert back.is_directed() == projection.is_directed()
        assert projection.number_of_edges() > 0
        signs = {d["sign"] for *_, d in back.edges(data=True)}
        assert signs <= {-1, 0, 1} and signs, f"{view}: sign is typed as an integer"


def test_one_view_goes_to_one_file(built, tmp_path):
    out = tmp_path / "states.graphml"
    result = run("--format", "graphml", "--view", "state", "--output", str(out), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(out)
    assert sorted(d["label"] for _, d in back.nodes(data=True)) == [
        "China",
        "Japan",
        "South Korea",
        "United States",
    ]
    edge = next(d for *_, d in back.edges(data=True))
    assert isinstance(edge["weight"], int) and isinstance(edge["relations"], str)


def test_list_and_dict_attributes_become_text():
    assert flat_value(["a", "b"]) == f"a{LIST_SEPARATOR}b"
    assert flat_value([]) == ""
    assert json.loads(flat_value([{"fact": "f", "quote": "q"}])) == [{"fact": "f", "quote": "q"}]
    assert flat_value(None) is None
    assert flat_value(3) == 3 and flat_value(True) is True


def test_an_attribute_gets_one_type_across_edges():
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", rate=24, note=None, tags=["x"])
    graph.add_edge("a", "b", rate=24.5, note="n")
    graph.add_edge("b", "a", rate="unknown")
    flat = flat_projection(graph)
    assert [type(d["rate"]) for *_, d in flat.edges(data=True)] == [str, str, str]
    graph.remove_edge("b", "a")
    flat = flat_projection(graph)
    assert [d["rate"] for *_, d in flat.edges(data=True)] == [24.0, 24.5]
    assert "note" not in next(iter(flat.edges(data=True)))[2]  # None is left out, not written
    assert "\n".join(nx.generate_graphml(flat))


# ------------------------------------------------------------------------------ events table


def read_events(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def events(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "events.csv"
    result = run("--format", "csv", "--output", str(out), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    return read_events(out)


def test_one_row_per_event_or_measure(store, events):
    from kg.sparql.query import execute

    expected = execute(
        store,
        "SELECT DISTINCT ?x WHERE { ?x a ?c . ?c rdfs:subClassOf* ?top "
        "VALUES ?top { tdo:Event tdo:TradeMeasure } FILTER(STRSTARTS(STR(?x), STR(id:))) }",
    ).column("x")
    assert sorted(r["iri"] for r in events) == sorted(expected)
    assert len(events) == len({r["event_id"] for r in events}) == 46
    assert list(events[0]) == list(EVENT_COLUMNS)


def test_every_state_of_the_seeds_has_an_iso_code(store, events):
    codes = state_codes(store)
    assert codes == {
        PREFIXES["id"] + "china": "CHN",
        PREFIXES["id"] + "japan": "JPN",
        PREFIXES["id"] + "south-korea": "KOR",
        PREFIXES["id"] + "united-states": "USA",
    }
    alpha3 = {c.alpha_3 for c in pycountry.countries}
    for row in events:
        for side in ("source", "target"):
            countries = [c for c in row[f"{side}_country"].split(LIST_SEPARATOR) if c]
            isos = [c for c in row[f"{side}_iso3"].split(LIST_SEPARATOR) if c]
            assert len(countries) == len(isos), row["event_id"]
            assert set(isos) <= alpha3
    assert sum(bool(r["source_iso3"]) for r in events) >= 35


def test_a_measure_row_carries_rate_sign_and_evidence(events):
    row = next(r for r in events if r["event_id"] == "us-tariffs-on-china")
    assert (row["source_iso3"], row["target_iso3"]) == ("USA", "CHN")
    assert (row["event_type"], row["category"], row["sign"]) == ("Tariff", "SANCTION", "conflict")
    assert (row["rate"], row["rate_kind"], row["status"]) == ("145", "baseline", "in force")
    assert int(row["independent_origins"]) >= 2 and row["quote"]
    assert row["quote_article"] in row["articles"].split(LIST_SEPARATOR)


def test_event_rows_have_dates_categories_and_signs(events):
    letter = next(r for r in events if r["event_id"] == "li-qiang-letter-to-ishiba")
    assert (letter["source_actor"], letter["target_actor"]) == ("Li Qiang", "Shigeru Ishiba")
    assert (letter["source_iso3"], letter["target_iso3"]) == ("CHN", "JPN")
    assert letter["category"] == "CONSULT" and letter["sign"] == "neutral"
    warning = next(r for r in events if r["event_type"] == "Warning")
    assert (warning["category"], warning["sign"]) == ("THREATEN", "conflict")  # its own sign, not Statement's
    ban = next(r for r in events if r["event_id"] == "china-seafood-import-ban")
    assert (ban["date"], ban["date_basis"]) == ("2023-08", "effective")
    assert {r["date_basis"] for r in events} <= {
        "event date",
        "announced",
        "effective",
        "fact date",
        "article date",
        "",
    }
    assert {r["sign"] for r in events} <= {"cooperation", "conflict", "neutral", ""}
    for row in events:  # a category never says the opposite of the ontology's sign
        if row["category"] in ("SANCTION", "THREATEN"):
            assert row["sign"] == "conflict", row["event_id"]
        if row["category"] in ("CONSULT", "REQUEST", "CONCEDE", "RETREAT"):
            assert row["sign"] != "conflict", row["event_id"]
    assert all(r["date"] for r in events if int(r["fact_count"]))


# ------------------------------------------------------------------------------ usage


@pytest.mark.parametrize(
    "args,message",
    [
        (["--format", "csv", "--view", "actor"], "--view applies to --format graphml or gexf"),
        (["--format", "graphml", "--graphs"], "--graphs applies to --format jsonld"),
        (["--format", "csv", "--as-of", "2025-04-01"], "--as-of applies to --format graphml or gexf"),
    ],
)
def test_bad_usage_is_exit_2_without_traceback(built, args, message):
    result = run(*args, "--build-dir", str(built))
    assert result.exit_code == 2
    assert f"error: {message}" in result.output and "Traceback" not in result.output


def test_output_of_the_wrong_kind_is_refused_and_left_alone(built, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run("--format", "csv", "--output", str(folder), "--build-dir", str(built))
    assert result.exit_code == 2 and "is a folder" in result.output
    afile = tmp_path / "events.csv"
    afile.write_text("keep", encoding="utf-8")
    result = run("--format", "graphml", "--output", str(afile), "--build-dir", str(built))
    assert result.exit_code == 2 and "writes several documents into a folder" in result.output
    result = run("--format", "csv", "--output", str(afile / "x.csv"), "--build-dir", str(built))
    assert result.exit_code == 2 and "is a file, not a folder" in result.output
    assert afile.read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "folder"]  # no temp files left


def test_an_existing_export_is_replaced_whole(built, tmp_path):
    out = tmp_path / "events.csv"
    out.write_text("old\n", encoding="utf-8")
    assert run("--format", "csv", "--output", str(out), "--build-dir", str(built)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(",".join(EVENT_COLUMNS))
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]


def test_default_outputs_go_under_the_build_folder(built, tmp_path):
    import shutil

    build = tmp_path / "build"
    shutil.copytree(built, build, symlinks=True)
    result = run("--format", "gexf", "--view", "measures", "--build-dir", str(build))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(build / "export" / "measures.gexf")
    assert nx.read_gexf(build / "export" / "measures.gexf").number_of_edges() == 10


def test_as_of_exports_the_projection_of_that_date(built, store, tmp_path):
    from kg.analysis.project import actor_graph

    out = tmp_path / "actor.gexf"
    args = ("--format", "gexf", "--view", "actor", "--as-of", "2025-04-01", "--output", str(out))
    assert run(*args, "--build-dir", str(built)).exit_code == 0
    earlier, now = actor_graph(store, as_of="2025-04-01"), actor_graph(store)
    assert earlier.number_of_edges() < now.number_of_edges()
    assert nx.read_gexf(out).number_of_edges() == earlier.number_of_edges()


def test_the_parquet_events_table_is_the_csv_typed(built, tmp_path):
    import pandas as pd

    for fmt in ("csv", "parquet"):
        args = [
            "export",
            "--format",
            fmt,
            "--build-dir",
            str(built),
            "--output",
            str(tmp_path / f"events.{fmt}"),
        ]
        assert CliRunner().invoke(main, args).exit_code == 0
    table = pd.read_parquet(tmp_path / "events.parquet")
    text = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(text.columns)
    assert len(table) == len(text) > 0
    assert str(table["rate"].dtype) == "float64" and str(table["independent_origins"].dtype) == "int64"
    rates = sorted(float(r) for r in text["rate"] if r)
    assert sorted(table["rate"].dropna()) == rates and 24.0 in rates
    as_text = table.drop(columns=["rate"]).astype(object).where(table.drop(columns=["rate"]).notna(), "")
    assert as_text.astype(str).values.tolist() == text.drop(columns=["rate"]).values.tolist()
