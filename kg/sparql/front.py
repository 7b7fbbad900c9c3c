"""The endpoint front of ``kg serve``: the SPARQL 1.1 protocol, every query checked, run by killable processes.

An aiohttp server takes the requests. Each query is checked first (:mod:`kg.sparql.check`: size,
nesting, SERVICE, updates, FROM), then handed to one of a few query processes
(:mod:`kg.sparql.front_worker`), each holding the read-only store open and running the query through
:func:`kg.sparql.query.execute`. The answer comes back whole, up to a size limit, before anything is
sent, so a client sees a status that tells the truth: 200 with a complete body, or an error
status with a one-line reason. A query past the time limit has its process killed (504) and a
new one started; a process that dies (503) is replaced the same way; the other processes keep
answering meanwhile. A slow reader holds only its connection, never a query process, and is
cut off when sending takes longer than the time limit. When ``kg build`` replaces the store,
new processes open the new one. See docs/security.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from kg.errors import StoreError
from kg.sparql.check import DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_BYTES, Refused, check_query
from kg.sparql.endpoint import DEFAULT_HOST, DEFAULT_PORT, check_port_free, endpoint_url, is_loopback
from kg.sparql.front_worker import MEDIA_TYPES, SPARQL_JSON, SPARQL_XML
from kg.sparql.page import CSP, STATIC_FILES, PageConfig, query_page, static_file
from kg.store import store_path

DEFAULT_SERVE_TIMEOUT = 30
DEFAULT_WORKERS = 4
DEFAULT_MAX_RESULT_MB = 64
DEFAULT_WORKER_MEMORY_MB = 2048
DEFAULT_MAX_WAITING = 1000
WORKER_START_TIMEOUT = 60.0
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
SITE_DIR = "site"
"""build/site, where kg site writes; the query page links IRIs to its entity pages when it exists."""
SITE_MEDIA = {".html": HTML, ".css": "text/css", ".js": "application/javascript"}
READ_ONLY = "The server is read-only: updates and the Graph Store Protocol are refused"

Notify = Callable[[str], None]
_FRAME = struct.Struct(">I")


@dataclass(frozen=True)
class Limits:
    """What one query may use; every field has a ``kg serve`` option (see docs/security.md)."""

    timeout: float = DEFAULT_SERVE_TIMEOUT
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_result_bytes: int = DEFAULT_MAX_RESULT_MB * 1024 * 1024
    workers: int = DEFAULT_WORKERS
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB
    max_waiting: int = DEFAULT_MAX_WAITING

    @property
    def max_body_bytes(self) -> int:
        """The largest request body read: a form-encoded query is at most three times its size."""
        return 3 * self.max_query_bytes + 4096


@dataclass(frozen=True)
class Answer:
    """What the front sends for one query: status, media type, body."""

    status: int
    media: str
    body: bytes

    @classmethod
    def error(cls, status: int, reason: str) -> Answer:
        """A one-line plain-text error answer."""
        return cls(status, TEXT, (reason + "\n").encode("utf-8"))


# --------------------------------------------------------------------------- query processes


@dataclass(eq=False)
class Worker:
    """One query process, the store generation it opened, and its process id."""

    proc: asyncio.subprocess.Process
    generation: int

    @property
    def pid(self) -> int:
        return self.proc.pid


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
    return await reader.readexactly(size)


class Pool:
    """A fixed number of query processes: idle ones wait in a queue, dead or stale ones are replaced."""

    def __init__(self, build_dir: Path | str, limits: Limits, notify: Notify):
        self.build_dir = str(build_dir)
        self.limits = limits
        self.notify = notify
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.generation = 0
        self.waiting = 0
        self.closed = False
        self._tasks: set[asyncio.Task] = set()
        self._exits: set[asyncio.Task] = set()  # waits for killed processes, never cancelled
        self._start_failed = False
        self.isolated = True  # whether every query process so far runs without a network

    async def start(self) -> None:
        """Start every query process; StoreError when the first cannot open the store."""
        started = await asyncio.gather(*(self.spawn() for _ in range(self.limits.workers)))
        for worker in started:
            self.idle.put_nowait(worker)

    async def spawn(self) -> Worker:
        """Start one query process and wait until it has opened the store."""
        generation = self.generation
        # what a process says on stderr is kept only to explain why it did not start
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed below, once the process is ready
        try:
            return await self._spawn(generation, errors)
        finally:
            errors.close()

    async def _spawn(self, generation: int, errors) -> Worker:
        limits = self.limits
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kg.sparql.front_worker",
            self.build_dir,
            str(limits.max_result_bytes),
            str(limits.worker_memory_mb),
            str(os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            start_new_session=True,  # Ctrl-C reaches kg serve, which stops its processes itself
        )
        worker = Worker(proc, generation)
        self.workers.add(worker)
        try:
            ready = json.loads(await asyncio.wait_for(_read_frame(proc.stdout), WORKER_START_TIMEOUT))
        except (asyncio.IncompleteReadError, TimeoutError, ValueError):
            self.discard(worker)
            errors.seek(0)
            said = " ".join(errors.read()[-300:].decode("utf-8", "replace").split())
            raise StoreError(
                "a query process did not start"
                + (f": {said}" if said else "")
                + " (is --worker-memory-mb too low?)"
            ) from None
        except BaseException:
            self.discard(worker)
            raise
        if not ready.get("ready"):
            self.discard(worker)
            raise StoreError(ready.get("reason") or "a query process could not open the store")
        self.isolated = self.isolated and bool(ready.get("isolated"))
        return worker

    def discard(self, worker: Worker) -> None:
        """Kill a query process (if it still runs) and forget it."""
        self.workers.discard(worker)
        if worker.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                worker.proc.kill()
        # waited for to the end, so its pipes are closed while the loop still runs
        task = asyncio.get_running_loop().create_task(worker.proc.wait())
        self._exits.add(task)
        task.add_done_callback(self._exits.discard)

    def replace(self, worker: Worker) -> None:
        """Kill a query process and start another in the background."""
        self.discard(worker)
        self._background(self._replacement())

    def _background(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replacement(self) -> None:
        delay = 0.2
        while not self.closed:
            try:
                worker = await self.spawn()
            except (StoreError, OSError) as exc:
                if not self._start_failed:
                    self.notify(f"cannot start a query process: {exc}; trying again")
                    self._start_failed = True
                await asyncio.sleep(delay)
                delay = min(2 * delay, 5.0)
                continue
            self._start_failed = False
            if self.closed:
                self.discard(worker)
            else:
                self.idle.put_nowait(worker)
            return

    async def run(self, query: str, media: str) -> Answer:
        """Run a checked query on the next free process, within the time limit."""
        limits = self.limits
        if self.waiting >= limits.max_waiting:
            return Answer.error(503, f"too many queries waiting ({limits.max_waiting}): try again later")
        self.waiting += 1
        loop = asyncio.get_running_loop()
        # a query may wait for a process as long as two time limits: by then a process busy
        # with a runaway query has been killed and replaced, so cheap queries are served late,
        # not refused, while runaway ones come and go
        deadline = loop.time() + 2 * limits.timeout
        try:
            while True:
                worker = await asyncio.wait_for(self.idle.get(), max(0.0, deadline - loop.time()))
                if worker.generation == self.generation and worker.proc.returncode is None:
                    break
                self.replace(worker)  # it serves a store that was replaced, or it died while idle
        except TimeoutError:
            return Answer.error(
                503, f"every query process stayed busy for {2 * limits.timeout:g} s: try again later"
            )
        finally:
            self.waiting -= 1
        return await self._ask(worker, query, media)

    async def _ask(self, worker: Worker, query: str, media: str) -> Answer:
        limits = self.limits
        request = json.dumps({"query": query, "media": media}).encode("utf-8")
        try:
            worker.proc.stdin.write(_FRAME.pack(len(request)) + request)
            head, body = await asyncio.wait_for(self._answer(worker), limits.timeout)
        except TimeoutError:
            self.replace(worker)
            self.notify(f"stopped a query running past the {limits.timeout:g} s time limit")
            return Answer.error(504, f"query stopped: it ran past the time limit of {limits.timeout:g} s")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.replace(worker)
            self.notify("a query process ended without answering; started another")
            return Answer.error(
                503,
                "the query process ended without an answer (it crashed or ran out of memory) "
                "and was replaced; other queries were not affected",
            )
        except BaseException:  # the request was cancelled: its process may still be busy
            self.replace(worker)
            raise
        if head.get("retire") or worker.generation != self.generation:
            self.replace(worker)
        else:
            self.idle.put_nowait(worker)
        return Answer(int(head["status"]), head["type"], body)

    async def _answer(self, worker: Worker) -> tuple[dict, bytes]:
        await worker.proc.stdin.drain()
        head = json.loads(await _read_frame(worker.proc.stdout))
        body = await _read_frame(worker.proc.stdout)
        return head, body

    def store_changed(self) -> None:
        """Retire every process of the old store: idle ones now, busy ones after their answer."""
        self.generation += 1
        while not self.idle.empty():
            self.replace(self.idle.get_nowait())

    async def close(self) -> None:
        """Kill every query process and wait for them."""
        self.closed = True
        for worker in list(self.workers):
            self.discard(worker)
        tasks = list(self._tasks)
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for worker in list(self.workers):  # started by a replacement while it was cancelled
            self.discard(worker)
        await asyncio.wait_for(asyncio.gather(*self._exits, return_exceptions=True), 10)
        for _ in range(3):  # let the pipes of the processes that ended report their closing
            await asyncio.sleep(0)


# --------------------------------------------------------------------------- HTTP

_ALIASES = {"application/json": SPARQL_JSON, "application/xml": SPARQL_XML, "text/xml": SPARQL_XML}


def negotiate(form: str, accept: str | None) -> str | None:
    """The media type to answer a query form in, given the request's Accept header.

    The most specific media range that matches each offer gives its quality; ties go to the
    first offer (SPARQL JSON for results, N-Triples for graphs). None when nothing offered
    is acceptable.

    Example:
        >>> negotiate("select", "text/csv, */*;q=0.1")
        'text/csv'
        >>> negotiate("construct", "text/turtle;q=0.9, application/rdf+xml;q=0.5")
        'text/turtle'
    """
    offers = MEDIA_TYPES[form]
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = part.strip().split(";")
        media = fields[0].strip().lower()
        media = _ALIASES.get(media, media) if _ALIASES.get(media) in offers else media
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media, quality))
    best, best_quality = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0] + "/*"
        found = [(3, q) for m, q in ranges if m == offer] or [(2, q) for m, q in ranges if m == kind]
        found = found or [(1, q) for m, q in ranges if m == "*/*"]
        quality = max(found)[1] if found else 0.0
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


async def read_body(request, limit: int, timeout: float) -> bytes:
    """The request body, refused (413) past limit bytes or (408) when it takes past timeout."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, f"request too large: {request.content_length} bytes, the limit is {limit}")
    chunks: list[bytes] = []

    async def receive() -> None:
        size = 0
        while True:
            chunk = await request.content.read(1 << 16)
            if not chunk:
                return
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"request too large: more than {limit} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(receive(), timeout)
    except TimeoutError:
        raise Refused(408, f"the request body took longer than {timeout:g} s to arrive") from None
    return b"".join(chunks)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise Refused(400, f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


async def query_from_request(request, limits: Limits) -> str:
    """The query text of a SPARQL 1.1 protocol request (GET, form POST or direct POST)."""
    if len(request.query_string) > limits.max_body_bytes:
        raise Refused(413, f"request too large: the URL is longer than {limits.max_body_bytes} bytes")
    params = {k: request.query.getall(k) for k in request.query}
    if request.method == "POST":
        media = request.content_type.lower()
        body = await read_body(request, limits.max_body_bytes, limits.timeout)
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("ascii"), keep_blank_values=True, errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise Refused(400, "the form is not URL-encoded UTF-8") from None
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            try:
                params.setdefault("query", []).append(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise Refused(400, "the query is not UTF-8") from None
        else:
            raise Refused(
                415,
                "send the query as application/sparql-query or as a form "
                "(application/x-www-form-urlencoded) with a 'query' field",
            )
    if "update" in params:
        raise Refused(403, READ_ONLY)
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise Refused(
            400,
            "default-graph-uri and named-graph-uri are not supported: the dataset is fixed; "
            "use GRAPH <name> { ... } in the query",
        )
    query = _one(params, "query")
    if query is None:
        raise Refused(400, "no query: send ?query=... (GET), a form with a 'query' field, or a SPARQL body")
    return query


@dataclass(frozen=True)
class Front:
    """Everything a request handler needs: the pool, the limits, CORS and the allowed Host names."""

    pool: Pool
    limits: Limits
    cors: bool
    hosts: frozenset[str] | None  # None: any Host header (the server is not on loopback)
    endpoint: str
    page: str = ""  # the query page's HTML (kg.sparql.page)
    site: Path | None = None  # build/site (kg site), served under /site/ for the query page's links

    def headers(self, media: str) -> dict[str, str]:
        headers = {"Content-Type": media, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if self.cors:
            headers["Access-Control-Allow-Origin"] = "*"
        return headers

    async def send(self, request, answer: Answer, extra: dict[str, str] | None = None):
        """Send an answer whole, cutting off a client that takes past the time limit to read it."""
        from aiohttp import web

        response = web.StreamResponse(
            status=answer.status, headers={**self.headers(answer.media), **(extra or {})}
        )
        response.content_length = len(answer.body)

        async def write() -> None:
            await response.prepare(request)
            await response.write(answer.body)
            await response.write_eof()

        try:
            await asyncio.wait_for(write(), self.limits.timeout)
        except (TimeoutError, ConnectionError):
            if request.transport is not None:
                request.transport.abort()  # a slow or gone reader: drop the connection, keep nothing
        return response

    def host_allowed(self, request) -> bool:
        if self.hosts is None:
            return True
        host = request.headers.get("Host")
        if host is None:
            return True
        name = host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
        return name.lower() in self.hosts

    async def handle(self, request):
        """Every request: Host check, CORS preflight, then the route."""
        try:
            if not self.host_allowed(request):
                raise Refused(
                    403,
                    "this server answers only requests addressed to a loopback name (localhost, 127.0.0.1)",
                )
            if request.method == "OPTIONS":
                return await self.preflight(request)
            path = request.path.rstrip("/") or "/"
            if path in ("/query", "/sparql"):
                if request.method not in ("GET", "POST"):
                    raise Refused(405, "use GET or POST for SPARQL queries")
                return await self.query(request)
            if path in ("/update", "/store"):
                raise Refused(403, READ_ONLY)
            if path == "/" and request.method in ("GET", "HEAD"):
                if "text/html" in request.headers.get("Accept", ""):  # a browser: the query page
                    return await self.send(
                        request,
                        Answer(200, HTML, self.page.encode("utf-8")),
                        {"Content-Security-Policy": CSP},
                    )
                return await self.send(request, Answer(200, TEXT, self.index().encode("utf-8")))
            if path.startswith(f"/{SITE_DIR}/") and request.method in ("GET", "HEAD") and self.site:
                return await self.send(request, self.site_file(path[len(SITE_DIR) + 2 :]))
            if path.startswith("/static/") and request.method in ("GET", "HEAD"):
                name = path[len("/static/") :]
                body = static_file(name)
                if body is None:
                    raise Refused(404, f"nothing at {request.path}")
                return await self.send(
                    request, Answer(200, STATIC_FILES[name], body), {"Cache-Control": "max-age=3600"}
                )
            raise Refused(404, f"nothing at {request.path}: the SPARQL endpoint is {self.endpoint}")
        except Refused as refusal:
            return await self.send(request, Answer.error(refusal.status, refusal.reason))

    def site_file(self, name: str) -> Answer:
        """A page of the entity site (kg site), never a file outside it."""
        media = SITE_MEDIA.get(Path(name).suffix)
        root = self.site.resolve()
        path = (root / name).resolve()
        if media is None or not path.is_relative_to(root) or not path.is_file():
            raise Refused(404, f"nothing at /{SITE_DIR}/{name}")
        return Answer(200, media, path.read_bytes())

    async def preflight(self, request):
        if not self.cors:
            raise Refused(403, "cross-origin requests are not allowed (start kg serve with --cors)")
        extra = {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Accept",
            "Access-Control-Max-Age": "600",
        }
        return await self.send(request, Answer(204, TEXT, b""), extra)

    async def query(self, request):
        text = await query_from_request(request, self.limits)
        checked = check_query(text, self.limits.max_query_bytes, self.limits.max_depth)
        media = negotiate(checked.form, request.headers.get("Accept"))
        if media is None:
            offers = ", ".join(MEDIA_TYPES[checked.form])
            raise Refused(
                406, f"cannot answer a {checked.form.upper()} query in the types accepted; offered: {offers}"
            )
        return await self.send(request, await self.pool.run(checked.text, media))

    def index(self) -> str:
        limits = self.limits
        return (
            "kg serve: the trade-dispute knowledge graph, read-only, over the SPARQL 1.1 protocol.\n"
            f"Send queries to {self.endpoint} (GET ?query=..., POST form, or POST application/sparql-query).\n"
            f"Limits: {limits.max_query_bytes} bytes per query, {limits.max_depth} levels of brackets, "
            f"{limits.timeout:g} s, {limits.max_result_bytes // (1024 * 1024)} MB per answer. "
            "SERVICE, updates and FROM are refused.\n"
        )


def make_app(front: Front):
    """The aiohttp application of a Front: one handler for every path and method."""
    from aiohttp import web

    app = web.Application(client_max_size=front.limits.max_body_bytes)
    app.router.add_route("*", "/{tail:.*}", front.handle)
    return app


# --------------------------------------------------------------------------- serve


class _OneLine(logging.Formatter):
    """Log records as one line each: no traceback reaches the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        message = " ".join(record.getMessage().split())
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f": {type(exc).__name__}: {exc}"
        return f"kg serve: {message}"


def _quiet_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    for name in ("aiohttp", "asyncio"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.ERROR)
        logger.propagate = False


def loopback_names(host: str) -> frozenset[str] | None:
    """The Host header names accepted on a loopback address; None (any) elsewhere."""
    if not is_loopback(host):
        return None
    return frozenset({"localhost", "127.0.0.1", "::1", host.lower()})


_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def serve(
    build_dir: Path | str = "build",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: Limits | None = None,
    cors: bool = False,
    notify: Notify = print,
    poll: float = 0.5,
) -> None:
    """Serve the built store read-only over the SPARQL 1.1 protocol until interrupted.

    Args:
        build_dir: the build folder.
        host, port: where to listen (loopback by default).
        limits: time, size, nesting, result and memory limits and the number of query processes.
        cors: allow cross-origin requests (a browser page on another origin may read answers).
        notify: receives one line per event (start, stopped queries, a rebuilt store).
        poll: seconds between checks for a rebuilt store.

    Raises:
        StoreError: no store, or no query process could open it.
        KgError: the port is taken or cannot be used.

    Example:
        >>> serve("build", port=7878)  # doctest: +SKIP
    """
    limits = limits or Limits()
    store = store_path(build_dir)
    check_port_free(host, port)
    # Ctrl-C before the signal handlers are in place is a clean stop all the same
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(build_dir, store, host, port, limits, cors, notify, poll))
    notify("stopped")


async def _serve(build_dir, store: Path, host, port, limits, cors, notify, poll) -> None:
    from aiohttp import web

    _quiet_logging()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = []
    if threading.current_thread() is threading.main_thread():
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    pool = Pool(build_dir, limits, notify)
    runner = None
    watcher = None
    try:
        await pool.start()
        site = Path(build_dir) / SITE_DIR
        has_site = (site / "index.html").is_file()
        page = query_page(PageConfig("/query", f"/{SITE_DIR}/entities/{{key}}.html" if has_site else None))
        front = Front(
            pool,
            limits,
            cors,
            loopback_names(host),
            endpoint_url(host, port),
            page,
            site if has_site else None,
        )
        runner = web.AppRunner(
            make_app(front),
            handle_signals=False,
            access_log=None,
            keepalive_timeout=15,
            max_line_size=limits.max_body_bytes + 1024,
            max_field_size=16 * 1024,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=1024, shutdown_timeout=1.0, reuse_address=True)
        await site.start()
        _announce(store, host, port, limits, cors, notify)
        if not pool.isolated:
            notify(
                "note: the query processes could not be cut off from the network here (no user "
                "namespaces); SERVICE is still refused before any query runs"
            )
        watcher = loop.create_task(_watch_store(build_dir, store, pool, notify, poll))
        await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        if runner is not None:
            await runner.cleanup()
        await pool.close()
        for sig in handled:
            loop.remove_signal_handler(sig)


async def _watch_store(build_dir, serving: Path, pool: Pool, notify: Notify, poll: float) -> None:
    while True:
        await asyncio.sleep(poll)
        try:
            current = store_path(build_dir)
        except StoreError:
            continue  # mid-rebuild or removed: keep serving what is open
        if current != serving and current.is_dir():
            serving = current
            notify(f"the store was rebuilt: serving {current}")
            pool.store_changed()


def _announce(store: Path, host: str, port: int, limits: Limits, cors: bool, notify: Notify) -> None:
    notify(
        f"serving {store} read-only ({limits.workers} query processes, {limits.timeout:g} s query time limit)"
    )
    notify(
        f"limits: {limits.max_query_bytes // 1024} KB per query, {limits.max_depth} levels of brackets, "
        f"{limits.max_result_bytes // (1024 * 1024)} MB per answer; SERVICE, updates and FROM refused"
        + ("; CORS on" if cors else "")
    )
    notify(f"SPARQL endpoint: {endpoint_url(host, port)}")
    if not is_loopback(host):
        notify(
            f"warning: listening on {host}: anyone who can reach it can query the graph; "
            "put a proxy with authentication and rate limits in front (docs/security.md)"
        )
    notify("press Ctrl-C to stop")
