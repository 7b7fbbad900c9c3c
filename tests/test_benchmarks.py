"""The benchmark harness in quick mode, and the fast paths it measures: each gives exactly the
bytes and answers of the simple path it replaced."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.run import measure
from kg.analysis.trig import write_trig, write_trig_sorted
from kg.build.layer import graph_of
from kg.rdf.namespaces import BASE, PREFIXES
from kg.rdf.terms import literal

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_run(tmp_path):
    out = tmp_path / "bench"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "150",
            "--quick",
            "--build-repeats",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [size] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert size["facts"] == 150
    assert size["quads"] > 150 * 25
    assert size["build"]["wall"] > 0 and size["oxigraph_alone"]["wall"] > 0
    assert len(size["build"]["walls"]) == len(size["oxigraph_alone"]["walls"]) == 2, "they took turns, twice"
    assert size["build"]["wall"] == min(size["build"]["walls"]), "the median of two is the lower one"
    assert size["build"]["peak_mb"] > 0
    assert {"load and validate annotations", "SHACL shapes", "violation queries"} <= set(
        size["build"]["stages"]
    )
    assert size["incremental"]["check_exit_code"] == 0, "the changed corpus still conforms"
    cq = sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("cq-*.rq"))
    assert sorted(size["queries"]) == cq
    base = size["baseline"]
    assert base["build"] is not None, "the rdflib-object build of 150 facts finishes well within its budget"
    asked = len(base["queries"]) + len(base["timeouts"]) + len(base["errors"])
    assert asked == len(list((ROOT / "ontology" / "queries").glob("cq-*.rq"))), "rdflib was asked every CQ"
    assert base["quads"] == size["quads"], "the baseline holds the same quads as kg build"
    assert base["rows"].keys() == base["queries"].keys()
    for query, rows in base["rows"].items():
        assert rows == size["queries"][query]["rows"], f"rdflib and Oxigraph differ on {query}"
    assert len(size["build"]["cpus"]) == len(size["oxigraph_alone"]["cpus"]) == 2
    assert 0 < size["build"]["cpu_kernel"] < size["build"]["cpu"] in size["build"]["cpus"]
    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| 150 |" in table and "Oxigraph median (ms)" in table and "kg build CPU (s)" in table


def test_measure_counts_the_cpu_time_of_the_processes_a_step_forks():
    """A build's work is done by forked children and their workers: CPU time must count them."""
    code = """
import json, os, time
pid = os.fork()
if pid == 0:
    while time.process_time() < 0.3:  # a grandchild that spends 0.3 s of CPU time
        pass
    os._exit(0)
os.waitpid(pid, 0)
print(json.dumps({"own": time.process_time()}))
"""
    run = measure(code)
    assert run["lines"][0]["own"] < 0.3 <= run["cpu"], run


