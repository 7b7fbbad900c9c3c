"""A query process of the endpoint front: runs one checked query at a time on the read-only store.

``kg serve`` starts a few of these (``python -m kg.sparql.front_worker BUILD_DIR ...``) and talks to
each over its standard input and output in frames (a 4-byte big-endian length, then the bytes).
A request is a JSON object ``{"query": ..., "media": ...}``; an answer is a JSON header
``{"status": ..., "type": ..., "reason": ...}`` followed by one frame with the body. The front
kills a process whose query runs past the time limit and starts another, so nothing here
needs to watch the clock. Each process cuts itself off from the network (a network namespace
of its own, where Linux allows it), caps its memory, and runs queries on a thread with a large
stack, so a deeply nested query cannot overflow it.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import json
import os
import resource
import signal
import struct
import sys
import threading
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from kg.errors import KgError, QueryError
from kg.rdf.namespaces import PREFIXES
from kg.sparql.query import execute
from kg.sparql.results import QueryResult

QUERY_STACK_BYTES = 512 * 1024 * 1024
"""The query thread's stack: reserved, not used, unless a query nests that deep."""

BASE_BYTES = 256 * 1024 * 1024
"""Private memory an idle query process may reserve (about 110 MB measured: Python, the store's
caches, thread arenas), not counted in its memory cap."""

_HEADER = struct.Struct(">I")

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"
RDF_XML = "application/rdf+xml"

MEDIA_TYPES = {
    "select": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "ask": (SPARQL_JSON, SPARQL_XML),
    "construct": (N_TRIPLES, TURTLE, RDF_XML),
    "describe": (N_TRIPLES, TURTLE, RDF_XML),
}
"""What each query form can be answered in, the default first."""


# --------------------------------------------------------------------------- frames


def write_frame(out: BinaryIO, payload: bytes) -> None:
    """Write one frame: its length, then its bytes."""
    out.write(_HEADER.pack(len(payload)) + payload)


def read_frame(inp: BinaryIO) -> bytes | None:
    """Read one frame; None at the end of the stream."""
    head = inp.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    payload = inp.read(size)
    if len(payload) < size:
        return None
    return payload


# --------------------------------------------------------------------------- results


def _xml_term(term: dict) -> str:
    kind, value = term["type"], escape(term["value"])
    if kind == "uri":
        return f"<uri>{value}</uri>"
    if kind == "bnode":
        return f"<bnode>{value}</bnode>"
    if "xml:lang" in term:
        return f"<literal xml:lang={quoteattr(term['xml:lang'])}>{value}</literal>"
    if term.get("datatype"):
        return f"<literal datatype={quoteattr(term['datatype'])}>{value}</literal>"
    return f"<literal>{value}</literal>"


def results_xml(result: QueryResult) -> bytes:
    """The SPARQL 1.1 Query Results XML document of a SELECT or ASK result."""
    lines = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        lines.append(
            "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>"
        )
        lines.append("<results>")
        for row in result.rows:
            bindings = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in row.items()
            )
            lines.append(f"<result>{bindings}</result>")
        lines.append("</results>")
    lines.append("</sparql>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv_value(term: dict | None) -> str:
    if term is None:
        return ""
    return f"_:{term['value']}" if term["type"] == "bnode" else term["value"]


def _tsv_term(term: dict | None) -> str:
    if term is None:
        return ""
    from kg.rdf.terms import literal

    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return literal(term["value"], term.get("datatype"), term.get("xml:lang"))


def results_csv(result: QueryResult, tabs: bool = False) -> bytes:
    """SPARQL 1.1 CSV (plain values) or TSV (RDF terms) of a SELECT result."""
    if tabs:
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_tsv_term(row.get(v)) for v in result.variables) for row in result.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(v)) for v in result.variables])
    return buf.getvalue().encode("utf-8")


def serialize(result: QueryResult, media: str) -> bytes:
    """A result in one of the media types of :data:`MEDIA_TYPES`."""
    if media == SPARQL_JSON:
        return json.dumps(result.to_sparql_json(), ensure_ascii=False).encode("utf-8")
    if media == SPARQL_XML:
        return results_xml(result)
    if media in (CSV, TSV):
        return results_csv(result, tabs=media == TSV)
    ntriples = (result.ntriples or "").encode("utf-8")
    if media == N_TRIPLES:
        return ntriples
    import pyoxigraph as ox

    fmt = ox.RdfFormat.TURTLE if media == TURTLE else ox.RdfFormat.RDF_XML
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    prefixes = PREFIXES if media == TURTLE else None
    return ox.serialize(triples, format=fmt, prefixes=prefixes)


