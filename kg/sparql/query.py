"""SPARQL over the built graph: named queries, safety checks, a time limit, and result formats.

Queries run over the store's default graph, the knowledge layer (:mod:`kg.build.layer`: each claim
once, and a node per claim); ``GRAPH ?g`` reaches each fact graph and the provenance graph. The
project's prefixes are predeclared. A query with a time limit runs in a child process that is
killed when the limit passes, so a runaway query never returns partial results.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kg.build.layer import LAYER_IRI, LAYER_VERSION
from kg.errors import QueryError, StoreError
from kg.rdf.namespaces import PREFIXES, TDO
from kg.resources import QUERIES_DIR
from kg.store import open_store, store_path

DEFAULT_TIMEOUT = 10.0

_STRIP = re.compile(
    r"""(\#[^\n]*)                       # comments
      | ("{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}) # long strings
      | ("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')  # strings
      | (<[^<>"{}|^`\\\s]*>)             # IRIs
      | ([?$][A-Za-z0-9_]+)              # variables
      | ([A-Za-z][\w.-]*:[\w.-]*)        # prefixed names
    """,
    re.VERBOSE,
)
_UPDATE = re.compile(r"\b(LOAD|INSERT|DELETE|CLEAR|DROP|CREATE|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


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
    for match in _STRIP.finditer(query):
        iri, name = match.group(4), match.group(6)
        if name and name.startswith("tdo:"):
            local = name[4:]
        elif iri and iri.startswith(f"<{namespace}"):
            local = iri[len(namespace) + 1 : -1]
        else:
            continue
        if local and local not in known:
            warning = f"tdo:{local} is not in the ontology{did_you_mean(local, known)}"
            if warning not in warnings:
                warnings.append(warning)
    return warnings


def refuse_unsafe(query: str) -> None:
    """Raise QueryError for SERVICE (network access) and for any update operation."""
    bare = _STRIP.sub(" ", query)
    if _SERVICE.search(bare):
        raise QueryError("SERVICE is not allowed: queries cannot reach the network")
    found = _UPDATE.search(bare)
    if found:
        raise QueryError(f"{found.group(1).upper()} is not allowed: the graph is read-only")


@dataclass
class QueryResult:
    """A SPARQL result: SELECT rows as SPARQL JSON bindings, an ASK boolean, or N-Triples."""

    kind: str  # select | ask | graph
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, dict]] = field(default_factory=list)
    boolean: bool | None = None
    ntriples: str | None = None

    def values(self, short: bool = False) -> list[dict[str, str | None]]:
        """Rows as plain ``{variable: value}`` dicts (IRIs and literal lexical forms).

        Args:
            short: write IRIs with the project's prefixes (``id:japan``) instead of in full.
        """
        if short:
            return [{v: (shorten(row[v]) if v in row else None) for v in self.variables} for row in self.rows]
        return [{v: (row[v]["value"] if v in row else None) for v in self.variables} for row in self.rows]

    def column(self, variable: str) -> list[str | None]:
        """One column's values."""
        return [row[variable]["value"] if variable in row else None for row in self.rows]

    def to_dataframe(self, short: bool = False):
        """Rows as a pandas DataFrame of plain values (IRIs prefixed when short)."""
        import pandas as pd

        return pd.DataFrame(self.values(short), columns=self.variables)

    def to_sparql_json(self) -> dict:
        """The SPARQL 1.1 Query Results JSON document."""
        if self.kind == "ask":
            return {"head": {}, "boolean": self.boolean}
        return {"head": {"vars": self.variables}, "results": {"bindings": self.rows}}


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
        from kg.sparql.endpoint import remote_query

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


def shorten(term: dict) -> str:
    """A result term for humans: prefixed IRIs, bare literal values."""
    value = term["value"]
    if term["type"] == "uri":
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and re.fullmatch(r"[\w.-]*", value[len(ns) :]):
                return f"{prefix}:{value[len(ns) :]}"
        return f"<{value}>"
    return value


def _ntriples_term(term: dict) -> str:
    from kg.rdf.terms import literal

    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return literal(term["value"], term.get("datatype"), term.get("xml:lang"))


def format_result(result: QueryResult, fmt: str = "table", max_width: int = 60) -> str:
    """Render a result as an aligned table, CSV, TSV or SPARQL results JSON."""
    if result.kind == "graph":
        return result.ntriples or ""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps(result.to_sparql_json(), indent=1)
        return "true" if result.boolean else "false"
    if fmt == "json":
        return json.dumps(result.to_sparql_json(), indent=1, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([row[v]["value"] if v in row else "" for v in result.variables])
        return buf.getvalue().rstrip("\n")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        for row in result.rows:
            lines.append("\t".join(_ntriples_term(row[v]) if v in row else "" for v in result.variables))
        return "\n".join(lines)
    return table(
        result.variables,
        [[shorten(row[v]) if v in row else "" for v in result.variables] for row in result.rows],
        max_width,
    )


def table(headers: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    """An aligned plain-text table; cells longer than max_width are cut with an ellipsis."""

    def cut(text: str) -> str:
        text = " ".join(str(text).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cut(h) for h in headers]] + [[cut(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