def random_quads(rng: random.Random, count: int) -> list[str]:
    """Sorted N-Quads lines with awkward local names, numbers, languages and datatypes."""
    import pyoxigraph as ox

    chars = "abcXYZ019_-.:~!$&'()*+,;=/?#@"
    spaces = [*PREFIXES.values(), "http://example.org/"]
    datatypes = [f"http://www.w3.org/2001/XMLSchema#{d}" for d in ("integer", "decimal", "boolean", "double", "date", "nonNegativeInteger")]  # fmt: skip
    texts = ["1", "-2", "+3", "1.5", ".5", "5.", "true", "1e5", "x", "", "a b", 'a"b\\c\nd', "é"]

    def iri() -> str:
        return f"<{rng.choice(spaces)}{''.join(rng.choice(chars) for _ in range(rng.randint(0, 5)))}>"

    def term() -> str:
        r = rng.random()
        if r < 0.4:
            return iri()
        if r < 0.6:
            return literal(rng.choice(texts))
        if r < 0.7:
            return literal(rng.choice(texts), lang="en")
        return literal(rng.choice(texts), datatype=rng.choice(datatypes))

    graphs = [f"{BASE}fact/", f"{BASE}graph/"]  # the graphs a build writes; else the default graph

    def graph() -> str:
        if rng.random() < 0.2:
            return ""
        return f" <{rng.choice(graphs)}{''.join(rng.choice(chars) for _ in range(rng.randint(1, 5)))}>"

    lines = set()
    for _ in range(count):
        g, o = graph(), term()
        if not g and graph_of(f"<s> <p> {o} .") != "":
            continue  # no default-graph triple has a fact or graph IRI as its object
        line = f"{iri()} {rng.choice([iri(), '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>'])} {o}{g} ."
        try:
            list(ox.parse(input=line.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        except SyntaxError:
            continue  # an IRI N-Quads does not accept (a bad % escape)
        lines.add(line)
    return sorted(lines)


def test_direct_trig_writer_writes_the_serializers_bytes(tmp_path):
    rng = random.Random(5)
    nq = tmp_path / "g.nq"
    for _ in range(60):
        quads = random_quads(rng, rng.randint(1, 60))
        nq.write_text("".join(q + "\n" for q in quads), encoding="utf-8")
        write_trig(nq, tmp_path / "slow.trig")
        write_trig_sorted(nq, tmp_path / "fast.trig")
        assert (tmp_path / "fast.trig").read_bytes() == (tmp_path / "slow.trig").read_bytes()


@pytest.fixture(scope="module")
def seeds_trig(built, tmp_path_factory) -> bytes:
    """TriG of the seed build, as the serializer alone writes it."""
    path = tmp_path_factory.mktemp("trig") / "slow.trig"
    write_trig(built / "kg.nq", path)
    return path.read_bytes()


def test_trig_of_the_seeds_matches_the_serializer(built, tmp_path):
    write_trig(built / "kg.nq", tmp_path / "slow.trig")
    write_trig_sorted(built / "kg.nq", tmp_path / "fast.trig")
    assert (tmp_path / "fast.trig").read_bytes() == (tmp_path / "slow.trig").read_bytes()


def test_trig_from_the_sorted_file_in_bounded_memory_gives_the_same_bytes(built, tmp_path, seeds_trig):
    # every graph over 40 lines (the provenance graph, the registry, the ontology) is read again
    # from the file when its turn comes, instead of being held
    write_trig_sorted(built / "kg.nq", tmp_path / "bounded.trig", most_lines=40)
    assert (tmp_path / "bounded.trig").read_bytes() == seeds_trig
    write_trig_sorted(built / "kg.nq", tmp_path / "held.trig")
    assert (tmp_path / "held.trig").read_bytes() == seeds_trig


def test_trig_batches_cut_inside_a_graph_give_the_same_bytes(built, tmp_path, seeds_trig):
    from kg.analysis.trig import _trig_by_serializer
    from kg.build.layer import graph_of_bytes

    quads = (built / "kg.nq").read_bytes().splitlines()
    graphs: dict[bytes, list[bytes]] = {}
    for q in quads:
        graphs.setdefault(graph_of_bytes(q), []).append(q)
    assert b"" in graphs  # the knowledge layer, in the default graph
    # a graph's lines come in blocks; batches are cut between subjects, across blocks, and never
    # inside an earlier graph whose last subject is also the next graph's first
    for block in (1, 3, 10_000):
        blocks = {
            g: [lines[i : i + block] for i in range(0, len(lines), block)] for g, lines in graphs.items()
        }
        for size in (1, 7, 500):
            _trig_by_serializer(blocks, tmp_path / f"b{size}.trig", batch_size=size)
            assert (tmp_path / f"b{size}.trig").read_bytes() == seeds_trig, (
                block,
                size,
            )


def test_blocks_hold_whole_lines(tmp_path):
    from kg.analysis.trig import _blocks

    text = b"short\n" + b"x" * 50 + b"\n" + b"a\nb\nc\n" + b"no newline at the end"
    (tmp_path / "f.nq").write_bytes(text)
    for size in (1, 4, 7, 64, 1 << 20):
        blocks = list(_blocks(tmp_path / "f.nq", size=size))
        assert b"".join(blocks) == text + b"\n"
        assert all(b.endswith(b"\n") for b in blocks)


def test_shacl_screen_gives_pyshacls_results_on_the_whole_graph(seeds_copy):
    """Broken shapes of several kinds: the screened validation reports what pyshacl reports."""
    import pyshacl
    import rdflib

    from kg.build.quads import corpus_quads
    from kg.build.validate import data_quads, shacl_problems
    from kg.resources import ONTOLOGY_DIR
    from kg.seeds.corpus import load_corpus

    registry = seeds_copy / "entities.yaml"
    text = registry.read_text(encoding="utf-8")
    text = text.replace('hsCode: "76"', 'hsCode: "7"', 1)  # pattern
    text = text.replace("  agencyOf: china\n", "  agencyOf: tokyo\n", 1)  # class
    registry.write_text(text, encoding="utf-8")
    facts = next((seeds_copy / "facts").glob("000_*.yaml"))
    body = facts.read_text(encoding="utf-8").replace("    rate: 245\n", "    rate: 2000\n", 1)  # range
    facts.write_text(body, encoding="utf-8")
    dataset = corpus_quads(load_corpus(seeds_copy))
    screened = shacl_problems(dataset)
    data = rdflib.Graph().parse(data="".join(data_quads(dataset.quads)), format="nt")
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl"),
        ont_graph=rdflib.Graph().parse(ONTOLOGY_DIR / "tdo.ttl"),
        inference="none",
        allow_warnings=True,
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    whole = {
        results.value(r, sh.focusNode).n3() for r in results.subjects(rdflib.RDF.type, sh.ValidationResult)
    }
    assert not conforms
    assert len(screened) == len(whole) == 3
    assert {"id:aluminium", "id:china-ministry-of-commerce", "id:us-tariffs-on-china"} == {
        p.message.split()[1] for p in screened
    }
