"""Benchmark every stage at several corpus sizes, beside Oxigraph alone and a plain rdflib baseline.

For each size the synthetic corpus (benchmarks/synth.py) is built with ``kg build``; then it
times Oxigraph alone bulk loading the resulting N-Quads, the competency queries
(``ontology/queries/cq-*.rq``) on the built store, the projection and metrics, the HTML view, an
incremental ``kg check`` and ``kg build`` after one fact file changes, and the baseline: the same
quads as rdflib objects in an rdflib Dataset (one graph per fact) queried with rdflib's SPARQL,
cut off when it runs past its time budget. Every step runs in its own process; its peak memory
is the largest resident size of that process and its children together, sampled every 0.1 s.

Writes ``benchmarks/out/results.json`` and ``benchmarks/out/results.md``.

Example:
    python benchmarks/run.py --sizes 1000            # quick: about a minute
    python benchmarks/run.py --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"

BUILD = """
import json, sys
from kg.build.pipeline import build
r = build(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": r.seconds, "quads": r.quads, "facts": r.facts, "articles": r.articles, "entities": r.entities}))
"""

OXIGRAPH_ALONE = """
import json, sys, time
import pyoxigraph as ox
t = time.perf_counter()
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS, lenient=True)  # as kg build loads it
store.flush()
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

ANCHORING = """
import json, sys, time
from kg.seeds.anchor import NormalisedText, anchor_quote
from kg.seeds.corpus import load_corpus
corpus = load_corpus(sys.argv[1])
t = time.perf_counter()
normalised = {}
for fact in corpus.facts:
    source = corpus.sources[fact.article_id]
    if fact.article_id not in normalised:
        normalised[fact.article_id] = NormalisedText(source.text)
    ranges = tuple((x.start, x.end) for x in source.excluded)
    anchor_quote(source.text, fact.quote, None, normalised[fact.article_id], ranges)
print(json.dumps({"seconds": time.perf_counter() - t, "quotes": len(corpus.facts)}))
"""

QUERY = """
import json, statistics, sys, time
from pathlib import Path
from kg.sparql.query import execute
from kg.store import open_store
store = open_store(sys.argv[1])
path = Path(sys.argv[3])
text = path.read_text(encoding="utf-8")
times, rows = [], 0
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    result = execute(store, text)
    times.append(time.perf_counter() - t)
    rows = len(result.rows)
distinct = len({tuple(sorted((k, v["value"]) for k, v in r.items())) for r in result.rows})
print(json.dumps({"query": path.stem, "median_ms": 1000 * statistics.median(times), "rows": rows, "distinct": distinct}), flush=True)
"""

CLAIMS = """
import json, statistics, sys, time
from kg.analysis.claims import claims_report
from kg.store import open_store
store = open_store(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    report = claims_report(store)
    times.append(time.perf_counter() - t)
print(json.dumps({"median_ms": 1000 * statistics.median(times), "claims": len(report["claims"]), "disagreements": len(report["disagreements"])}), flush=True)
"""

ANALYTICS = """
import json, sys, time
from kg.store import open_store
out = {}
try:
    from kg.analysis.metrics import centrality, communities
    from kg.analysis.project import actor_graph
except ImportError as exc:
    print(json.dumps({"available": False, "why": str(exc)}))
    raise SystemExit(0)
store = open_store(sys.argv[1])
t = time.perf_counter(); graph = actor_graph(store); out["projection"] = time.perf_counter() - t
t = time.perf_counter(); centrality(graph); out["centrality (PageRank, betweenness)"] = time.perf_counter() - t
t = time.perf_counter(); communities(graph); out["communities"] = time.perf_counter() - t
out["nodes"], out["edges"] = graph.number_of_nodes(), graph.number_of_edges()
print(json.dumps({"available": True, **out}))
"""

VIEW = """
import json, sys, time
try:
    from kg.viz.graph import write_graph_view
except ImportError as exc:
    print(json.dumps({"available": False, "why": str(exc)}))
    raise SystemExit(0)
from kg.store import open_store
store = open_store(sys.argv[1])
t = time.perf_counter()
write_graph_view(store, sys.argv[2])
print(json.dumps({"available": True, "seconds": time.perf_counter() - t}))
"""

