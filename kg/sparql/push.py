"""Push the build into a SPARQL store: only what changed, over a few connections, retried, resumable.

Each graph of ``build/kg.nq`` is replaced whole with the SPARQL 1.1 Graph Store Protocol (a
``PUT``; a graph past :data:`CHUNK_TRIPLES` triples is a ``PUT`` of its first part and a
``POST`` of each further part). Which graphs a push put into the store, and the digest of
each, is kept in the store itself, in the **record graph** (:data:`RECORD`): one triple
``<graph> <RECORD#digest> "sha256"`` per graph, added only after that graph's upload
succeeded. The next push reads the record (a query over that one graph, never a scan of the
store), skips the graphs whose digest is unchanged, uploads the rest, deletes the graphs the
record lists and the build no longer has, and rewrites the record. So a push that was cut
anywhere, killed or refused midway is finished by running it again, and leaves the same graphs
as one clean push.

Transient failures (connection refused once the store was reached, reset, cut, timed out;
HTTP 408, 429, 5xx) are retried with exponential back-off. Digest and Basic authentication
are answered when the store asks (Virtuoso's ``/sparql-graph-crud-auth``).

Graph Store Protocol per graph was measured against batching several graphs into one SPARQL
Update ``INSERT DATA``: on Oxigraph the updates were slower (45 s against 22 s at 10,000 facts),
and Virtuoso 7.2 refuses them outright (an ``xsd:duration`` literal cannot be inserted with
SPARQL, a request of more than ~2,000 triples exceeds its SQL compiler's limits); see
docs/endpoint.md.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kg.errors import KgError, QueryError, StoreError
from kg.rdf.namespaces import BASE
from kg.sparql.endpoint import RESULTS_JSON, Connection, Response, parse_answer, request_target
from kg.store import NQ_FILE

PUSH_TIMEOUT = 60.0
RETRIES = 5
CONNECTIONS = 2
CHUNK_TRIPLES = 100_000
"""Triples per request at most: a larger graph is sent in parts (a PUT, then POSTs)."""

RECORD = BASE + "graph/pushed"
"""The record graph: which graphs a push put into the store, with the digest of each."""
RECORD_DIGEST = RECORD + "#digest"
RECORD_DEFAULT = RECORD + "#default"
"""The record's name for the store's own default graph."""

RECORD_EVERY = 2.0
RECORD_BATCH = 500
"""While graphs are uploaded, the record gets those stored so far every RECORD_EVERY seconds
or RECORD_BATCH graphs, whichever comes first."""
BACKOFF = 0.5
BACKOFF_MAX = 30.0
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"

_OK = (200, 201, 204)
_TRANSIENT_STATUS = {408, 429, 500, 502, 503, 504}
# Virtuoso answers a refusal (syntax, data, access) with HTTP 500 and its SQL state: not transient
_VIRTUOSO_REFUSAL = re.compile(rb"(Virtuoso|Error) (22|37|42)\w\w\w")
_CONNECTION_ERRORS = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    TimeoutError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    http.client.BadStatusLine,
)


# --------------------------------------------------------------------------- the build's graphs


@dataclass
class BuildGraph:
    """One graph of the build: its name in the store, its N-Triples and their digest."""

    name: str
    """The graph IRI, or "" for the store's default graph."""
    body: bytes | bytearray
    """The graph as N-Triples, one triple a line, in the order of kg.nq."""
    triples: int
    digest: str = ""
    blank_nodes: bool = False

    @property
    def key(self) -> str:
        """The graph's name in the record graph."""
        return self.name or RECORD_DEFAULT

    @property
    def label(self) -> str:
        return self.name or "the default graph"

    def parts(self, size: int = CHUNK_TRIPLES) -> Iterator[bytes | bytearray]:
        """The N-Triples body in parts of at most size triples (whole when it has blank nodes)."""
        if self.blank_nodes or self.triples <= size:
            yield self.body
            return
        start = 0
        while start < len(self.body):
            end = start
            for _ in range(size):
                end = self.body.find(b"\n", end) + 1
                if end == 0:
                    end = len(self.body)
                    break
            yield self.body[start:end]
            start = end


