"""Benchmark ``kg viz`` and ``kg viz timeline`` on synthetic corpora, and the graph page in headless chromium.

For each size: make a synthetic corpus (benchmarks/synth.py) and build it (``kg build``) unless
the work folder has them already, then time ``kg viz`` (the actor view) and ``kg viz timeline``
as a user runs them (a fresh process each), and report the page's size, nodes and lines. With
``--browser`` the graph page is also opened in Debian's headless chromium, offline: the seconds
until it has drawn, and until a search shows its suggestions. ``--nodes N`` does the same for a
random graph of N nodes and 2N edges (the page the issue asks to open, settle and answer a
search within 3 s at 5,000 nodes).

Example:
    python benchmarks/viz.py --sizes 10000 --work /tmp/vizbench --browser --nodes 5000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.synth import built_corpus  # noqa: E402

KG = [sys.executable, "-m", "kg"]


def run(cmd: list[str]) -> tuple[float, str, str]:
    """Seconds a command takes, and its stdout and stderr; stops the benchmark if it fails."""
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"error: {' '.join(cmd)} failed:\n{done.stderr.strip()}")
    return seconds, done.stdout, done.stderr


def browser():
    """Headless chromium, offline (as tests/test_browser.py drives it)."""
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1600,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='kg-bench-chromium-')}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_network_conditions(offline=True, latency=0, throughput=0)
    return driver


def in_browser(driver, page: Path, query: str) -> dict:
    """Seconds until the page has drawn (layout settled, physics off) and until a search answers."""
    started = time.perf_counter()
    driver.get(page.resolve().as_uri())
    while not driver.execute_script("return window.kgReady === true"):
        if time.perf_counter() - started > 300:
            raise SystemExit(f"error: {page} did not settle in 300 s")
        time.sleep(0.01)
    opened = time.perf_counter() - started
    out = {"open_s": round(opened, 2)}
    if driver.find_elements("id", "kg-search"):
        started = time.perf_counter()
        driver.find_element("id", "kg-search").send_keys(query)
        while not driver.execute_script("return document.querySelectorAll('#kg-suggest li').length"):
            time.sleep(0.005)
        out["search_s"] = round(time.perf_counter() - started, 2)
        out["frame_ms"] = round(
            driver.execute_script(
                "var t = performance.now(); for (var i = 0; i < 3; i++) { network.renderer._redraw(); }"
                " return (performance.now() - t) / 3;"
            )
        )
    return out


def bench_size(work: Path, facts: int, driver) -> dict:
    build = built_corpus(facts, work) / "build"
    row: dict = {"facts": facts}
    graph_page, timeline_page = work / f"graph-{facts}.html", work / f"timeline-{facts}.html"
    seconds, _, err = run([*KG, "viz", "--build-dir", str(build), "-o", str(graph_page)])
    summary = err.strip().splitlines()[-1]  # "actor view: N nodes, M edges, drawn as L lines"
    row.update(
        viz_s=round(seconds, 1),
        graph=summary.split(": ", 1)[1],
        graph_mb=round(graph_page.stat().st_size / 1e6, 1),
    )
    seconds, _, _ = run([*KG, "viz", "timeline", "--build-dir", str(build), "-o", str(timeline_page)])
    row.update(timeline_s=round(seconds, 1), timeline_mb=round(timeline_page.stat().st_size / 1e6, 1))
    if driver is not None:
        row["graph_page"] = in_browser(driver, graph_page, "a")
        row["timeline_page"] = in_browser(driver, timeline_page, "")
    return row


def bench_random(work: Path, nodes: int, driver) -> dict:
    import random

    import networkx as nx

    from kg.viz.graph import render_graph

    rng = random.Random(1)
    graph = nx.MultiDiGraph(nx.gnm_random_graph(nodes, 2 * nodes, seed=1, directed=True))
    for n in graph:
        graph.nodes[n].update(label=f"entity {n} {rng.choice(['Akazawa', 'Li', 'Smith'])}", type="State")
    for u, v, data in graph.edges(data=True):
        quote = {
            "fact": f"f{u}-{v}",
            "article": "a",
            "quote": f"entity {u} met entity {v}",
            "start": 0,
            "end": 9,
        }
        data.update(
            relation="Talks", sign=rng.choice((-1, 0, 1)), weight=1, facts=[quote["fact"]], quotes=[quote]
        )
    started = time.perf_counter()
    result = render_graph(graph, work / f"random-{nodes}.html", pagerank={n: rng.random() for n in graph})
    row = {"nodes": result.nodes, "lines": result.lines, "written_s": round(time.perf_counter() - started, 1)}
    row["mb"] = round(result.path.stat().st_size / 1e6, 1)
    if driver is not None:
        row.update(in_browser(driver, result.path, "aka"))
    return row


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated fact counts (default 10000)")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "benchmarks" / "out" / "viz", help="folder for corpora and pages"
    )
    parser.add_argument("--browser", action="store_true", help="also open the pages in headless chromium")
    parser.add_argument(
        "--nodes", type=int, default=0, help="also time the page of a random graph of this many nodes"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    if args.browser and not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        raise SystemExit("error: --browser needs Debian's chromium and chromium-driver")
    driver = browser() if args.browser else None
    try:
        for facts in sizes:
            print(json.dumps(bench_size(args.work, facts, driver)), flush=True)
        if args.nodes:
            print(json.dumps({"random graph": bench_random(args.work, args.nodes, driver)}), flush=True)
    finally:
        if driver is not None:
            driver.quit()


if __name__ == "__main__":
    main()