BASELINE = """
import gc, json, signal, sys, time
from pathlib import Path
import rdflib
from rdflib import Dataset, Literal, URIRef
from kg.build.quads import corpus_quads
from kg.build.layer import graph_of, layer_quads
from kg.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES
from kg.seeds.corpus import load_corpus

def term(text):
    if text.startswith("<"):
        return URIRef(text[1:-1])
    end = text.rindex('"')
    lexical = text[1:end].encode("utf-8").decode("unicode_escape") if "\\\\" in text[1:end] else text[1:end]
    suffix = text[end + 1 :]
    if suffix.startswith("@"):
        return Literal(lexical, lang=suffix[1:])
    if suffix.startswith("^^<"):
        return Literal(lexical, datatype=URIRef(suffix[3:-1]))
    return Literal(lexical)

def stage(name, fn):
    t = time.perf_counter()
    result = fn()
    print(json.dumps({"stage": name, "seconds": time.perf_counter() - t}), flush=True)
    return result

gc.disable()  # as kg build does while it makes millions of long-lived objects
# 1. the same annotations, loaded and checked by the same code (YAML, terms, quote anchoring)
corpus = stage("load and validate annotations", lambda: load_corpus(sys.argv[1]))

# 2. the same facts as rdflib objects: one Graph per fact in a Dataset
def objects():
    ds = Dataset(default_union=True)
    graphs = {}
    quads = corpus_quads(corpus).quads
    for line in quads + layer_quads(quads):
        s, p, rest = line.split(" ", 2)
        g = graph_of(line)
        o = rest[: rest.rindex(" <")] if g else rest[:-2]
        graph = graphs.get(g)
        if graph is None:
            graph = graphs[g] = ds.graph(URIRef(g[1:-1])) if g else ds.default_context
        graph.add((URIRef(s[1:-1]), URIRef(p[1:-1]), term(o)))
    return ds, sum(len(g) for g in graphs.values())
ds, count = stage("rdflib objects (Dataset, one Graph per fact)", objects)
gc.enable()
print(json.dumps({"quads": count}), flush=True)
out, mode = Path(sys.argv[4]), sys.argv[5]
if mode == "build":
    stage("serialize N-Quads (rdflib)", lambda: ds.serialize(out / "baseline.nq", format="nquads"))

def expired(*_):
    raise TimeoutError

signal.signal(signal.SIGALRM, expired)
limit = int(float(sys.argv[3]))
for path in sorted(Path(sys.argv[2]).glob("cq-*.rq")) if mode == "queries" else ():
    text = path.read_text(encoding="utf-8")
    t = time.perf_counter()
    signal.alarm(limit)  # rdflib's SPARQL is Python: an alarm stops it
    try:
        rows = len(list(ds.query(text, initNs=PREFIXES)))
    except TimeoutError:
        print(json.dumps({"query": path.stem, "timeout": limit}), flush=True)
        continue
    except Exception as exc:  # rdflib's SPARQL fails on some queries Oxigraph answers
        print(json.dumps({"query": path.stem, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        continue
    finally:
        signal.alarm(0)
    print(json.dumps({"query": path.stem, "seconds": time.perf_counter() - t, "rows": rows}), flush=True)

# 3. SHACL as a plain rdflib user runs it: pyshacl on the union of the data graphs (last: at
# scale it is what the budget cuts off)
def shacl():
    import pyshacl
    ontology = URIRef(str(ONTOLOGY_GRAPH))
    data = rdflib.Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g != ontology:
            data.add((s, p, o))
    shapes = rdflib.Graph().parse("ontology/shapes.ttl", format="turtle")
    tbox = rdflib.Graph().parse("ontology/tdo.ttl", format="turtle")
    return pyshacl.validate(data, shacl_graph=shapes, ont_graph=tbox, inference="none", allow_warnings=True)[0]
if mode == "build":
    stage("SHACL (pyshacl on the union graph)", shacl)
"""

