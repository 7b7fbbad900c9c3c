"""SPARQL past the embedded store: query an endpoint, the HTTP connection, start Oxigraph servers.

Over plain HTTP (SPARQL 1.1 Protocol):

* ``kg serve`` (:mod:`kg.sparql.front`) serves the build read-only through the project's own front;
  this module keeps the helpers it shares (hosts, ports) and those that start an Oxigraph
  server, a store to push to.
* :class:`Connection` is the keep-alive HTTP connection that :mod:`kg.push` (``kg push``, the
  build into a store) sends its requests over.
* :func:`remote_query` sends a query with the project's prefixes to an endpoint and returns a
  :class:`kg.sparql.query.QueryResult`, refusing truncated or partial answers.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from kg.errors import KgError, QueryError, StoreError
from kg.rdf.namespaces import PREFIXES
from kg.sparql import check
from kg.sparql.check import refuse_unsafe
from kg.sparql.results import DEFAULT_TIMEOUT, QueryResult

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878

CANCELLED = b"The SPARQL operation has been cancelled"
"""What Oxigraph appends to a streamed answer when its time limit cancels the query."""

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    """An HTTP answer read in full: status, lower-cased headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def message(self, limit: int = 300) -> str:
        """The start of the body as text, for error messages."""
        text = " ".join(self.body[:limit].decode("utf-8", "replace").split())
        return f"HTTP {self.status}: {text}" if text else f"HTTP {self.status}"