def answer(store, query: str, media: str, max_bytes: int) -> tuple[dict, bytes]:
    """Run one query and return the answer's header and body.

    Args:
        store: the open pyoxigraph store.
        query: a query that passed :func:`kg.sparql.check.check_query`.
        media: the media type to answer in.
        max_bytes: the largest body sent; a larger answer is an error, never cut.

    Returns:
        ``({"status", "type", "reason"}, body)``.
    """
    try:
        result = execute(store, query)
    except QueryError as exc:
        status = 400 if str(exc).startswith(("SPARQL syntax error", "SERVICE", "LOAD")) else 500
        return _error(status, str(exc))
    except MemoryError:
        return _error(507, "the query needed more memory than a query process may use", retire=True)
    except KgError as exc:  # the store cannot answer (e.g. it lacks what kg build adds)
        return _error(500, str(exc))
    except Exception as exc:  # a failure inside the engine: an error answer, not a dead process
        return _error(500, f"query failed: {type(exc).__name__}: {exc}")
    try:
        body = serialize(result, media)
    except MemoryError:
        return _error(507, "the answer needed more memory than a query process may use", retire=True)
    except (ValueError, SyntaxError, OSError) as exc:
        return _error(500, f"cannot write the answer as {media}: {exc}")
    if len(body) > max_bytes:
        return _error(
            413,
            f"the answer is larger than the limit of {max_bytes // (1024 * 1024)} MB: "
            "add LIMIT or narrow the query (kg serve --max-result-mb)",
        )
    return {"status": 200, "type": media, "reason": ""}, body


def _error(status: int, reason: str, retire: bool = False) -> tuple[dict, bytes]:
    reason = " ".join(reason.split())
    return {"status": status, "type": "text/plain; charset=utf-8", "reason": reason, "retire": retire}, (
        reason + "\n"
    ).encode("utf-8")


# --------------------------------------------------------------------------- the process


def isolate_from_network() -> bool:
    """Move this process into network and user namespaces of its own: no route anywhere.

    Must run while the process has one thread. Returns whether Linux allowed it.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(0x10000000 | 0x40000000) == 0  # CLONE_NEWUSER | CLONE_NEWNET
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the front that started it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def limit_memory(megabytes: int) -> None:
    """Cap this process's private memory (heap and stacks): megabytes for queries on top of
    what an idle process reserves (:data:`BASE_BYTES`) and the query stack."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024 + BASE_BYTES + QUERY_STACK_BYTES
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ValueError, OSError):
        pass


def serve_queries(
    build_dir: str, max_bytes: int, inp: BinaryIO, out: BinaryIO, isolated: bool = False
) -> None:
    """Open the store, say ready, then answer request frames until the input ends."""
    from kg.store import open_store, store_path

    try:
        store = open_store(build_dir)
        path = str(store_path(build_dir))
    except KgError as exc:
        write_frame(out, json.dumps({"ready": False, "reason": str(exc)}).encode())
        out.flush()
        return
    ready = {"ready": True, "store": path, "pid": os.getpid(), "isolated": isolated}
    write_frame(out, json.dumps(ready).encode())
    out.flush()
    while True:
        frame = read_frame(inp)
        if frame is None:
            return
        request = json.loads(frame)
        head, body = answer(store, request["query"], request["media"], max_bytes)
        write_frame(out, json.dumps(head).encode())
        write_frame(out, body)
        out.flush()
        if head.get("retire"):
            return


def main(argv: list[str]) -> int:
    """``python -m kg.sparql.front_worker BUILD_DIR MAX_RESULT_BYTES MEMORY_MB PARENT_PID``."""
    build_dir, max_bytes, memory_mb, parent = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    isolated = isolate_from_network()  # first: it needs a single-threaded process
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the front, which stops us
    limit_memory(memory_mb)
    # frames go to the real standard output; anything printed by a library goes to stderr
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = os.fdopen(os.dup(0), "rb")
    threading.stack_size(QUERY_STACK_BYTES)
    worker = threading.Thread(
        target=serve_queries, args=(build_dir, max_bytes, inp, out, isolated), daemon=True
    )
    worker.start()
    worker.join()
    return 0


if __name__ == "__main__":  # pragma: no cover - runs as the front's child
    sys.exit(main(sys.argv[1:]))