BASELINE_BUILD_STAGES = (
    "load and validate annotations",
    "rdflib objects (Dataset, one Graph per fact)",
    "serialize N-Quads (rdflib)",
    "SHACL (pyshacl on the union graph)",
)
"""The stages of the baseline that do what ``kg build`` does (the queries are timed apart)."""


def measure(code: str, *args: str, budget: float | None = None) -> dict:
    """Run Python code in a child process; its JSON lines, wall time, peak memory (MB) and CPU
    time (s, user and kernel, of the child and every process it waited for: a build's forked
    children and the store loader's threads included).

    Args:
        code: the program; it prints one JSON object per line.
        args: its command-line arguments.
        budget: seconds after which the child is killed (what it printed so far is kept).
    """
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            proc = psutil.Process(child.pid)
        except psutil.Error:
            return
        while not done.is_set():
            try:
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                peak[0] = max(peak[0], rss)
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(child.stdout), daemon=True)
    reader.start()
    cut_off = False
    try:
        child.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        cut_off = True
        child.kill()
        child.wait()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    reader.join(5)
    error = child.stderr.read()
    if child.returncode and not cut_off:
        raise RuntimeError(f"benchmark step failed:\n{error[-3000:]}")
    return {
        "wall": wall,
        "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        "cpu_kernel": after.ru_stime - before.ru_stime,
        "peak_mb": peak[0] / 2**20,
        "lines": [json.loads(x) for x in lines if x.startswith("{")],
        "cut_off": cut_off,
    }


