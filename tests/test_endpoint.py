"""kg.sparql.endpoint and kg.sparql.front and their commands: kg serve, kg query --endpoint, on real servers (kg push: test_push.py).

Every server here listens on 127.0.0.1 on a port found by binding to port 0, and is ended by
PID in its fixture (terminate, then kill after a timeout).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.rdf.namespaces import PREFIXES
from kg.sparql.endpoint import (
    oxigraph_executable,
    query_form,
    remote_query,
    with_prologue,
)
from kg.sparql.front import DEFAULT_WORKERS
from kg.sparql.push import push
from kg.sparql.query import execute, named_queries

pytestmark = pytest.mark.server

FACT = "https://w3id.org/trade-dispute/fact/"
ID = "https://w3id.org/trade-dispute/id/"
NAMED = sorted(name for name in named_queries() if not name.endswith("-violation"))
AD_HOC = {
    "letter-roles": "SELECT ?s ?p ?o WHERE { GRAPH fact:a000-letter { ?s ?p ?o } }",
    "graphs-per-article": (
        "SELECT ?a (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f prov:wasDerivedFrom ?a } GROUP BY ?a"
    ),
    "rates": "SELECT ?m ?rate WHERE { ?m tdo:rate ?rate }",
    "letter-exists": "ASK { ?l a tdo:Letter }",
    "no-such-class": "ASK { ?x a tdo:NoSuchClass }",
    "letter-graph": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH fact:a000-letter { ?s ?p ?o } }",
}
# a three-way cross product of every quad: ~3e11 combinations, far past any time limit
RUNAWAY_ASK = "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?a) = CONCAT(STR(?d), STR(?g))) }"
# a two-way cross product streamed row by row: Oxigraph's own limit cancels it mid-stream
STREAMING = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?a) < STR(?d)) }"


def query_text(name: str) -> str:
    return AD_HOC[name] if name in AD_HOC else named_queries()[name].read_text(encoding="utf-8")


_LOCAL: dict[str, object] = {}


def local_answer(store, name: str):
    """The embedded store's answer to a query, computed once (some take seconds)."""
    if name not in _LOCAL:
        _LOCAL[name] = execute(store, query_text(name))
    return _LOCAL[name]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(proc: subprocess.Popen, port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"server exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on port {port} after {seconds} s")


