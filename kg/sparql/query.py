"""SPARQL over the built graph: named queries, a time limit, and the check that the store has its layer.

Queries run over the store's default graph, the knowledge layer (:mod:`kg.build.layer`: each claim
once, and a node per claim); ``GRAPH ?g`` reaches each fact graph and the provenance graph. The
project's prefixes are predeclared. A query with a time limit runs in a child process that is
killed when the limit passes, so a runaway query never returns partial results.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import threading
from pathlib import Path

from kg.build.layer import LAYER_IRI, LAYER_VERSION
from kg.errors import QueryError, StoreError
from kg.rdf.namespaces import PREFIXES, TDO
from kg.rdf.terms import iri
from kg.resources import QUERIES_DIR
from kg.sparql.check import refuse_unsafe, tokens
from kg.sparql.endpoint import remote_query
from kg.sparql.results import DEFAULT_TIMEOUT, QueryResult
from kg.store import open_store, store_path

_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def syntax_message(exc: Exception, query: str) -> str:
    """A parser's error as one line: where it is, what the query says there, and what was
    expected when that list is short (Oxigraph's lists every Unicode range a name may start with).

    Example:
        >>> syntax_message(SyntaxError('error at 1:9: expected one of "{"'), "SELECT * WHERE")
        'SPARQL syntax error at line 1, column 9 (after "SELECT *"): expected one of "{"'
    """
    text = " ".join(str(exc).split())
    found = _AT.match(text)
    if not found:
        return f"SPARQL syntax error: {text[:200]}"
    line, column, expected = int(found.group(1)), int(found.group(2)), found.group(3)
    lines = query.splitlines() or [""]
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    before = source[max(0, column - 21) : column - 1].strip()
    where = f"SPARQL syntax error at line {line}, column {column}" + (
        f' (after "{before}")' if before else ""
    )
    if len(expected) > 100 or "\\u{" in expected:
        expected = "a term, a keyword or punctuation that fits here"
    return f"{where}: {expected}"


def unknown_terms(query: str) -> list[str]:
    """Warnings for the ``tdo:`` terms a query names that the ontology does not have (a typo
    returns no rows, silently), each with the closest known term.

    Example:
        >>> unknown_terms("SELECT ?x WHERE { ?x tdo:rates ?r ; tdo:rate ?s }")
        ["tdo:rates is not in the ontology (did you mean 'rate'?)"]
    """
    from kg.seeds.corpus import did_you_mean

    known = set(TDO.__annotations__)
    namespace = str(TDO._NS)
    warnings = []
    for kind, token in tokens(query):
        if kind == "pname" and token.startswith("tdo:"):
            local = token[4:]
        elif kind == "iri" and token.startswith(f"<{namespace}"):
            local = token[len(namespace) + 1 : -1]
        else:
            continue
        if local and local not in known:
            warning = f"tdo:{local} is not in the ontology{did_you_mean(local, known)}"
            if warning not in warnings:
                warnings.append(warning)
    return warnings


def named_queries(directory: Path | None = None) -> dict[str, Path]:
    """Every ``.rq`` file of ontology/queries by name (file stem)."""
    directory = directory or QUERIES_DIR
    return {p.stem: p for p in sorted(directory.glob("*.rq"))}


def describe_query(path: Path) -> str:
    """The first comment line of a query file: the question it answers."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def resolve_query(text_or_name: str) -> str:
    """SPARQL text from a named query, a file path, or the text itself."""
    queries = named_queries()
    if text_or_name in queries:
        return queries[text_or_name].read_text(encoding="utf-8")
    candidate = Path(text_or_name)
    if len(text_or_name) < 4096 and "\n" not in text_or_name and candidate.suffix == ".rq":
        if not candidate.is_file():
            raise QueryError(f"no query file {text_or_name}")
        return candidate.read_text(encoding="utf-8")
    if re.fullmatch(r"[a-z0-9-]+", text_or_name):
        from kg.seeds.corpus import did_you_mean

        raise QueryError(f"no named query '{text_or_name}'{did_you_mean(text_or_name, queries)}")
    return text_or_name


def _serialize(result) -> tuple[str, bytes]:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return "ask", json.dumps({"head": {}, "boolean": bool(result)}).encode()
    if isinstance(result, ox.QuerySolutions):
        return "select", result.serialize(format=ox.QueryResultsFormat.JSON)
    return "graph", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)