class Connection:
    """One keep-alive HTTP connection to the host of a URL (http or https).

    Idempotent requests (PUT, DELETE, GET) are retried once on a fresh connection when the
    server closed the kept-alive one; a POST is never retried.
    """

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KgError(f"not an http(s) URL: {url}")
        self.url = url
        self._factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._host, self._port = parts.hostname, parts.port
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        """Send one request and read the whole answer within timeout seconds (None: no limit).

        Raises:
            TimeoutError: the answer was not complete within timeout.
            OSError, http.client.HTTPException: the connection failed or was cut.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        retry = method in ("PUT", "DELETE", "GET", "HEAD")
        while True:
            fresh = self._conn is None
            if fresh:
                self._conn = self._factory(self._host, self._port, timeout=timeout)
            try:
                return self._exchange(method, target, body, headers or {}, deadline)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if fresh or not retry:
                    raise
                retry = False  # the kept-alive connection had gone stale: one fresh try
            except BaseException:
                self.close()
                raise

    def _exchange(self, method, target, body, headers, deadline) -> Response:
        conn = self._conn
        self._settimeout(deadline)
        conn.request(method, target, body=body, headers=headers)
        self._settimeout(deadline)
        resp = conn.getresponse()
        chunks = []
        while True:
            self._settimeout(deadline)
            chunk = resp.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        if resp.will_close:
            self.close()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks))

    def _settimeout(self, deadline: float | None) -> None:
        # a socket timeout bounds each read; the deadline bounds the whole exchange
        if deadline is None:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._conn.timeout = remaining
        if self._conn.sock is not None:
            self._conn.sock.settimeout(remaining)

    def close(self) -> None:
        """Close the connection (a later request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def request_target(url: str, params: dict[str, str] | None = None) -> str:
    """The request target of a URL (path and query), with params appended to its query."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params or {})) if q)
    return (parts.path or "/") + (f"?{query}" if query else "")


# --------------------------------------------------------------------------- queries

_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:\s*<", re.IGNORECASE)


def with_prologue(query: str) -> str:
    """The query with a PREFIX declaration for every project prefix it does not declare itself.

    Example:
        >>> with_prologue("ASK { ?s a tdo:Letter }").splitlines()[0]
        'PREFIX tdo: <https://w3id.org/trade-dispute/ontology#>'
    """
    declared = {(m.group(1) or "") for m in _DECLARED.finditer(query)}
    missing = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared)
    return missing + query


def query_form(query: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``: the form of a SPARQL query.

    Example:
        >>> query_form("# SELECT in a comment\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        'construct'
    """
    form = check.query_form(query)
    if form is None:
        raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


def _unreachable(endpoint: str, exc: BaseException) -> StoreError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return StoreError(f"cannot reach the endpoint {endpoint}: {reason}")


def remote_query(endpoint: str, query: str, timeout: float | None = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a query on a SPARQL 1.1 endpoint (POST, form-encoded) and return its result.

    The project's prefixes are declared unless the query declares them. The endpoint must
    serve the pushed default graph as its default graph, not the union of all graphs (see
    docs/endpoint.md). An answer
    cut short by the endpoint's time limit is an error, never a partial result.

    Args:
        endpoint: the query URL, e.g. ``http://127.0.0.1:7878/query``.
        query: SPARQL text.
        timeout: seconds for the whole answer to arrive; None waits as long as it takes.

    Returns:
        The QueryResult (SELECT rows as SPARQL JSON bindings, ASK boolean, or N-Triples).

    Raises:
        QueryError: the query is unsafe, refused, malformed, over time, or its answer incomplete.
        StoreError: the endpoint cannot be reached.

    Example:
        >>> remote_query("http://127.0.0.1:7878/query", "ASK { ?s a tdo:Letter }").boolean  # doctest: +SKIP
        True
    """
    refuse_unsafe(query)
    form = query_form(query)
    body = urlencode({"query": with_prologue(query)}).encode("utf-8")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": RESULTS_JSON if form in ("select", "ask") else GRAPH_TYPES,
    }
    conn = Connection(endpoint)
    try:
        resp = conn.request("POST", request_target(endpoint), body, headers, timeout)
    except TimeoutError:
        raise QueryError(
            f"query stopped: no complete answer from the endpoint within {timeout:g} s"
        ) from None
    except http.client.IncompleteRead:
        raise QueryError(
            "the endpoint cut its answer short: no result (did the query hit its time limit?)"
        ) from None
    except (http.client.RemoteDisconnected, ConnectionResetError):
        raise QueryError(
            "the endpoint closed the connection without a complete answer "
            "(a query past its time limit is stopped this way by 'kg serve')"
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _unreachable(endpoint, exc) from None
    finally:
        conn.close()
    return parse_answer(form, resp)


def parse_answer(form: str, resp: Response) -> QueryResult:
    """Turn an endpoint's HTTP answer into a QueryResult, refusing incomplete ones."""
    if resp.status != 200:
        raise QueryError(f"the endpoint refused the query: {resp.message()}")
    if resp.headers.get("x-sql-state", "").upper() == "S1TAT":
        # Virtuoso "anytime" answers: a partial result sent when its time limit passed
        raise QueryError("the endpoint sent a partial result: the query hit its time limit")
    if resp.body.rstrip().endswith(CANCELLED):
        raise QueryError("query stopped by the endpoint's time limit: its answer was cut short")
    media = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if form in ("construct", "describe"):
        return QueryResult("graph", ntriples=_as_ntriples(resp.body, media))
    try:
        doc = json.loads(resp.body)
    except ValueError:
        raise QueryError(f"the endpoint's answer is incomplete or not SPARQL JSON ({media})") from None
    if "boolean" in doc:
        return QueryResult("ask", boolean=bool(doc["boolean"]))
    try:
        variables = list(doc["head"].get("vars", []))
        rows = [{v: _plain_term(t) for v, t in row.items()} for row in doc["results"]["bindings"]]
    except (KeyError, TypeError, AttributeError):
        raise QueryError("the endpoint's answer is not a SPARQL JSON result") from None
    return QueryResult("select", variables, rows)


def _plain_term(term: dict) -> dict:
    # Virtuoso still writes the SPARQL 1.0 draft's "typed-literal"
    if term.get("type") == "typed-literal":
        return {**term, "type": "literal"}
    return term


def _as_ntriples(body: bytes, media: str) -> str:
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_media_type(media) if media else None
    try:
        triples = [q.triple for q in ox.parse(body, format=fmt or ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as exc:
        raise QueryError(f"the endpoint's graph answer is incomplete or malformed: {exc}") from None
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


# --------------------------------------------------------------------------- serve


def oxigraph_executable() -> str:
    """Path of the ``oxigraph`` command: beside this Python first (the venv), then on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        raise StoreError("the 'oxigraph' command is missing: pip install oxigraph")
    return found


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def endpoint_url(host: str, port: int, path: str = "/query") -> str:
    """The URL clients use for a server bound to host and port.

    Example:
        >>> endpoint_url("::1", 7878)
        'http://[::1]:7878/query'
    """
    return f"http://{_url_host(host)}:{port}{path}"


def is_loopback(host: str) -> bool:
    """Whether host names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_args(
    store: Path, host: str, port: int, timeout: int | None, read_only: bool = True, cors: bool = False
) -> list[str]:
    """The oxigraph command line that serves a store as it is.

    The store's default graph is what plain queries read (the knowledge layer a build
    writes), so it is not replaced by the union of the named graphs.
    """
    args = [oxigraph_executable(), "serve-read-only" if read_only else "serve"]
    args += ["--location", str(store), "--bind", f"{_url_host(host)}:{port}"]
    if timeout:
        args += ["--timeout-s", str(int(timeout))]
    if cors:
        args.append("--cors")
    return args


def check_port_free(host: str, port: int) -> None:
    """Raise KgError when nothing can listen on host:port (taken, not allowed, unknown host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise KgError(f"unknown host {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # the server sets SO_REUSEADDR too, so only a live listener makes the port "taken"
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError:
            raise KgError(
                f"not allowed to listen on port {port}: choose a port above 1023 with --port"
            ) from None
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise KgError(
                    f"port {port} on {host} is already in use: choose another with --port"
                ) from None
            raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec function asking Linux to SIGTERM the child if this process dies first."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return preexec


def start_oxigraph(args: list[str], host: str, port: int, wait: float = 20.0) -> subprocess.Popen:
    """Start an oxigraph server and return once it accepts connections.

    Args:
        args: the command line (see :func:`serve_args`).
        host, port: where it listens.
        wait: seconds to wait for it to accept connections.

    Raises:
        StoreError: it exited or did not start listening in time (with its error message).
    """
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; stop_process closes it
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=errors,
        start_new_session=True,  # Ctrl-C reaches kg serve, which stops the server itself
        preexec_fn=_die_with_parent(),
    )
    proc.errors = errors  # type: ignore[attr-defined]
    try:
        _wait_listening(proc, host, port, wait)
    except BaseException:  # Ctrl-C while starting included: never leave the server behind
        stop_process(proc)
        raise
    return proc


def _wait_listening(proc: subprocess.Popen, host: str, port: int, wait: float) -> None:
    probe_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            reason = server_errors(proc) or f"exit code {proc.returncode}"
            raise StoreError(f"the Oxigraph server did not start: {reason}")
        try:
            socket.create_connection((probe_host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise StoreError(f"the Oxigraph server did not start listening on {host}:{port} within {wait:g} s")


def server_errors(proc: subprocess.Popen) -> str:
    """The last lines the server wrote on stderr."""
    errors = getattr(proc, "errors", None)
    if errors is None:
        return ""
    errors.seek(0)
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    return " | ".join(lines[-3:])


def stop_process(proc: subprocess.Popen, grace: float = 5.0) -> int:
    """Terminate a child process, kill it if it is still there after grace seconds; its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    errors = getattr(proc, "errors", None)
    if errors is not None:
        errors.close()
    return proc.returncode
