"""The endpoint front of kg serve, attacked as issue 22 did: every test runs a real kg serve on loopback.

Each server listens on 127.0.0.1 on a port found by binding to port 0 and is ended by PID.
The listeners that SERVICE must never reach are plain sockets on loopback, opened by the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.sparql.check import Refused, check_query
from kg.sparql.front import DEFAULT_WORKERS, negotiate

pytestmark = pytest.mark.server

RUNAWAY = "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?a) = CONCAT(STR(?d), STR(?g))) }"
CHEAP = "PREFIX tdo: <https://w3id.org/trade-dispute/ontology#> ASK { ?l a tdo:Letter }"
NESTED = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
HUGE = "SELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(5000)) + " }"
# a hash set of every pair of quads: far more memory than a small cap allows
HUNGRY = "SELECT DISTINCT ?a ?c ?d ?f WHERE { ?a ?b ?c . ?d ?e ?f }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Serve:
    """A kg serve process with the options given, and what it printed."""

    def __init__(self, build_dir: Path, *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query = self.url + "/query"
        args = ["serve", "--build-dir", str(build_dir), "--port", str(self.port), *options]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for("SPARQL endpoint:")

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in self.lines):
            if self.proc.poll() is not None:
                raise AssertionError(f"kg serve exited: {self.proc.stderr.read()}")
            assert time.monotonic() < deadline, f"no {text!r} after {seconds} s: {self.lines}"
            time.sleep(0.05)

    def end(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode, self.proc.stderr.read()

    def processes(self, count: int, seconds: float = 20) -> set[int]:
        """The live query processes, once there are count of them."""
        deadline = time.monotonic() + seconds
        while True:
            path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            pids = {int(p) for p in path.read_text().split()} if path.exists() else set()
            live = {p for p in pids if _alive(p)}
            if len(live) == count or time.monotonic() > deadline:
                return live
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def ask(url: str, method: str = "GET", query: str = CHEAP, headers: dict | None = None, timeout: float = 60):
    """Send a query by one of the three protocol routes; return (status, headers, body)."""
    headers = dict(headers or {})
    if method == "GET":
        request = urllib.request.Request(
            url + "?" + urllib.parse.urlencode({"query": query}), headers=headers
        )
    elif method == "FORM":
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(url, data=data, headers=headers)
    else:
        headers["Content-Type"] = "application/sparql-query"
        request = urllib.request.Request(url, data=query.encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def answers(server: Serve) -> bool:
    status, _, body = ask(server.query)
    return status == 200 and json.loads(body)["boolean"] is True


@pytest.fixture(scope="module")
def front(built):
    """kg serve on the seed build with a 2 s limit and a 1 MB answer limit."""
    server = Serve(built, "--timeout", "2", "--max-result-mb", "1")
    yield server
    server.end()


class Listener:
    """A loopback socket that records whether anything ever connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


# --------------------------------------------------------------------------- issue 22, High 1 and 2


@pytest.mark.parametrize("method", ["GET", "FORM", "POST"])
def test_service_to_a_loopback_listener_never_reaches_it(front, method):
    listener = Listener()
    try:
        target = f"http://127.0.0.1:{listener.port}/sparql"
        queries = [
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ {{ OPTIONAL {{ service silent <{target}> {{ ?s ?p ?o }} }} }} }}",
            f"ASK {{ ?s ?p ?o . FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
            f"# a comment\nSELECT * WHERE {{ SeRvIcE\n<{target}> {{ ?s ?p ?o }} }}",
        ]
        for query in queries:
            status, _, body = ask(front.query, method, query)
            assert status == 403, (query, body)
            assert body == b"SERVICE is not allowed: queries cannot reach the network\n"
        time.sleep(0.3)
        assert listener.connections == 0
        assert answers(front)
    finally:
        listener.close()


@pytest.mark.skipif(not Path("/proc/self/ns/net").exists(), reason="needs Linux namespaces")
def test_query_processes_run_in_a_network_namespace_of_their_own(front):
    own = os.readlink(f"/proc/{front.proc.pid}/ns/net")
    workers = front.processes(DEFAULT_WORKERS)
    assert workers and all(os.readlink(f"/proc/{pid}/ns/net") != own for pid in workers)
    assert not any("could not be cut off from the network" in line for line in front.lines)


def test_the_word_service_in_strings_iris_and_comments_is_not_refused(front):
    query = (
        "# SERVICE in a comment\n"
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = 'SERVICE' || ?o = <http://example.org/SERVICE>) } LIMIT 1"
    )
    assert ask(front.query, "FORM", query)[0] == 200


@pytest.mark.parametrize("method", ["GET", "FORM", "POST"])
def test_a_deeply_nested_query_is_refused_and_the_endpoint_keeps_answering(front, method):
    assert len(NESTED) > 10_000
    status, _, body = ask(front.query, method, NESTED)
    assert status == 400
    assert body.startswith(b"query nested too deeply: more than 64 levels")
    assert answers(front)