def change_one_fact_file(seeds: Path) -> Path:
    """Change one value in the middle fact file (a rate or a figure); return the file."""
    files = sorted((seeds / "facts").glob("*.yaml"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    for key in ("    rate: ", "    value: "):
        at = text.find(key)
        if at != -1:
            end = text.index("\n", at)
            number = text[at + len(key) : end]
            path.write_text(text[: at + len(key)] + str(float(number) + 1) + text[end:], encoding="utf-8")
            return path
    path.write_text(text.replace("    note: ", "    note: changed: ", 1) + "", encoding="utf-8")
    return path


def _cpu(runs: list[dict]) -> dict:
    """The median CPU time of runs (s) and its kernel part, with every run's.

    On two cores a build cannot take less wall time than half its CPU time: it says how much
    room the 2.5x target leaves (benchmarks/README.md, "The CPU a build spends").
    """
    middle = _median_run(runs, "cpu")
    return {"cpu": middle["cpu"], "cpu_kernel": middle["cpu_kernel"], "cpus": [run["cpu"] for run in runs]}


def _median_run(runs: list[dict], field: str = "wall") -> dict:
    """The run with the median wall (or other) time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run[field])[(len(runs) - 1) // 2]


def bench_size(
    facts: int,
    seed: int,
    work: Path,
    repeats: int,
    budgets: dict[str, float],
    skip: frozenset[str] = frozenset(),
    build_repeats: int = 1,
) -> dict:
    """Every measurement at one corpus size."""
    from benchmarks.synth import generate

    seeds, build_dir = work / f"seeds-{facts}", work / f"build-{facts}"
    shutil.rmtree(build_dir, ignore_errors=True)
    if not (seeds / "entities.yaml").exists():
        generate(facts, seeds, seed)
    queries_dir = ROOT / "ontology" / "queries"
    result: dict = {"facts": facts}
    # The build and Oxigraph alone take turns, build_repeats times each: on a shared machine
    # their times drift together, and the medians of interleaved runs compare like with like
    builds, alones = [], []
    alone_dir = work / f"oxigraph-alone-{facts}"
    for turn in range(build_repeats):
        counted = f" ({turn + 1} of {build_repeats})" if build_repeats > 1 else ""
        print(f"[{facts}] kg build{counted}", flush=True)
        shutil.rmtree(build_dir, ignore_errors=True)
        builds.append(measure(BUILD, str(seeds), str(build_dir)))
        print(f"[{facts}] Oxigraph alone{counted}", flush=True)
        shutil.rmtree(alone_dir, ignore_errors=True)
        alones.append(measure(OXIGRAPH_ALONE, str(build_dir / "kg.nq"), str(alone_dir)))
        shutil.rmtree(alone_dir, ignore_errors=True)
    built, alone = _median_run(builds), _median_run(alones)
    info = built["lines"][-1]
    result.update(quads=info["quads"], articles=info["articles"], entities=info["entities"])
    result["build"] = {"wall": built["wall"], "peak_mb": max(b["peak_mb"] for b in builds), "stages": info["seconds"], "walls": [b["wall"] for b in builds], **_cpu(builds)}  # fmt: skip
    result["oxigraph_alone"] = {"wall": alone["wall"], "load": alone["lines"][-1]["seconds"], "peak_mb": max(a["peak_mb"] for a in alones), "walls": [a["wall"] for a in alones], **_cpu(alones)}  # fmt: skip
    print(f"[{facts}] quote anchoring", flush=True)
    result["anchoring"] = measure(ANCHORING, str(seeds))["lines"][-1]
    print(f"[{facts}] competency queries", flush=True)
    result["queries"] = {}
    for path in sorted(queries_dir.glob("cq-*.rq")):
        run = measure(QUERY, str(build_dir), str(repeats), str(path), budget=budgets["query"])
        if run["cut_off"]:
            result["queries"][path.stem] = {"median_ms": None, "rows": None, "timeout": budgets["query"]}
        else:
            q = run["lines"][-1]
            result["queries"][path.stem] = {
                "median_ms": q["median_ms"],
                "rows": q["rows"],
                "distinct": q["distinct"],
            }
    print(f"[{facts}] kg claims", flush=True)
    run = measure(CLAIMS, str(build_dir), str(repeats), budget=budgets["query"])
    result["claims"] = run["lines"][-1] if run["lines"] else {"median_ms": None, "timeout": budgets["query"]}
    result["analytics"] = result["view"] = {"available": False, "why": "skipped"}
    if "analytics" not in skip:
        print(f"[{facts}] projection and metrics", flush=True)
        run = measure(ANALYTICS, str(build_dir), budget=budgets["analytics"])
        result["analytics"] = run["lines"][-1] if run["lines"] else {"available": True, "timeout": budgets["analytics"]}  # fmt: skip
        print(f"[{facts}] HTML view", flush=True)
        run = measure(VIEW, str(build_dir), str(work / f"graph-{facts}.html"), budget=budgets["analytics"])
        result["view"] = (
            run["lines"][-1] if run["lines"] else {"available": True, "timeout": budgets["analytics"]}
        )
    print(f"[{facts}] incremental check and build", flush=True)
    changed = change_one_fact_file(seeds)
    kg = str(Path(sys.executable).parent / "kg")
    start = time.perf_counter()
    check = subprocess.run([kg, "check", "-q", "--seeds", str(seeds), "--build-dir", str(build_dir)], cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    check_wall = time.perf_counter() - start
    incremental = measure(BUILD, str(seeds), str(build_dir))
    result["incremental"] = {
        "changed_file": changed.name,
        "check_wall": check_wall,
        "check_exit_code": check.returncode,
        "build_wall": incremental["wall"],
        "build_peak_mb": incremental["peak_mb"],
    }
    baseline_budget = budgets["baseline"]
    if "baseline" in skip:
        result["baseline"] = {
            "load": None,
            "peak_mb": 0,
            "cut_off": True,
            "budget": 0,
            "queries": {},
            "skipped": True,
        }
        return result
    print(f"[{facts}] rdflib baseline (budget {baseline_budget:.0f} s)", flush=True)
    base_dir = work / f"baseline-{facts}"
    shutil.rmtree(base_dir, ignore_errors=True)
    base_dir.mkdir()
    # two runs, each with the whole budget: the build's stages, then the queries on a fresh load
    base = measure(BASELINE, str(seeds), str(queries_dir), str(budgets["query"]), str(base_dir), "build", budget=baseline_budget)  # fmt: skip
    shutil.rmtree(base_dir, ignore_errors=True)
    print(f"[{facts}] rdflib baseline queries", flush=True)
    asked = measure(BASELINE, str(seeds), str(queries_dir), str(budgets["query"]), str(base_dir), "queries", budget=baseline_budget)  # fmt: skip
    stages = {x["stage"]: x["seconds"] for x in base["lines"] if "stage" in x}
    done = all(name in stages for name in BASELINE_BUILD_STAGES)
    result["baseline"] = {
        "stages": stages,
        # the build's equivalent: its stages, or (cut off) at least the wall time it was given
        "build": sum(stages[n] for n in BASELINE_BUILD_STAGES) if done else None,
        "build_at_least": None if done else base["wall"],  # cut off: it ran this long, unfinished
        "load": stages.get("rdflib objects (Dataset, one Graph per fact)"),
        "quads": next((x["quads"] for x in base["lines"] if "quads" in x), None),
        "peak_mb": max(base["peak_mb"], asked["peak_mb"]),
        "cut_off": base["cut_off"],
        "budget": baseline_budget,
        "queries_cut_off": asked["cut_off"],
        "queries": {x["query"]: x["seconds"] for x in asked["lines"] if "query" in x and "seconds" in x},
        "rows": {x["query"]: x["rows"] for x in asked["lines"] if "query" in x and "rows" in x},
        "timeouts": {x["query"]: x["timeout"] for x in asked["lines"] if "timeout" in x},
        "errors": {x["query"]: x["error"] for x in asked["lines"] if "error" in x},
    }
    return result


REWRITES = ROOT / "benchmarks" / "suggested-queries"


def time_rewrites(facts: int, work: Path, repeats: int, budget: float) -> dict:
    """The lead's queries beside the suggested rewrites (benchmarks/suggested-queries), on the
    store built for this size: median ms of each, and whether both give the same rows."""
    build_dir = work / f"build-{facts}"
    out = {}
    for rewrite in sorted(REWRITES.glob("*.rq")):
        original = ROOT / "ontology" / "queries" / rewrite.name
        timings = []
        for path in (original, rewrite):
            run = measure(QUERY_ROWS, str(build_dir), str(repeats), str(path), budget=budget)
            timings.append(None if run["cut_off"] else run["lines"][-1])
        same = (
            timings[0] is not None and timings[1] is not None and timings[0]["digest"] == timings[1]["digest"]
        )
        out[rewrite.stem] = {
            "original_ms": timings[0]["median_ms"] if timings[0] else None,
            "rewrite_ms": timings[1]["median_ms"] if timings[1] else None,
            "rows": timings[1]["rows"] if timings[1] else None,
            "same_rows": same if timings[0] is not None else "original cut off",
            "budget": budget,
        }
    return out


QUERY_ROWS = """
import hashlib, json, statistics, sys, time
from pathlib import Path
from kg.sparql.query import execute
from kg.store import open_store
store = open_store(sys.argv[1])
path = Path(sys.argv[3])
text = path.read_text(encoding="utf-8")
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    result = execute(store, text)
    times.append(time.perf_counter() - t)
rows = sorted(json.dumps(row, sort_keys=True) for row in result.rows)
digest = hashlib.sha256("\\n".join(rows).encode()).hexdigest()
print(json.dumps({"median_ms": 1000 * statistics.median(times), "rows": len(rows), "digest": digest}))
"""


def rewrites_markdown(results: dict[int, dict]) -> str:
    lines = [
        "| query | facts | rows | lead's query (ms) | rewrite (ms) | same rows |",
        "|---|---|---|---|---|---|",
    ]
    for facts, queries in results.items():
        for name, v in queries.items():
            original = (
                f"{v['original_ms']:.1f}" if v["original_ms"] is not None else f"> {v['budget'] * 1000:.0f}"
            )
            rewrite = (
                f"{v['rewrite_ms']:.1f}" if v["rewrite_ms"] is not None else f"> {v['budget'] * 1000:.0f}"
            )
            lines.append(f"| {name} | {facts:,} | {v['rows']} | {original} | {rewrite} | {v['same_rows']} |")
    return "\n".join(lines) + "\n"


def ratios(r: dict) -> dict:
    """The target ratios of one size."""
    out = {"build / oxigraph alone": r["build"]["wall"] / r["oxigraph_alone"]["wall"]}
    base = r["baseline"]
    if base.get("build") is not None:
        out["rdflib baseline build / kg build"] = base["build"] / r["build"]["wall"]
    elif base.get("build_at_least") is not None:
        out["rdflib baseline build / kg build, at least"] = base["build_at_least"] / r["build"]["wall"]
    speedups = {q: base["queries"][q] * 1000 / v["median_ms"] for q, v in r["queries"].items() if q in base["queries"] and v["median_ms"]}  # fmt: skip
    if speedups:
        out["query speed-up over rdflib, min"] = min(speedups.values())
        out["query speed-up over rdflib, median"] = statistics.median(speedups.values())
    return out


def _spread(timed: dict, field: str = "wall") -> str:
    """A median wall (or CPU) time, with the range of the runs when there were several."""
    values = timed[field + "s"]
    if len(values) < 2:
        return f"{timed[field]:.1f}"
    return f"{timed[field]:.1f} ({min(values):.1f}-{max(values):.1f})"


def markdown(results: list[dict], command: str) -> str:
    """The results as Markdown tables."""
    lines = [f"Command: `{command}`", ""]
    lines += ["| facts | quads | kg build (s) | peak MB | Oxigraph alone (s) | build / alone | rdflib-object build (s) | rdflib / kg build | rdflib peak MB | incremental check (s) | incremental build (s) |", "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        base = r["baseline"]
        wall = r["build"]["wall"]
        if base.get("skipped"):
            rd, ratio = "skipped", "-"
        elif base.get("build") is not None:
            rd, ratio = f"{base['build']:.1f}", f"{base['build'] / wall:.1f}x"
        elif base.get("build_at_least") is not None:
            rd, ratio = f"> {base['build_at_least']:.0f} (cut off)", f"> {base['build_at_least'] / wall:.1f}x"
        else:
            rd, ratio = "-", "-"
        lines.append(
            f"| {r['facts']:,} | {r['quads']:,} | {_spread(r['build'])} | {r['build']['peak_mb']:.0f} | "
            f"{_spread(r['oxigraph_alone'])} | {wall / r['oxigraph_alone']['wall']:.2f} | {rd} | {ratio} | "
            f"{base['peak_mb']:.0f} | {r['incremental']['check_wall']:.2f} | {r['incremental']['build_wall']:.1f} |"
        )
    lines += ["", "CPU time (user and kernel, all processes; median of the runs, range in brackets):", ""]
    lines += ["| facts | kg build CPU (s) | of it kernel (s) | Oxigraph alone CPU (s) | build / alone, CPU |", "|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        build, alone = r["build"], r["oxigraph_alone"]
        lines.append(
            f"| {r['facts']:,} | {_spread(build, 'cpu')} | {build['cpu_kernel']:.1f} | {_spread(alone, 'cpu')} | "
            f"{build['cpu'] / alone['cpu']:.2f} |"
        )
    for r in results:
        lines += ["", f"### {r['facts']:,} facts ({r['quads']:,} quads, {r['articles']:,} articles, {r['entities']:,} entities)", ""]  # fmt: skip
        lines += ["| stage | seconds |", "|---|---|"]
        for stage, seconds in r["build"]["stages"].items():
            lines.append(f"| {stage} | {seconds:.2f} |")
        lines.append(
            f"| (quote anchoring alone, {r['anchoring']['quotes']:,} quotes) | {r['anchoring']['seconds']:.2f} |"
        )
        analytics = r["analytics"]
        if "timeout" in analytics:
            lines.append(f"| projection and metrics | > {analytics['timeout']:.0f} |")
        elif analytics.get("available"):
            for key in ("projection", "centrality (PageRank, betweenness)", "communities"):
                lines.append(
                    f"| {key} ({analytics['nodes']:,} nodes, {analytics['edges']:,} edges) | {analytics[key]:.2f} |"
                )
        else:
            lines.append("| projection and metrics | not available |")
        view = r["view"]
        if "timeout" in view:
            lines.append(f"| HTML view | > {view['timeout']:.0f} |")
        else:
            lines.append(
                f"| HTML view | {view['seconds']:.2f} |"
                if view.get("available")
                else "| HTML view | not available |"
            )
        if r["baseline"].get("stages") is not None:
            lines += ["", "rdflib-object baseline, stage by stage:", "", "| stage | seconds |", "|---|---|"]
            for stage in BASELINE_BUILD_STAGES:
                seconds = r["baseline"]["stages"].get(stage)
                lines.append(f"| {stage} | {f'{seconds:.2f}' if seconds is not None else 'cut off'} |")
        lines += [
            "",
            "| query | rows | distinct rows | Oxigraph median (ms) | rdflib (ms) | speed-up |",
            "|---|---|---|---|---|---|",
        ]
        base = r["baseline"]["queries"]
        for q, v in r["queries"].items():
            b = base.get(q)
            errors, timeouts = r["baseline"].get("errors", {}), r["baseline"].get("timeouts", {})
            if b is not None:
                rd = f"{b * 1000:.0f}"
                theirs = r["baseline"].get("rows", {}).get(q)
                if theirs is not None and v["rows"] is not None and theirs != v["rows"]:
                    rd += f" ({theirs} rows: not the same answer)"
            elif q in errors:
                rd = "error"
            elif q in timeouts:
                rd = f"> {timeouts[q] * 1000:.0f}"
            elif r["baseline"].get("skipped"):
                rd = "skipped"
            else:
                rd = "cut off"
            ours = f"{v['median_ms']:.1f}" if v["median_ms"] is not None else f"> {v['timeout'] * 1000:.0f}"
            speed = f"{b * 1000 / v['median_ms']:.1f}x" if b is not None and v["median_ms"] else "-"
            distinct = v.get("distinct")
            lines.append(
                f"| {q} | {v['rows'] if v['rows'] is not None else '-'} | "
                f"{distinct if distinct is not None else '-'} | {ours} | {rd} | {speed} |"
            )
        claims = r.get("claims") or {}
        if claims.get("median_ms") is not None:
            lines += ["", f"kg claims (claims_report, {claims['claims']:,} claims made by 2 articles or more, {claims['disagreements']:,} disagreements): {claims['median_ms']:.0f} ms"]  # fmt: skip
        lines += ["", "Ratios: " + ", ".join(f"{k} = {v:.2f}" for k, v in ratios(r).items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/run.py --sizes 1000,10000``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="fact counts, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--baseline-budget", type=float, default=900.0, help="seconds before the rdflib baseline is cut off")  # fmt: skip
    parser.add_argument(
        "--query-budget", type=float, default=120.0, help="seconds before one query is cut off"
    )
    parser.add_argument("--analytics-budget", type=float, default=900.0, help="seconds before projection or view is cut off")  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="one run per query and short budgets (for tests)"
    )
    parser.add_argument(
        "--skip", default="", help="steps to leave out: baseline, analytics (comma-separated)"
    )
    parser.add_argument("--rewrites", action="store_true", help="only time the suggested query rewrites on stores built by an earlier run")  # fmt: skip
    parser.add_argument("--build-repeats", type=int, default=1, help="builds and Oxigraph-alone loads, taking turns (median)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.build_repeats < 1:
        parser.error("--build-repeats must be at least 1")
    work = args.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    budgets = {
        "baseline": args.baseline_budget,
        "query": args.query_budget,
        "analytics": args.analytics_budget,
    }
    repeats = args.repeats
    if args.quick:
        budgets, repeats = {"baseline": 60.0, "query": 10.0, "analytics": 30.0}, 1
    if args.rewrites:
        timed = {size: time_rewrites(size, work, repeats, budgets["query"]) for size in (int(s) for s in args.sizes.split(","))}  # fmt: skip
        (args.out / "rewrites.json").write_text(json.dumps(timed, indent=1), encoding="utf-8")
        text = rewrites_markdown(timed)
        (args.out / "rewrites.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        skip = frozenset(x for x in args.skip.split(",") if x)
        results.append(bench_size(size, args.seed, work, repeats, budgets, skip, args.build_repeats))
        (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = markdown(results, command.strip())
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