def end(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> int:
    """End a server by PID: signal it, kill it if it is still there after grace seconds."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Server:
    """A running server process, its URLs, and (for kg serve) the lines it printed."""

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc, self.port = proc, port
        self.url = f"http://127.0.0.1:{port}"
        self.query = f"{self.url}/query"
        self.store = f"{self.url}/store"
        self.lines: list[str] = []
        self._reader = None
        if proc.stdout is not None:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in self.lines):
            assert self.proc.poll() is None, f"exited with {self.proc.returncode}: {self.proc.stderr.read()}"
            assert time.monotonic() < deadline, f"no {text!r} after {seconds} s: {self.lines}"
            time.sleep(0.05)

    def output(self) -> str:
        """Everything printed on stdout (once the process has ended)."""
        if self._reader is not None:
            self._reader.join(10)
        return "".join(self.lines)


def start_kg_serve(build_dir: Path, timeout: int) -> Server:
    port = free_port()
    args = ["serve", "--build-dir", str(build_dir), "--port", str(port), "--timeout", str(timeout)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    server = Server(proc, port)
    try:
        server.wait_for("SPARQL endpoint:")  # printed once the server accepts connections
    except BaseException:
        end(proc)
        raise
    return server


def start_writable_oxigraph(location: Path, port: int | None = None) -> Server:
    port = port or free_port()
    proc = subprocess.Popen(
        [
            oxigraph_executable(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(proc, port)
    except BaseException:
        end(proc)
        raise
    return Server(proc, port)


@pytest.fixture(scope="module")
def served(built):
    """``kg serve`` on the seed build, with a limit no named query comes near on a busy machine."""
    server = start_kg_serve(built, timeout=120)
    yield server
    end(server.proc, signal.SIGINT)


@pytest.fixture(scope="module")
def strict(built):
    """``kg serve`` on the seed build with a 1 s limit."""
    server = start_kg_serve(built, timeout=1)
    yield server
    end(server.proc, signal.SIGINT)


@pytest.fixture(scope="module")
def pushed(built, tmp_path_factory):
    """A writable Oxigraph server holding one push of the seed build."""
    server = start_writable_oxigraph(tmp_path_factory.mktemp("pushed-db"))
    try:
        push(built, server.store, server.query)
        yield server
    finally:
        end(server.proc)


def term_key(term: dict) -> tuple:
    # blank node labels differ between answers; everything else must be identical
    value = "_:b" if term["type"] == "bnode" else term["value"]
    return (term["type"], value, term.get("datatype"), term.get("xml:lang"))


def bag(rows: list[dict]) -> Counter:
    """Rows as a multiset, independent of order."""
    return Counter(frozenset((v, term_key(t)) for v, t in row.items()) for row in rows)


def triples(ntriples: str) -> set[str]:
    return {line for line in ntriples.splitlines() if line.strip()}


def post(url: str, data: dict[str, str], accept: str = "application/sparql-results+json"):
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": accept})
    return urllib.request.urlopen(request, timeout=60)


# --------------------------------------------------------------------------- kg serve


def test_there_are_named_queries_to_compare():
    assert len([n for n in NAMED if n.startswith("cq-")]) >= 20


@pytest.mark.parametrize("name", NAMED + sorted(AD_HOC))
def test_kg_serve_answers_like_the_embedded_store(name, served, store):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    text = query_text(name)
    local = local_answer(store, name)
    if local.kind == "graph":  # plain HTTP for graphs: the protocol, nothing in between
        with post(served.query, {"query": with_prologue(text)}, "application/n-triples") as resp:
            assert triples(resp.read().decode()) == triples(local.ntriples)
        return
    client = SPARQLWrapper(served.query)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(with_prologue(text))
    doc = client.query().convert()
    if local.kind == "ask":
        assert doc["boolean"] is local.boolean
    else:
        assert bag(doc["results"]["bindings"]) == bag(local.rows)
        assert sorted(doc["head"]["vars"]) == sorted(local.variables)


def test_the_named_query_answers_are_not_all_empty(store):
    # guards the comparisons above against comparing nothing with nothing
    answered = [n for n in NAMED if local_answer(store, n).rows]
    assert len(answered) >= 20


def test_kg_serve_sees_fact_graphs_and_their_union(served):
    letter = remote_query(served.query, AD_HOC["letter-roles"])
    assert {(r["p"].rsplit("#", 1)[-1], r["o"].removeprefix(ID)) for r in letter.values()} == {
        ("type", "https://w3id.org/trade-dispute/ontology#Letter"),
        ("sender", "li-qiang"),
        ("recipient", "shigeru-ishiba"),
        ("deliveredBy", "wu-jianghao"),
    }
    # no GRAPH clause: the union default graph reaches a fact's triple
    assert remote_query(served.query, "ASK { id:li-qiang-letter-to-ishiba tdo:sender id:li-qiang }").boolean


def test_kg_serve_refuses_updates(served):
    for path, data in (("/update", {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}),):
        with pytest.raises(urllib.error.HTTPError) as err:
            post(served.url + path, data)
        assert err.value.code == 403
        assert "read-only" in err.value.read().decode()
    request = urllib.request.Request(
        served.store + "?graph=" + urllib.parse.quote(FACT + "a000-letter", safe=""),
        data=b"<a:b> <a:c> <a:d> .\n",
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    assert err.value.code == 403
    # the graph is as it was
    assert len(remote_query(served.query, AD_HOC["letter-roles"]).rows) == 4


def test_kg_client_refuses_updates_before_sending(served):
    with pytest.raises(QueryError, match="INSERT is not allowed"):
        remote_query(served.query, "INSERT DATA { <a:b> <a:c> <a:d> }")
    with pytest.raises(QueryError, match="SERVICE is not allowed"):
        remote_query(served.query, f"SELECT * WHERE {{ SERVICE <{served.query}> {{ ?s ?p ?o }} }}")


def test_a_streamed_query_past_the_limit_is_an_error_status_not_a_partial_result(strict):
    # Oxigraph's server answered this with HTTP 200, the rows sent so far and a cancellation line
    start = time.monotonic()
    with pytest.raises(QueryError, match="HTTP 504: query stopped: it ran past the time limit of 1 s"):
        remote_query(strict.query, STREAMING, timeout=60)
    assert time.monotonic() - start < 10
    with pytest.raises(urllib.error.HTTPError) as err:
        post(strict.query, {"query": STREAMING})
    assert err.value.code == 504
    assert err.value.read() == b"query stopped: it ran past the time limit of 1 s\n"


def query_processes(server: Server, count: int = DEFAULT_WORKERS, seconds: float = 20) -> set[int]:
    """The live query processes of a kg serve, once there are count of them."""
    deadline = time.monotonic() + seconds
    while True:
        live = {pid for pid in children(server.proc.pid) if alive(pid)}
        if len(live) == count or time.monotonic() > deadline:
            return live
        time.sleep(0.05)


def test_a_query_that_escaped_oxigraphs_limit_is_stopped_and_its_process_replaced(strict):
    before = query_processes(strict)
    start = time.monotonic()
    with pytest.raises(QueryError, match="HTTP 504"):
        remote_query(strict.query, RUNAWAY_ASK, timeout=60)
    took = time.monotonic() - start
    # 1 s limit; Oxigraph alone ran this for minutes
    assert took < 5, took
    assert remote_query(strict.query, "ASK { ?l a tdo:Letter }").boolean  # the other process answers
    strict.wait_for("stopped a query running past the 1 s time limit")
    after = query_processes(strict)
    assert len(after) == DEFAULT_WORKERS and len(before - after) == 1, (before, after)
    assert not any(alive(pid) for pid in before - after)
    assert strict.proc.poll() is None


def test_kg_serve_stops_cleanly_on_ctrl_c_and_ends_its_server(built):
    server = start_kg_serve(built, timeout=30)
    try:
        workers = children(server.proc.pid)
        assert len(workers) == DEFAULT_WORKERS and all(alive(pid) for pid in workers)
        assert remote_query(server.query, "ASK { ?l a tdo:Letter }").boolean
    finally:
        code = end(server.proc, signal.SIGINT)
    err = server.proc.stderr.read()
    assert code == 0, err
    assert f"SPARQL endpoint: http://127.0.0.1:{server.port}/query" in server.output()
    assert server.output().endswith("stopped\n")
    assert "Traceback" not in err
    assert not any(alive(pid) for pid in workers)


def test_kg_serve_picks_up_a_rebuilt_store(built, tmp_path):
    import shutil

    from kg.store import bulk_load, swap_store

    build_dir = tmp_path / "build"
    build_dir.mkdir()
    shutil.copy(built / "kg.nq", build_dir / "kg.nq")
    bulk_load(build_dir / "kg.nq", build_dir / "store-first").flush()
    swap_store(build_dir, build_dir / "store-first")
    server = start_kg_serve(build_dir, timeout=30)
    try:
        # a new fact graph and its triple in the knowledge layer (the default graph)
        extra = f"<{ID}x> <{ID}y> <{ID}z> <{FACT}a999-new> .\n<{ID}x> <{ID}y> <{ID}z> .\n"
        (tmp_path / "next.nq").write_text((built / "kg.nq").read_text() + extra)
        bulk_load(tmp_path / "next.nq", build_dir / "store-second").flush()
        ask = f"ASK {{ <{ID}x> <{ID}y> <{ID}z> }}"
        assert remote_query(server.query, ask).boolean is False
        swap_store(build_dir, build_dir / "store-second")  # what kg build does
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if remote_query(server.query, ask).boolean:
                    break
            except (QueryError, StoreError):
                pass  # restarting
            time.sleep(0.2)
        assert remote_query(server.query, ask).boolean is True
    finally:
        assert end(server.proc, signal.SIGINT) == 0
    assert f"the store was rebuilt: serving {build_dir / 'store-second'}" in server.output()


def test_serve_without_a_store_says_so(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--build-dir", str(tmp_path), "--port", str(free_port())])
    assert result.exit_code == 2
    assert "no store at" in result.output and "kg build" in result.output
    assert "Traceback" not in result.output


def test_serve_on_a_taken_port_says_so(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--build-dir", str(built), "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- kg push
# (the push itself: tests/test_push.py)


def test_push_to_the_read_only_server_is_refused(served, built):
    args = ["push", "--build-dir", str(built), "--endpoint", served.store, "--query-endpoint", served.query]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "nothing pushed" in result.output and "HTTP 403: The server is read-only" in result.output


# --------------------------------------------------------------------------- kg query --endpoint


def test_kg_query_endpoint_prints_what_the_embedded_query_prints(pushed, built):
    runner = CliRunner()
    local = runner.invoke(
        main, ["query", "cq-letters", "--build-dir", str(built), "--format", "csv"], catch_exceptions=False
    )
    remote = runner.invoke(
        main, ["query", "cq-letters", "--endpoint", pushed.query, "--format", "csv"], catch_exceptions=False
    )
    assert remote.exit_code == 0
    header, *rows = remote.output.splitlines()
    assert header == local.output.splitlines()[0]
    assert sorted(rows) == sorted(local.output.splitlines()[1:]) and rows


def test_an_unreachable_endpoint_is_a_clear_error():
    port = free_port()  # nothing listens there
    result = CliRunner().invoke(
        main, ["query", "ASK { ?s ?p ?o }", "--endpoint", f"http://127.0.0.1:{port}/query"]
    )
    assert result.exit_code == 2
    assert f"cannot reach the endpoint http://127.0.0.1:{port}/query" in result.output


def test_a_syntax_error_comes_back_as_a_query_error(served):
    with pytest.raises(QueryError, match="the endpoint refused the query: HTTP 400"):
        remote_query(served.query, "SELECT * WHERE { ?s ?p }")


# --------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    ("host", "loopback", "url"),
    [
        ("127.0.0.1", True, "http://127.0.0.1:7878/query"),
        ("::1", True, "http://[::1]:7878/query"),
        ("localhost", True, "http://localhost:7878/query"),
        ("0.0.0.0", False, "http://0.0.0.0:7878/query"),
        ("192.168.1.20", False, "http://192.168.1.20:7878/query"),
    ],
)
def test_loopback_hosts_and_their_urls(host, loopback, url):
    from kg.sparql.endpoint import endpoint_url, is_loopback

    assert is_loopback(host) is loopback
    assert endpoint_url(host, 7878) == url


def test_the_cli_defaults_are_the_librarys():
    from kg.cli import endpoint as cli_endpoint
    from kg.sparql import check as querycheck
    from kg.sparql import endpoint, front

    for name in ("DEFAULT_HOST", "DEFAULT_PORT"):
        assert getattr(cli_endpoint, name) == getattr(endpoint, name), name
    for name in (
        "DEFAULT_SERVE_TIMEOUT",
        "DEFAULT_WORKERS",
        "DEFAULT_MAX_RESULT_MB",
        "DEFAULT_WORKER_MEMORY_MB",
    ):
        assert getattr(cli_endpoint, name) == getattr(front, name), name
    assert cli_endpoint.DEFAULT_MAX_QUERY_KB * 1024 == querycheck.DEFAULT_MAX_QUERY_BYTES
    assert cli_endpoint.DEFAULT_MAX_DEPTH == querycheck.DEFAULT_MAX_DEPTH


def test_prologue_declares_only_the_missing_prefixes():
    query = "PREFIX tdo: <http://example.org/other#>\nPREFIX : <http://example.org/>\nSELECT * WHERE { ?s a tdo:X }"
    text = with_prologue(query)
    assert text.endswith(query)
    assert "PREFIX tdo:" not in text[: -len(query)]
    declared = text[: -len(query)].splitlines()
    assert len(declared) == len(PREFIXES) - 1
    assert f"PREFIX fact: <{FACT}>" in declared


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("PREFIX ask: <http://x/> # CONSTRUCT\nask { ?s ask:p 'SELECT' }", "ask"),
        ('CONSTRUCT { ?s ?p "ASK" } WHERE { ?s ?p ?o }', "construct"),
        ("describe <http://x/select>", "describe"),
    ],
)
def test_query_form_ignores_comments_strings_iris_and_prefixes(query, form):
    assert query_form(query) == form
