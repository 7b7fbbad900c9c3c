"""Load on ``kg serve``: many clients on loopback sending cheap queries, with latency percentiles and memory.

Starts ``kg serve`` on a free loopback port on a build, then sends a fixed number of requests
from a fixed number of concurrent clients (aiohttp, one connection each), each client sending
its share back to back, a mix of cheap queries through the three routes of the SPARQL 1.1
protocol (GET, form POST, direct POST). The run is bounded: a fixed request count, a time limit
per request and one for the whole run. While it runs, the resident memory of the server and its
query processes is sampled from /proc every 50 ms. Reports p50, p95, p99 and max latency, the
statuses and errors, throughput and peak memory, and writes them as JSON.

Optionally (``--heavy N``) N clients send runaway queries at the same time, each stopped by the
time limit, to show what the cheap queries see while the query processes are being killed and
replaced.

Example:
    python benchmarks/load.py --build build --requests 2000 --clients 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

PREFIX = "PREFIX tdo: <https://w3id.org/trade-dispute/ontology#>\nPREFIX id: <https://w3id.org/trade-dispute/id/>\n"
CHEAP = [
    PREFIX + "ASK { ?l a tdo:Letter }",
    PREFIX
    + "SELECT DISTINCT ?sender ?recipient WHERE { ?l a tdo:Letter ; tdo:sender ?sender ; tdo:recipient ?recipient }",
    PREFIX + "SELECT ?m ?rate WHERE { ?m tdo:rate ?rate } ORDER BY ?m LIMIT 20",
    PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?s a tdo:Tariff }",
]
RUNAWAY = "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?a) = CONCAT(STR(?d), STR(?g))) }"
ROUTES = ("GET", "FORM", "POST")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children, from /proc (0 when unreadable)."""
    total = 0
    pids = [pid]
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if path.exists():
        pids += [int(p) for p in path.read_text().split()]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class MemoryWatch:
    """Samples the resident memory of a process tree in a thread; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join(5)


def start_server(build: Path, port: int, timeout: float, workers: int | None) -> subprocess.Popen:
    args = [sys.executable, "-m", "kg", "serve", "--build-dir", str(build), "--port", str(port)]
    args += ["--timeout", str(timeout)] + (["--workers", str(workers)] if workers else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if line.startswith("SPARQL endpoint:"):
            threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
            return proc
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise SystemExit(f"kg serve did not start: {proc.stderr.read()}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


async def client(session, url: str, jobs: list[tuple[str, str]], timeout: float, out: list) -> None:
    import aiohttp

    for route, query in jobs:
        start = time.perf_counter()
        try:
            if route == "GET":
                request = session.get(url, params={"query": query})
            elif route == "FORM":
                request = session.post(url, data={"query": query})
            else:
                request = session.post(
                    url, data=query.encode(), headers={"Content-Type": "application/sparql-query"}
                )
            async with request as resp:
                await resp.read()
                status = resp.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            status = type(exc).__name__
        out.append((status, time.perf_counter() - start))


async def drive(url: str, requests: int, clients: int, heavy: int, timeout: float) -> dict:
    import aiohttp

    cheap: list[tuple[object, float]] = []
    runaway: list[tuple[object, float]] = []
    jobs = [(ROUTES[i % 3], CHEAP[i % len(CHEAP)]) for i in range(requests)]
    shares = [jobs[c::clients] for c in range(clients)]
    limits = aiohttp.ClientTimeout(total=timeout)
    connector = aiohttp.TCPConnector(limit=clients + heavy, force_close=False)
    async with aiohttp.ClientSession(
        timeout=limits, connector=connector, headers={"Accept": "*/*"}
    ) as session:
        start = time.perf_counter()
        tasks = [client(session, url, share, timeout, cheap) for share in shares]
        tasks += [client(session, url, [("FORM", RUNAWAY)] * 2, timeout, runaway) for _ in range(heavy)]
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - start
    return {"cheap": cheap, "runaway": runaway, "wall": wall}


def summary(results: list[tuple[object, float]]) -> dict:
    latencies = [t for _, t in results]
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(results),
        "statuses": statuses,
        "errors": sum(n for s, n in statuses.items() if s != "200"),
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
        "max_ms": round(1000 * max(latencies, default=float("nan")), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("build"), help="build folder to serve")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--heavy", type=int, default=0, help="clients sending runaway queries meanwhile")
    parser.add_argument("--workers", type=int, help="kg serve --workers (default: kg serve's)")
    parser.add_argument("--server-timeout", type=float, default=5.0, help="kg serve --timeout")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="client limit per request")
    parser.add_argument(
        "--url", help="query an endpoint already running on loopback instead (e.g. a plain Oxigraph server)"
    )
    parser.add_argument("--pid", type=int, help="with --url: the process whose memory to sample")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/load.json"))
    args = parser.parse_args(argv)

    server = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        port = free_port()
        server = start_server(args.build, port, args.server_timeout, args.workers)
        url, pid = f"http://127.0.0.1:{port}/query", server.pid
    try:
        with MemoryWatch(pid or os.getpid()) as memory:
            idle = tree_rss(pid) if pid else 0
            run = asyncio.run(
                asyncio.wait_for(
                    drive(url, args.requests, args.clients, args.heavy, args.request_timeout), timeout=600
                )
            )
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    report = {
        "endpoint": args.url or f"kg serve --build-dir {args.build}",
        "clients": args.clients,
        "workers": args.workers or "kg serve's default",
        "server_timeout_s": args.server_timeout,
        "heavy_clients": args.heavy,
        "wall_s": round(run["wall"], 2),
        "throughput_per_s": round(len(run["cheap"]) / run["wall"], 1),
        "cheap": summary(run["cheap"]),
        "runaway": summary(run["runaway"]) if run["runaway"] else None,
        "server_rss_idle_mb": round(idle / 2**20, 1),
        "server_rss_peak_mb": round(memory.peak / 2**20, 1) if pid else None,
        "cpus": os.cpu_count(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0 if report["cheap"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
