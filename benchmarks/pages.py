"""Time ``kg site`` and ``kg viz article`` on synthetic corpora (the figures of docs/viz.md).

For each size: write a corpus with benchmarks/synth.py and build it (both kept under --work and
reused when present), then run ``kg site`` and ``kg viz article`` on it, each in a fresh process,
and report the wall time, the peak resident memory of the process, the number and size of the
pages and the largest page. The site is written twice and compared: the same store must give
the same bytes.

    python benchmarks/pages.py --facts 10000,100000 --work /tmp/kg-pages
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.synth import built_corpus  # noqa: E402


def run(args: list[str], cwd: Path) -> dict:
    """Run a command; its wall time and CPU time (s, user and kernel), peak resident memory (MB)
    and standard output. On a shared machine the CPU time moves less than the wall time."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            process = psutil.Process(child.pid)
            while not done.is_set():
                rss = process.memory_info().rss + sum(
                    c.memory_info().rss for c in process.children(recursive=True)
                )
                peak[0] = max(peak[0], rss)
                time.sleep(0.1)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{err}")
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak[0] / 2**20),
        "stdout": out.strip(),
    }


def digest(folder: Path) -> str:
    """One hash of every file's path and bytes under folder."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def measure(facts: int, work: Path, seed: int, again: bool = False) -> dict:
    folder = built_corpus(facts, work, seed)
    kg = [sys.executable, "-m", "kg"]
    site = run([*kg, "site", "--build-dir", "build", "--out", "site"], folder)
    pages = sorted((folder / "site").rglob("*.html"))
    sizes = [p.stat().st_size for p in pages]
    second, same = None, None
    if again:
        second = run([*kg, "site", "--build-dir", "build", "--out", "site-again"], folder)["seconds"]
        same = digest(folder / "site-again") == digest(folder / "site")
        shutil.rmtree(folder / "site-again")
    articles = sorted(p.stem for p in (folder / "site" / "articles").glob("*.html"))
    article = run([*kg, "viz", "article", articles[0], "--build-dir", "build", "-o", "article.html"], folder)
    return {
        "facts": facts,
        "entity_pages": len(list((folder / "site" / "entities").glob("*.html"))),
        "article_pages": len(articles),
        "site_seconds": site["seconds"],
        "site_cpu_seconds": site["cpu_seconds"],
        "site_again_seconds": second,
        "site_peak_mb": site["peak_mb"],
        "site_mb": round(sum(sizes) / 2**20),
        "largest_page_mb": round(max(sizes) / 2**20, 1),
        "same_bytes": same,
        "article_seconds": article["seconds"],
        "article_cpu_seconds": article["cpu_seconds"],
        "article_peak_mb": article["peak_mb"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--facts", default="10000,100000", help="comma-separated corpus sizes (default 10000,100000)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "pages",
        help="where corpora, builds and sites go",
    )
    parser.add_argument("--seed", type=int, default=1, help="synth.py's random seed (default 1)")
    parser.add_argument("--again", action="store_true", help="write each site twice and compare the bytes")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(
        "| facts | entity pages | article pages | kg site (s) | CPU (s) | again (s) | peak MB | site MB | largest page MB | same bytes | kg viz article (s) | CPU (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    results = []
    for facts in (int(f) for f in args.facts.split(",")):
        r = measure(facts, args.work, args.seed, args.again)
        results.append(r)
        print(
            f"| {r['facts']:,} | {r['entity_pages']:,} | {r['article_pages']:,} | {r['site_seconds']} | {r['site_cpu_seconds']} | {r['site_again_seconds'] or '-'} "
            f"| {r['site_peak_mb']:,} | {r['site_mb']:,} | {r['largest_page_mb']} | { {True: 'yes', False: 'NO', None: '-'}[r['same_bytes']] } "
            f"| {r['article_seconds']} | {r['article_cpu_seconds']} |",
            flush=True,
        )
    (args.work / "pages.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