@pytest.mark.parametrize("method", ["GET", "FORM", "POST"])
def test_a_110_kb_query_is_refused_and_the_endpoint_keeps_answering(front, method):
    assert len(HUGE) > 110_000
    status, _, body = ask(front.query, method, HUGE)
    assert status == 413
    assert body.startswith(b"query too large:") and b"the limit is 65536" in body
    assert answers(front)


def test_updates_are_refused_on_every_route(front):
    for route, data in (("/update", {"update": "DROP ALL"}), ("/query", {"update": "DROP ALL"})):
        request = urllib.request.Request(front.url + route, data=urllib.parse.urlencode(data).encode())
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=30)
        assert err.value.code == 403
    status, _, body = ask(front.query, "POST", "INSERT DATA { <a:b> <a:c> <a:d> }")
    assert status == 403 and body == b"INSERT is not allowed: the graph is read-only\n"
    status, _, body = ask(front.query, "FORM", "ASK { ?s ?p ?o } ; LOAD <http://127.0.0.1:9/x>")
    assert status == 403


def test_from_and_dataset_parameters_are_refused_with_a_reason(front):
    status, _, body = ask(front.query, "GET", "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    assert status == 400 and b"FROM and FROM NAMED are not supported" in body
    url = front.query + "?default-graph-uri=" + urllib.parse.quote("http://example.org/g", safe="")
    status, _, body = ask(url, "POST", CHEAP)
    assert status == 400 and b"default-graph-uri and named-graph-uri are not supported" in body


# --------------------------------------------------------------------------- Medium 4 and 5


def test_a_query_over_its_time_limit_is_an_error_status_with_no_partial_body(front):
    streaming = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?a) < STR(?d)) }"
    for method, query, accept in (("FORM", RUNAWAY, "*/*"), ("GET", streaming, "text/csv")):
        start = time.monotonic()
        status, headers, body = ask(front.query, method, query, {"Accept": accept})
        assert time.monotonic() - start < 8
        assert status == 504
        assert body == b"query stopped: it ran past the time limit of 2 s\n"
        assert headers["Content-Type"].startswith("text/plain")
    assert answers(front)