def _parse(kind: str, payload: bytes) -> QueryResult:
    if kind == "graph":
        return QueryResult("graph", ntriples=payload.decode("utf-8"))
    doc = json.loads(payload)
    if kind == "ask":
        return QueryResult("ask", boolean=doc["boolean"])
    return QueryResult("select", doc["head"].get("vars", []), doc["results"]["bindings"])


_HAS_LAYER = f"ASK {{ {LAYER_IRI} <{TDO._NS}layerVersion> {LAYER_VERSION} }}"
NO_LAYER = (
    "this store has no knowledge layer (it was built by an older version of kg, or not by kg "
    "build): run 'kg build' again"
)


def _query(store, query: str):
    """The store's answer to query over its default graph, once the store is known to hold the
    knowledge layer (StoreError otherwise)."""
    if not store.query(_HAS_LAYER):
        raise StoreError(NO_LAYER)
    return store.query(query, prefixes=PREFIXES)


def execute(store, query: str) -> QueryResult:
    """Run a query on an open pyoxigraph store in this process (no time limit)."""
    refuse_unsafe(query)
    try:
        result = _query(store, query)
        kind, payload = _serialize(result)
    except SyntaxError as exc:
        raise QueryError(syntax_message(exc, query)) from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc
    return _parse(kind, payload)


def _child(path: str, query: str, conn) -> None:  # pragma: no cover - runs in the child
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(path)
        result = _query(store, query)
        conn.send(("ok",) + _serialize(result))
    except StoreError as exc:
        conn.send(("store", str(exc), b""))
    except SyntaxError as exc:
        conn.send(("error", syntax_message(exc, query), b""))
    except Exception as exc:  # anything else is reported to the parent, not raised here
        conn.send(("error", f"query failed: {exc}", b""))
    finally:
        conn.close()


def run_query(
    query: str,
    build_dir: Path | str = "build",
    timeout: float | None = DEFAULT_TIMEOUT,
    endpoint: str | None = None,
) -> QueryResult:
    """Run a SPARQL query on the built store.

    Args:
        query: SPARQL text (use :func:`resolve_query` for names and files).
        build_dir: the build folder holding the store.
        timeout: seconds before the query is stopped; None runs it in this process unbounded.
        endpoint: URL of a SPARQL 1.1 endpoint to query instead of the built store.

    Returns:
        The QueryResult.

    Raises:
        QueryError: unsafe, malformed, failed, or over its time limit.
        StoreError: no store has been built.

    Example:
        >>> run_query("ASK { ?s a tdo:Letter }").boolean
        True
    """
    refuse_unsafe(query)
    if endpoint:
        return remote_query(endpoint, query, timeout=timeout)
    if timeout is None:
        return execute(open_store(build_dir), query)
    path = str(store_path(build_dir))
    method = "fork" if threading.active_count() == 1 else "spawn"
    ctx = multiprocessing.get_context(method)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(path, query, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryError(f"query stopped: it exceeded the time limit of {timeout:g} s")
        status, kind, payload = parent.recv()
    except EOFError:
        raise QueryError("query failed: the query process ended without an answer") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if status == "store":
        raise StoreError(kind)
    if status == "error":
        raise QueryError(kind)
    return _parse(kind, payload)


def labels(
    iris: set[str],
    build_dir: Path | str = "build",
    endpoint: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> dict[str, str]:
    """The rdfs:label of each IRI that has one, read in a few queries (what tables show).

    Example:
        >>> labels({"https://w3id.org/trade-dispute/id/japan"})
        {'https://w3id.org/trade-dispute/id/japan': 'Japan'}
    """
    out: dict[str, str] = {}
    ordered = sorted(iris)
    for start in range(0, len(ordered), 500):
        values = " ".join(term for i in ordered[start : start + 500] if (term := _iri_or_none(i)))
        if not values:
            continue
        text = f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label ?label }}"
        for row in run_query(text, build_dir, timeout=timeout, endpoint=endpoint).values():
            out.setdefault(row["s"], row["label"])
    return out


def _iri_or_none(value: str) -> str | None:
    """``<value>`` when it can stand in a query, else None (an IRI an endpoint sent malformed)."""
    try:
        return iri(value)
    except ValueError:
        return None
