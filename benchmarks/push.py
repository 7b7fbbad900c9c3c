"""Benchmark kg push: a synthetic corpus built, then pushed to the Oxigraph server and to Virtuoso.

For each size: benchmarks/synth.py writes the corpus and ``kg build`` builds it (both kept under
the work folder and reused by a later run); then, for each store, a new empty store is started
on loopback, the build is pushed into it (every graph), and pushed again (every graph
unchanged: the record is read and nothing is sent). Each push runs in a child process, timed
with its peak memory (benchmarks/run.py's ``measure``); the store's own memory is read after.
Virtuoso is the Debian package's virtuoso-t on a new database (tests/virtuoso.py), with 170,000
buffers (1.3 GB of cache) at 100,000 facts and more, as Virtuoso advises for 2 GB.

Prints a table and writes ``OUT/push.json``.

Example:
    python benchmarks/push.py --sizes 10000                 # about 2 minutes
    python benchmarks/push.py --sizes 10000,100000 --stores oxigraph,virtuoso
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:  # runnable as a script from anywhere; tests/virtuoso.py starts Virtuoso
        sys.path.insert(0, str(path))

from benchmarks.run import measure  # noqa: E402
from benchmarks.synth import built_corpus  # noqa: E402

OUT = ROOT / "benchmarks" / "out"

PUSH = """
import json, sys
from kg.sparql.push import Credentials, push
build, graph_store, query, default_graph, user, connections = sys.argv[1:7]
r = push(build, graph_store, query, default_graph=default_graph or None,
         credentials=Credentials(user, user) if user else None, connections=int(connections))
print(json.dumps({"seconds": r.seconds, "graphs": r.graphs, "triples": r.triples, "unchanged": r.unchanged,
                  "requests": r.requests, "retried": r.retried}))
"""


def rss_mb(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


def bench_store(store: str, facts: int, build: Path, work: Path, connections: int) -> dict:
    """Start an empty store, push the build into it, push again; the timings."""
    folder = work / f"{store}-{facts}"
    shutil.rmtree(folder, ignore_errors=True)
    if store == "oxigraph":
        from test_endpoint import end, start_writable_oxigraph

        server = start_writable_oxigraph(folder)
        urls = (server.store, server.query, "", "")
        pid, stop = server.proc.pid, lambda: end(server.proc)
    else:
        from virtuoso import LAYER, start_virtuoso

        server = start_virtuoso(folder, buffers=170_000 if facts >= 100_000 else 20_000)
        urls = (server.graph_store, server.sparql, LAYER, server.user)
        pid, stop = server.proc.pid, server.stop
    try:
        first = measure(PUSH, str(build), *urls, str(connections))
        again = measure(PUSH, str(build), *urls, str(connections))
        server_mb = rss_mb(pid)
    finally:
        stop()
        shutil.rmtree(folder, ignore_errors=True)
    report = first["lines"][0]
    return {
        "store": store,
        "facts": facts,
        "graphs": report["graphs"],
        "triples": report["triples"],
        "requests": report["requests"],
        "retried": report["retried"],
        "push_s": report["seconds"],
        "push_wall_s": first["wall"],
        "per_10k_facts_s": report["seconds"] * 10_000 / facts,
        "triples_per_s": report["triples"] / report["seconds"],
        "client_peak_mb": first["peak_mb"],
        "server_rss_mb": server_mb,
        "again_s": again["lines"][0]["seconds"],
        "again_unchanged": again["lines"][0]["unchanged"],
    }


def markdown(rows: list[dict]) -> str:
    head = (
        "| store | facts | graphs | triples | push | per 10,000 facts | triples/s | again (unchanged) "
        "| client peak | store memory |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    return head + "".join(
        f"| {r['store']} | {r['facts']:,} | {r['graphs']:,} | {r['triples']:,} | {r['push_s']:.1f} s "
        f"| {r['per_10k_facts_s']:.1f} s | {r['triples_per_s']:,.0f} | {r['again_s']:.1f} s "
        f"| {r['client_peak_mb']:,.0f} MB | {r['server_rss_mb']:,.0f} MB |\n"
        for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="fact counts, comma-separated")
    parser.add_argument("--stores", default="oxigraph,virtuoso", help="oxigraph, virtuoso or both")
    parser.add_argument("--connections", type=int, default=2, help="uploads at once (kg push --connections)")
    parser.add_argument("--work", type=Path, default=OUT / "work", help="where corpora and builds are kept")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for facts in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        build = built_corpus(facts, args.work) / "build"
        print(
            f"{facts} facts: corpus and build ready in {time.perf_counter() - start:.0f} s", file=sys.stderr
        )
        for store in args.stores.split(","):
            rows.append(bench_store(store, facts, build, args.work, args.connections))
            print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "push.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