def test_an_answer_past_the_size_limit_is_413_never_a_cut_body(front):
    status, _, body = ask(front.query, "FORM", "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 413
    assert body.startswith(b"the answer is larger than the limit of 1 MB")
    status, _, body = ask(front.query, "FORM", "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 10


def test_a_slow_reader_cannot_hold_a_query_process(built):
    """Two clients that never read their large answers; a third still gets answers at once."""
    server = Serve(built, "--timeout", "3", "--workers", "1")
    readers = []
    try:
        # about 20 MB: more than the kernel's socket buffers hold
        big = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } }"
        query = urllib.parse.quote(big)
        for _ in range(2):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(f"GET /query?query={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            readers.append(sock)
        time.sleep(1.5)  # both answers computed; neither read
        assert answers(server)  # untimed: on a loaded machine the two answers may take longer
        for _ in range(5):
            start = time.monotonic()
            assert answers(server)
            assert time.monotonic() - start < 2.0  # held by a slow reader, it would wait 3 s, then 503
        time.sleep(3.5)  # past the time limit, the front drops the slow readers
        for sock in readers:
            sock.settimeout(5)
            received = b""
            while chunk := sock.recv(1 << 20):
                received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            assert len(body) < length  # cut by closing the connection: an incomplete answer, not a short one
    finally:
        for sock in readers:
            sock.close()
        server.end()


def test_a_crashed_query_process_is_replaced_without_dropping_other_queries(built):
    server = Serve(built, "--timeout", "30", "--worker-memory-mb", "100")
    try:
        before = server.processes(DEFAULT_WORKERS)
        results: list[int] = []

        def cheap_queries():
            for _ in range(30):
                results.append(ask(server.query)[0])
                time.sleep(0.05)

        others = threading.Thread(target=cheap_queries)
        others.start()
        status, _, body = ask(server.query, "FORM", HUNGRY)
        others.join()
        assert status == 503
        assert body.startswith(b"the query process ended without an answer")
        assert results == [200] * 30
        server.wait_for("a query process ended without answering; started another")
        after = server.processes(DEFAULT_WORKERS)
        assert len(after) == DEFAULT_WORKERS and len(before & after) == DEFAULT_WORKERS - 1
        assert answers(server)
    finally:
        code, err = server.end()
    assert code == 0 and "Traceback" not in err


# --------------------------------------------------------------------------- the protocol


def test_each_route_and_form_answers_in_the_negotiated_type(front):
    status, headers, body = ask(
        front.query, "POST", "SELECT ?s WHERE { ?s a ?c } LIMIT 2", {"Accept": "text/csv"}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0] == b"s" and len(body.splitlines()) == 3
    status, headers, body = ask(front.query, "GET", CHEAP, {"Accept": "application/sparql-results+xml"})
    assert status == 200 and b"<boolean>true</boolean>" in body
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
    status, headers, body = ask(front.query, "FORM", construct, {"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    status, _, body = ask(front.query, "FORM", construct, {"Accept": "image/png"})
    assert status == 406 and b"offered: application/n-triples" in body


def test_a_syntax_error_is_400_with_the_parsers_reason(front):
    status, _, body = ask(front.query, "FORM", "SELECT * WHERE { ?s ?p }")
    assert status == 400 and body.startswith(b"SPARQL syntax error")
    assert ask(front.query, "FORM", "")[0] == 400


def test_cors_is_off_by_default_and_on_with_the_flag(front, built):
    status, headers, _ = ask(front.query, "GET", CHEAP, {"Origin": "http://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    preflight = urllib.request.Request(
        front.query, method="OPTIONS", headers={"Origin": "http://evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(preflight, timeout=30)
    assert err.value.code == 403
    server = Serve(built, "--cors")
    try:
        status, headers, _ = ask(server.query, "GET", CHEAP, {"Origin": "http://elsewhere.example"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    finally:
        server.end()


def test_a_foreign_host_name_is_refused_on_loopback(front):
    # a page on a rebound DNS name reaches 127.0.0.1 with its own name in Host
    status, _, body = ask(front.query, "GET", CHEAP, {"Host": "attacker.example"})
    assert status == 403 and b"loopback name" in body
    assert ask(front.query, "GET", CHEAP, {"Host": f"localhost:{front.port}"})[0] == 200


def test_kg_serve_prints_its_limits_and_stops_without_a_traceback(built):
    server = Serve(built, "--timeout", "5", "--max-query-kb", "8", "--max-nesting", "10")
    assert ask(server.query, "FORM", "SELECT * WHERE {" + " " * 9000 + "?s ?p ?o }")[0] == 413
    code, err = server.end()
    out = "".join(server.lines)
    assert code == 0 and "Traceback" not in err
    assert "limits: 8 KB per query, 10 levels of brackets" in out
    assert out.endswith("stopped\n")


# --------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    ("query", "status", "reason"),
    [
        ("SELECT * WHERE { SERVICE <http://x/> { } }", 403, "SERVICE is not allowed"),
        ("SELECT * WHERE { GRAPH ?g { { { service ?x { } } } } }", 403, "SERVICE is not allowed"),
        ("DROP ALL", 403, "DROP is not allowed"),
        ("ASK {} ; CLEAR DEFAULT", 403, "CLEAR is not allowed"),
        ("SELECT * FROM NAMED <http://x/> WHERE { }", 400, "FROM and FROM NAMED"),
        ("PREFIX x: <http://x/> x:y", 400, "not a SPARQL query"),
        ("SELECT * WHERE " + "{" * 65 + "}" * 65, 400, "nested too deeply"),
        ("SELECT * WHERE { }" + " " * 70_000, 413, "query too large"),
    ],
)
def test_check_query_refuses(query, status, reason):
    with pytest.raises(Refused) as refused:
        check_query(query)
    assert refused.value.status == status and reason in refused.value.reason


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ('SELECT ?s WHERE { ?s ?p "service drop insert" }', "select"),
        ("# SERVICE LOAD FROM\nASK { ?s <http://x/service/insert> ?o }", "ask"),
        ("PREFIX service: <http://x/>\nCONSTRUCT { ?s service:drop ?o } WHERE { ?s ?p ?o }", "construct"),
        ("SELECT ?service ?load WHERE { ?service ?load ?from }", "select"),
        ('ASK { ?s ?p """a long "string" with SERVICE <x> { and } brackets((""" }', "ask"),
        ("ASK { ?s ?p 'don\\'t SERVICE' }", "ask"),
        ('ASK { ?s ?p "label"@en }', "ask"),
        ("DESCRIBE <http://x/FROM>", "describe"),
        ("SELECT * WHERE " + "{" * 64 + "}" * 64, "select"),
    ],
)
def test_check_query_reads_keywords_only_outside_strings_iris_and_comments(query, form):
    assert check_query(query).form == form


def test_every_named_query_passes_the_checks():
    from kg.sparql.query import named_queries

    for name, path in named_queries().items():
        assert check_query(path.read_text(encoding="utf-8")).depth < 16, name


@pytest.mark.parametrize(
    ("form", "accept", "media"),
    [
        ("select", None, "application/sparql-results+json"),
        ("select", "*/*", "application/sparql-results+json"),
        ("select", "application/json", "application/sparql-results+json"),
        ("select", "text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("ask", "application/sparql-results+xml, */*;q=0.1", "application/sparql-results+xml"),
        ("ask", "text/csv", None),
        ("construct", "text/*", "text/turtle"),
        ("describe", "application/rdf+xml;q=0, */*;q=0.2", "application/n-triples"),
    ],
)
def test_negotiate(form, accept, media):
    assert negotiate(form, accept) == media
