"""The build: deterministic output, the same dataset in every form, provenance for every fact."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import graph_diff, isomorphic

from kg.build.origins import independent_origin
from kg.build.pipeline import build
from kg.build.quads import fact_quads
from kg.cli import main
from kg.rdf.namespaces import FACT, ID, TDO
from kg.seeds.anchor import Anchor
from kg.seeds.corpus import Claim, Fact, Value, decimal_lexical

SEEDS_ARTICLE = "000_47059b8c57473c03"


def test_two_builds_give_byte_identical_outputs(built, tmp_path):
    again = tmp_path / "again"
    build("seeds", again)
    assert (built / "kg.nq").read_bytes() == (again / "kg.nq").read_bytes()


def test_nquads_are_sorted_without_duplicates(built):
    lines = (built / "kg.nq").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(set(lines))


def test_exported_trig_and_nquads_hold_the_same_graphs(built, tmp_path):
    nq = rdflib.Dataset()
    nq.parse(built / "kg.nq", format="nquads")
    exported = CliRunner().invoke(
        main, ["export", "--format", "trig", "--build-dir", str(built), "--output", str(tmp_path / "kg.trig")]
    )
    assert exported.exit_code == 0, exported.output
    trig = rdflib.Dataset()
    trig.parse(tmp_path / "kg.trig", format="trig")
    names = {g.identifier for g in nq.graphs() if len(g)}
    assert names == {g.identifier for g in trig.graphs() if len(g)}
    for name in names:
        a, b = nq.graph(name), trig.graph(name)
        if not isomorphic(a, b):  # pragma: no cover - prints the difference on failure
            _, only_a, only_b = graph_diff(a, b)
            raise AssertionError(
                f"{name}: only in N-Quads {list(only_a)[:5]}, only in TriG {list(only_b)[:5]}"
            )


def test_store_holds_exactly_the_nquads(built, store):
    # compared through a fresh in-memory Oxigraph, which stores integer subtypes such as
    # oa:start's xsd:nonNegativeInteger the same way the on-disk store does
    reference = ox.Store()
    reference.load(path=str(built / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    in_file = {str(q) for q in reference.quads_for_pattern(None, None, None)}
    in_store = {str(q) for q in store.quads_for_pattern(None, None, None)}
    assert len(in_file) == len((built / "kg.nq").read_text(encoding="utf-8").splitlines())
    assert in_file == in_store


def test_one_named_graph_per_fact(corpus, store):
    graphs = {str(g.value) for g in store.named_graphs() if str(g.value).startswith(str(FACT))}
    assert graphs == {str(FACT[f.id]) for f in corpus.facts}


def test_every_fact_is_anchored_to_its_exact_quote(corpus, store):
    oa = "http://www.w3.org/ns/oa#"
    for fact in corpus.facts:
        text = corpus.sources[fact.article_id].text
        start, end = fact.anchor.start, fact.anchor.end
        assert text[start:end] == fact.anchor.exact
        sel = ox.NamedNode(f"{FACT[fact.id]}/position-selector")
        (s,) = [q.object.value for q in store.quads_for_pattern(sel, ox.NamedNode(oa + "start"), None)]
        (e,) = [q.object.value for q in store.quads_for_pattern(sel, ox.NamedNode(oa + "end"), None)]
        assert (int(s), int(e)) == (start, end)


def test_provenance_of_the_letter(store):
    g = ox.NamedNode(FACT["a000-letter"])

    def objects(subject, predicate):
        return {q.object.value for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)}

    assert objects(g, str(TDO.modality)) == {str(TDO.Reported)}
    assert objects(g, str(TDO.independentOrigin)) == {str(ID["kyodo-news"])}
    assert objects(g, "http://www.w3.org/ns/prov#wasDerivedFrom") == {
        f"https://w3id.org/trade-dispute/article/{SEEDS_ARTICLE}"
    }
    steps = objects(g, str(TDO.attribution))
    sources = {s for step in steps for s in objects(ox.NamedNode(step), str(TDO.source))}
    assert str(ID["kyodo-news"]) in sources
    assert any(s.endswith("/source/2") for s in sources), "the anonymous government sources"


def test_origin_falls_back_to_outlet_then_article(corpus):
    by_id = {f.id: f for f in corpus.facts}
    anadolu_own = next(f for f in corpus.facts if f.article_id == SEEDS_ARTICLE and not f.attribution)
    origin = independent_origin(anadolu_own, corpus.sources[SEEDS_ARTICLE], corpus.entities)
    assert origin == str(ID["anadolu-agency"])
    unknown_outlet = next(f for f in corpus.facts if f.article_id.startswith("003") and not f.attribution)
    source = corpus.sources[unknown_outlet.article_id]
    assert independent_origin(unknown_outlet, source, corpus.entities).endswith(
        "/article/" + source.article_id
    )
    assert by_id["a000-letter"].attribution[0].key == "kyodo-news"


# ---------------------------------------------------------------- round trip: record -> RDF -> record

KEYS = ["china", "japan", "united-states", "south-korea", "li-qiang", "donald-trump"]

entity_claims = st.builds(
    lambda prop, key: (prop, Value("entity", key)),
    st.sampled_from(["participant", "recipient", "party", "concerns"]),
    st.sampled_from(KEYS),
)
rate_claims = st.builds(
    lambda n: (
        "rate",
        Value("literal", decimal_lexical(n), "http://www.w3.org/2001/XMLSchema#decimal"),
    ),
    st.one_of(st.integers(0, 1000), st.decimals(0, 1000, places=2, allow_nan=False).map(float)),
)
date_claims = st.builds(
    lambda d: (
        "announcedOn",
        Value("literal", d.isoformat(), "http://www.w3.org/2001/XMLSchema#date"),
    ),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
)
text_claims = st.builds(lambda t: ("content", Value("literal", t)), st.text(min_size=1, max_size=40))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(entity_claims, rate_claims, date_claims, text_claims),
        min_size=1,
        max_size=8,
        unique=True,
    )
)
def test_any_valid_record_round_trips_through_rdf(corpus, claims):
    """Any valid record -> N-Quads -> rdflib -> record gives the same record."""
    source = corpus.sources[SEEDS_ARTICLE]
    fact = Fact(
        id="t-roundtrip",
        article_id=SEEDS_ARTICLE,
        quote="Kyodo News",
        anchor=Anchor(0, 4, source.text[:4], False),
        subject="us-tariffs-on-china",
        type=None,
        claims=tuple(Claim(p, v, 1, 1) for p, v in claims),
        date=None,
        modality="Asserted",
        attribution=(),
        note=None,
        path="facts/test.yaml",
        line=1,
    )
    quads = fact_quads(fact, source, corpus.entities)
    graph_name = f"<{FACT['t-roundtrip']}>"
    nquads = "\n".join(q for q in quads if q.endswith(graph_name + " .")) + "\n"
    ds = rdflib.Dataset()
    ds.parse(data=nquads, format="nquads")
    back = set()
    for s, p, o, _ in ds.quads((None, None, None, rdflib.URIRef(FACT["t-roundtrip"]))):
        assert str(s) == str(ID["us-tariffs-on-china"])
        prop = str(p).split("#")[-1]
        if isinstance(o, rdflib.URIRef):
            back.add((prop, Value("entity", str(o)[len(ID) :])))
        else:
            datatype = str(o.datatype) if o.datatype else None
            back.add((prop, Value("literal", str(o), datatype)))
    assert back == set(claims)
    for prop, value in claims:
        if prop == "rate":
            assert Decimal(value.value) <= 1000


def test_nquads_are_written_in_batches_with_their_digest(tmp_path):
    from kg.build.pipeline import _batches, _write_nquads

    lines = [f'<https://example.org/s{i}> <https://example.org/p> "é {i}" .' for i in range(250_003)]
    path = tmp_path / "kg.nq"
    digest = _write_nquads(_batches(lines), path)  # thirteen batches, hashed and written by a thread
    expected = ("\n".join(lines) + "\n").encode("utf-8")
    assert path.read_bytes() == expected
    assert digest == hashlib.sha256(expected).hexdigest()


def test_a_failed_nquads_write_is_raised_not_lost():
    from kg.build.pipeline import _write_nquads

    with pytest.raises(OSError):
        _write_nquads(
            [["<https://example.org/s> <https://example.org/p> <https://example.org/o> ."]], Path("/dev/full")
        )


def test_the_layer_is_merged_into_the_named_graphs_in_order(tmp_path):
    """kg.nq is one sorted document although the named graphs are written (and leave memory)
    before the knowledge layer is made from them: the two sorted runs are merged batch by batch."""
    import random

    from kg.build.pipeline import BATCH_LINES, _batches, _merged, _write_nquads

    rng = random.Random(7)
    graphs = sorted(
        f'<https://example.org/s{rng.randrange(10**6)}> <https://example.org/p> "{i}" <https://example.org/g> .'
        for i in range(3 * BATCH_LINES + 17)
    )
    layer = sorted(
        {
            f'<https://example.org/s{rng.randrange(10**6)}> <https://example.org/q> "x" .'
            for _ in range(50_000)
        }
    )
    layer.append('<https://example.org/z> <https://example.org/q> "after every graph line" .')
    before = graphs[len(graphs) // 2]  # a block of layer lines between two lines of the file, as claims are
    layer = sorted(layer + [f"{before[:-2]}{i:06d} ." for i in range(3 * BATCH_LINES)])
    part = tmp_path / "graphs.nq"
    _write_nquads(_batches(graphs), part)
    out = tmp_path / "kg.nq"
    batches = list(_merged(part, layer))
    assert max(map(len, batches)) <= BATCH_LINES  # memory stays bounded however the lines fall
    digest = _write_nquads(batches, out)
    expected = ("\n".join(sorted(graphs + layer)) + "\n").encode("utf-8")
    assert out.read_bytes() == expected
    assert digest == hashlib.sha256(expected).hexdigest()


def test_manifest_is_json_with_a_line_per_fact(built):
    import json

    text = (built / "manifest.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    nquads = (built / "kg.nq").read_text(encoding="utf-8").splitlines()
    graphs = {line.rsplit(" ", 2)[1] for line in nquads}
    assert {f"<{FACT[fid]}>" for fid in doc["facts"]} == {g for g in graphs if g.startswith(f"<{FACT}")}
    lines = set(text.splitlines())
    for fid, record in doc["facts"].items():
        line = f"  {json.dumps(fid)}: {json.dumps(record, sort_keys=True)}"
        assert line in lines or line + "," in lines, fid
    assert list(doc) == sorted(doc)
    assert doc["quads"] == len(nquads)