def read_build(nquads: Path, default_graph: str | None = None) -> list[BuildGraph]:
    """The graphs of a build's N-Quads file, default graph first, then by name.

    Args:
        nquads: the build's kg.nq (one quad a line, as ``kg build`` writes it).
        default_graph: a graph IRI to push the default graph into, for a store that has no
            default graph of its own (Virtuoso); None keeps it the store's default graph.
    """
    from kg.build.layer import graph_of_bytes

    # one growing buffer a graph, not a list of lines: a third of the memory at 100,000 facts
    bodies: dict[bytes, bytearray] = {}
    counts: dict[bytes, int] = {}
    try:
        with open(nquads, "rb") as lines:
            for line in lines:
                line = line.rstrip(b"\r\n")
                if not line:
                    continue
                term = graph_of_bytes(line)
                body = bodies.get(term)
                if body is None:
                    body = bodies[term] = bytearray()
                    counts[term] = 0
                body += line[: -len(term) - 3] + b" .\n" if term else line + b"\n"
                counts[term] += 1
    except OSError as exc:
        raise StoreError(f"cannot read {nquads}: {exc.strerror or exc}") from None
    out = []
    for term in sorted(bodies):
        name = term[1:-1].decode("utf-8") if term else (default_graph or "")
        body = bodies.pop(term)  # not copied to bytes: that would hold the largest graph twice
        digest = hashlib.sha256(body).hexdigest()
        out.append(BuildGraph(name, body, counts[term], digest, b"_:" in body))
    return out


def dataset_graphs(nquads: Path) -> dict[str, bytes]:
    """The N-Quads file's graphs as N-Triples documents, by graph IRI ("" for the default graph)."""
    return {g.name: g.body for g in read_build(nquads)}


# --------------------------------------------------------------------------- HTTP with retries


@dataclass
class Credentials:
    """A user name and password, given to a store that asks (HTTP Digest or Basic)."""

    user: str
    password: str
    _scheme: str = ""
    _challenge: dict[str, str] = field(default_factory=dict)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_environment(cls, user: str) -> Credentials:
        """The user with the password in KG_PUSH_PASSWORD."""
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            raise KgError(f"--user {user} needs the password in the environment variable {PASSWORD_VARIABLE}")
        return cls(user, password)

    def challenged(self, header: str) -> bool:
        """Take a WWW-Authenticate challenge; False when its scheme is neither Digest nor Basic."""
        scheme, _, rest = header.strip().partition(" ")
        with self._lock:
            self._scheme = scheme.lower()
            self._challenge = {k.lower(): v for k, v in re.findall(r'(\w+)="?([^",]*)"?', rest)}
            self._count = 0
        return self._scheme in ("digest", "basic")

    def header(self, method: str, target: str) -> dict[str, str]:
        """The Authorization header for a request, once a challenge was taken."""
        with self._lock:
            if self._scheme == "basic":
                token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
                return {"Authorization": f"Basic {token}"}
            if self._scheme != "digest":
                return {}
            self._count += 1
            count = f"{self._count:08x}"
        c = self._challenge
        realm, nonce = c.get("realm", ""), c.get("nonce", "")
        ha1 = _md5(f"{self.user}:{realm}:{self.password}")
        ha2 = _md5(f"{method}:{target}")
        cnonce = os.urandom(8).hex()
        fields = [f'username="{self.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{target}"']
        if "auth" in c.get("qop", "").split(","):
            answer = _md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
            fields += ["qop=auth", f"nc={count}", f'cnonce="{cnonce}"']
        else:
            answer = _md5(f"{ha1}:{nonce}:{ha2}")
        fields.append(f'response="{answer}"')
        if "opaque" in c:
            fields.append(f'opaque="{c["opaque"]}"')
        return {"Authorization": "Digest " + ", ".join(fields)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - HTTP Digest is MD5


class PushFailed(Exception):
    """One request failed for good (after its retries); the message says why."""


@dataclass
class _Shared:
    """What the connections of one push share: credentials, whether the store answered yet, counts."""

    credentials: Credentials | None
    timeout: float
    retries: int
    sleep: Callable[[float], None] = time.sleep
    reached: bool = False
    retried: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Session:
    """One keep-alive connection to a URL's host, with authentication, retries and back-off."""

    def __init__(self, url: str, shared: _Shared):
        self.url = url
        self.shared = shared
        self.conn = Connection(url)

    def send(
        self,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        retries: int | None = None,
    ) -> Response:
        """Send a request; retry it on a transient failure; answer an authentication challenge."""
        shared = self.shared
        retries = shared.retries if retries is None else retries
        attempt = 0
        answered_challenge = False
        while True:
            auth = shared.credentials.header(method, target) if shared.credentials else {}
            try:
                resp = self.conn.request(method, target, body, {**headers, **auth}, shared.timeout)
            except _CONNECTION_ERRORS as exc:
                self.conn.close()
                if isinstance(exc, ConnectionRefusedError) and not shared.reached:
                    raise PushFailed(_unreachable(self.url, exc)) from None  # nothing there: say so now
                reason = _reason(exc)
            except OSError as exc:  # unknown host, no route: not transient
                raise PushFailed(_unreachable(self.url, exc)) from None
            else:
                with shared.lock:
                    shared.reached = True
                    shared.requests += 1
                if resp.status == 401 and shared.credentials and not answered_challenge:
                    answered_challenge = True
                    if shared.credentials.challenged(resp.headers.get("www-authenticate", "")):
                        continue
                if resp.status == 401:
                    raise PushFailed(_unauthorised(self.url, resp, shared.credentials))
                if not _transient(resp):
                    return resp
                reason = resp.message(200)
            if attempt >= retries:
                raise PushFailed(f"{reason} (tried {attempt + 1} times)")
            with shared.lock:
                shared.retried += 1
            shared.sleep(min(BACKOFF * 2**attempt, BACKOFF_MAX))
            attempt += 1
            answered_challenge = False

    def close(self) -> None:
        self.conn.close()


def _transient(resp: Response) -> bool:
    if resp.status not in _TRANSIENT_STATUS:
        return False
    return not (resp.status == 500 and _VIRTUOSO_REFUSAL.search(resp.body[:2000]))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _unreachable(url: str, exc: BaseException) -> str:
    return f"cannot reach the store at {url}: {_reason(exc)}; is it running, and is the URL right?"


def _unauthorised(url: str, resp: Response, credentials: Credentials | None) -> str:
    if credentials is None:
        return (
            f"the store at {url} asks for a user and password (HTTP 401): give --user and "
            f"the password in {PASSWORD_VARIABLE}"
        )
    return f"the store at {url} refused the user {credentials.user!r} (HTTP 401): check the user and {PASSWORD_VARIABLE}"


# --------------------------------------------------------------------------- the record graph


def _gsp_target(graph_store: str, graph: str) -> str:
    return request_target(graph_store, {"graph": graph} if graph else {"default": ""})


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def record_lines(graphs: list[BuildGraph]) -> bytes:
    """The record graph's triples for graphs, as N-Triples."""
    return "".join(f"<{g.key}> <{RECORD_DIGEST}> {_literal(g.digest)} .\n" for g in graphs).encode("utf-8")


def read_record(session: _Session, query_endpoint: str, page: int | None = None) -> dict[str, set[str]]:
    """The record graph of the store: the digests recorded for each graph (usually one).

    Its entries are counted, then asked for in one answer. A store that caps the rows of an
    answer (Virtuoso's ``ResultSetMaxRows``, 10,000 in Debian's virtuoso.ini) gives fewer than
    counted: then they are read page by page in the order of the graph names, each page after
    the last entry seen, until a page is empty. page forces that (pages of that many rows).
    """
    pattern = f"GRAPH <{RECORD}> {{ ?g <{RECORD_DIGEST}> ?d }}"
    if page is None:
        counted = _select(session, query_endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        expected = int(counted[0]["n"]["value"]) if counted else 0
        rows = _select(session, query_endpoint, f"SELECT ?g ?d WHERE {{ {pattern} }}") if expected else []
        if len(rows) == expected:
            return _entries(rows)
        page = max(1, len(rows))
    record: dict[str, set[str]] = {}
    after = None
    while True:
        keyset = ""
        if after is not None:
            g, d = (_literal(v) for v in after)
            keyset = f"FILTER(STR(?g) > {g} || (STR(?g) = {g} && STR(?d) > {d}))"
        query = f"SELECT ?g ?d WHERE {{ {pattern} {keyset} }} ORDER BY STR(?g) STR(?d) LIMIT {page}"
        rows = _select(session, query_endpoint, query)
        if not rows:
            return record
        for key, digests in _entries(rows).items():
            record.setdefault(key, set()).update(digests)
        after = (rows[-1]["g"]["value"], rows[-1]["d"]["value"])


def _entries(rows: list[dict]) -> dict[str, set[str]]:
    record: dict[str, set[str]] = {}
    for row in rows:
        record.setdefault(row["g"]["value"], set()).add(row["d"]["value"])
    return record


def _select(session: _Session, query_endpoint: str, query: str) -> list[dict]:
    resp = session.send(
        "POST",
        request_target(query_endpoint),
        urlencode({"query": query}).encode("utf-8"),
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_JSON},
    )
    try:
        return parse_answer("select", resp).rows
    except QueryError as exc:
        raise PushFailed(f"cannot read the record graph from {query_endpoint}: {exc}") from None


# --------------------------------------------------------------------------- push


@dataclass
class Progress:
    """How far an upload got: graphs and triples sent of those to send."""

    graphs: int
    graphs_total: int
    triples: int
    triples_total: int
    graph: str = ""


@dataclass
class PushReport:
    """What a push did."""

    graphs: int
    """Graphs uploaded."""
    triples: int
    """Triples in the graphs uploaded."""
    unchanged: int = 0
    """Graphs skipped: the record gives the digest they have in the build."""
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    retried: int = 0


def push(
    build_dir: Path | str,
    graph_store: str,
    query_endpoint: str,
    *,
    default_graph: str | None = None,
    credentials: Credentials | None = None,
    timeout: float = PUSH_TIMEOUT,
    retries: int = RETRIES,
    connections: int = CONNECTIONS,
    force: bool = False,
    progress: Callable[[Progress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    """Load the built dataset into a SPARQL store: upload what changed, delete what the build dropped.

    Each graph is replaced whole (Graph Store Protocol ``PUT``) and recorded with its digest in
    the record graph once stored. The record is read first (from query_endpoint): graphs whose
    digest is unchanged are skipped and recorded graphs the build no longer has are deleted.
    Graphs the record does not list (another dataset's) are never touched. A push stopped
    anywhere is finished by the next.

    Args:
        build_dir: the build folder holding kg.nq.
        graph_store: the Graph Store Protocol URL (Oxigraph ``http://host:7878/store``,
            Virtuoso ``http://host:8890/sparql-graph-crud-auth``).
        query_endpoint: the store's SPARQL query URL, to read the record graph.
        default_graph: the graph IRI to hold the default graph, for stores without a default
            graph of their own (Virtuoso); None pushes it to the store's default graph.
        credentials: user and password, for a store that asks.
        timeout: seconds allowed for each request.
        retries: further tries of a request that failed for a transient reason.
        connections: uploads sent at once.
        force: upload every graph, whatever the record says.
        progress: called with a Progress after each graph is stored.
        sleep: how to wait between tries (tests pass a recorder).

    Returns:
        A PushReport.

    Raises:
        StoreError: no build, the store is unreachable, refuses a request, or a request kept
            failing after its retries.

    Example:
        >>> push("build", "http://127.0.0.1:7878/store", "http://127.0.0.1:7878/query").graphs  # doctest: +SKIP
        200
    """
    nquads = Path(build_dir) / NQ_FILE
    if not nquads.is_file():
        raise StoreError(f"no dataset at {nquads}: run 'kg build' first")
    start = time.perf_counter()
    graphs = read_build(nquads, default_graph)
    shared = _Shared(credentials, timeout, retries, sleep)
    main = _Session(graph_store, shared)
    report = PushReport(0, 0)
    run = _Run(graph_store, graphs, shared, main, connections, progress, report)
    try:
        if credentials:
            main.send("GET", _gsp_target(graph_store, RECORD + "#probe"), None, {})  # learn the challenge
        query = _Session(query_endpoint, shared)
        try:
            record = read_record(query, query_endpoint)
        finally:
            query.close()
        keys = {g.key for g in graphs}
        stale = sorted(set(record) - keys)
        if force and set(record) & keys:
            # forget the entries of the graphs about to be sent again: one cut midway must not
            # be taken for stored by the next push (a store may clear a graph before loading it)
            record = {key: record[key] for key in stale}
            run.rewrite_record([], record)
        todo = [g for g in graphs if record.get(g.key) != {g.digest}]
        report.unchanged = len(graphs) - len(todo)
        run.upload(todo)
        for key in stale:
            run.delete(key)
        # the record now holds the new digests beside the old ones of graphs that changed
        if stale or any(record.get(g.key, set()) - {g.digest} for g in todo):
            run.rewrite_record(graphs)
    except PushFailed as exc:
        raise StoreError(run.stopped(str(exc))) from None
    finally:
        main.close()
    report.seconds = time.perf_counter() - start
    report.requests, report.retried = shared.requests, shared.retried
    return report


class _Run:
    """The uploads, deletions and record writes of one push."""

    def __init__(self, graph_store, graphs, shared, main, connections, progress, report):
        self.graph_store = graph_store
        self.graphs = graphs
        self.shared = shared
        self.main = main
        self.connections = max(1, connections)
        self.progress = progress
        self.report = report
        self.total = 0
        self.phase = "uploaded"

    def upload(self, todo: list[BuildGraph]) -> None:
        """Upload the graphs over a few connections, adding each to the record once stored."""
        self.total = len(todo)
        triples_total = sum(g.triples for g in todo)
        done: list[BuildGraph] = []
        unrecorded: list[BuildGraph] = []
        stop = threading.Event()
        sessions: queue.SimpleQueue[_Session] = queue.SimpleQueue()
        all_sessions: list[_Session] = []

        def upload_one(graph: BuildGraph) -> BuildGraph | None:
            if stop.is_set():
                return None
            try:
                session = sessions.get_nowait()
            except queue.Empty:
                session = _Session(self.graph_store, self.shared)
                all_sessions.append(session)
            try:
                self._send_graph(session, graph, stop)
            finally:
                sessions.put(session)
            return graph

        # the largest first: the connections finish together, and the bar moves evenly after
        pending = iter(sorted(todo, key=lambda g: -g.triples))
        failure: BaseException | None = None
        last_record = time.monotonic()
        pool = ThreadPoolExecutor(self.connections, thread_name_prefix="kg-push")
        running: set[Future] = set()
        try:
            while True:
                while failure is None and len(running) < 2 * self.connections:
                    graph = next(pending, None)
                    if graph is None:
                        break
                    running.add(pool.submit(upload_one, graph))
                if not running:
                    break
                finished, running = wait(running, timeout=RECORD_EVERY, return_when=FIRST_COMPLETED)
                for future in finished:
                    try:
                        graph = future.result()
                    except BaseException as exc:  # the first failure stops the rest
                        stop.set()
                        failure = failure or exc
                        continue
                    if graph is None:
                        continue
                    done.append(graph)
                    unrecorded.append(graph)
                    self.report.graphs += 1
                    self.report.triples += graph.triples
                    if self.progress:
                        self.progress(
                            Progress(len(done), self.total, self.report.triples, triples_total, graph.label)
                        )
                due = time.monotonic() - last_record >= RECORD_EVERY or len(unrecorded) >= RECORD_BATCH
                if unrecorded and (not running or due):
                    self._add_to_record(unrecorded)
                    unrecorded = []
                    last_record = time.monotonic()
        except BaseException:
            stop.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for session in all_sessions:
                session.close()
        if failure is not None:
            if unrecorded:  # what was stored before the failure is recorded: the next push skips it
                with contextlib.suppress(PushFailed):  # one try: the store may be gone
                    self._add_to_record(unrecorded, retries=0)
            raise failure

    def _send_graph(self, session: _Session, graph: BuildGraph, stop: threading.Event) -> None:
        target = _gsp_target(self.graph_store, graph.name)
        headers = {"Content-Type": "application/n-triples"}
        for number, body in enumerate(graph.parts()):
            if number and stop.is_set():
                raise PushFailed("stopped")
            resp = session.send("PUT" if number == 0 else "POST", target, body, headers)
            if resp.status not in _OK:
                raise PushFailed(f"the store refused {graph.label}: {resp.message()}")

    def _add_to_record(self, graphs: list[BuildGraph], retries: int | None = None) -> None:
        resp = self.main.send(
            "POST",
            _gsp_target(self.graph_store, RECORD),
            record_lines(graphs),
            {"Content-Type": "application/n-triples"},
            retries,
        )
        if resp.status not in _OK:
            raise PushFailed(f"the store refused an addition to the record graph {RECORD}: {resp.message()}")

    def delete(self, key: str) -> None:
        """Delete a graph the record lists and the build no longer has."""
        self.phase = "deleted"
        name = "" if key == RECORD_DEFAULT else key
        resp = self.main.send("DELETE", _gsp_target(self.graph_store, name), None, {})
        if resp.status not in (*_OK, 404):
            raise PushFailed(f"cannot delete the stale graph {name or 'default graph'}: {resp.message()}")
        self.report.removed.append(name or "(the default graph)")

    def rewrite_record(self, graphs: list[BuildGraph], others: dict[str, set[str]] | None = None) -> None:
        """Replace the record with one entry per graph given, and the other entries given."""
        body = record_lines(graphs) + "".join(
            f"<{key}> <{RECORD_DIGEST}> {_literal(digest)} .\n"
            for key, digests in sorted((others or {}).items())
            for digest in sorted(digests)
        ).encode("utf-8")
        target = _gsp_target(self.graph_store, RECORD)
        if body:
            resp = self.main.send("PUT", target, body, {"Content-Type": "application/n-triples"})
        else:
            resp = self.main.send("DELETE", target, None, {})
        if resp.status not in (*_OK, 404):
            raise PushFailed(f"the store refused the record graph {RECORD}: {resp.message()}")

    def stopped(self, reason: str) -> str:
        """The message for a push that stopped: how far it got, and that pushing again finishes it."""
        done = self.report.graphs
        if done == 0 and not self.report.removed and self.phase == "uploaded":
            return f"nothing pushed: {reason}"
        return (
            f"push stopped after {done} of {self.total} graphs: {reason}. Run 'kg push' again to "
            "finish: it skips the graphs the store's record lists as stored"
        )
