"""A SPARQL result and how it is shown: SELECT rows, an ASK boolean or a graph, as table, CSV, TSV or JSON.

Both the embedded store (:mod:`kg.sparql.query`) and remote endpoints (:mod:`kg.sparql.endpoint`)
answer with a :class:`QueryResult`; the CLI, the API and the server front print or send it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.output import delimited, table
from kg.rdf.namespaces import PREFIXES
from kg.rdf.terms import literal

DEFAULT_TIMEOUT = 10.0
"""Seconds a query may run before it is stopped (``kg query --timeout``)."""


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


def shorten(term: dict) -> str:
    """A result term for humans: prefixed IRIs, bare literal values."""
    value = term["value"]
    if term["type"] == "uri":
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and re.fullmatch(r"[\w.-]*", value[len(ns) :]):
                return f"{prefix}:{value[len(ns) :]}"
        return f"<{value}>"
    return value


def ntriples_term(term: dict) -> str:
    """A SPARQL JSON term as N-Triples text (what TSV results show)."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    return literal(term["value"], term.get("datatype"), term.get("xml:lang"))


FORMATS = ("table", "csv", "tsv", "json", "nt")
"""Output formats of ``kg query``: nt (N-Triples) for CONSTRUCT and DESCRIBE only."""


def triples_as_rows(result: QueryResult) -> QueryResult:
    """A CONSTRUCT or DESCRIBE result as SELECT-like rows of subject, predicate and object."""
    import pyoxigraph as ox

    def term(t) -> dict:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = t.datatype.value
        return out

    rows = [
        {"subject": term(t.subject), "predicate": term(t.predicate), "object": term(t.object)}
        for t in ox.parse(result.ntriples or "", format=ox.RdfFormat.N_TRIPLES)
    ]
    return QueryResult("select", ["subject", "predicate", "object"], rows)


def iris_of(result: QueryResult) -> set[str]:
    """Every IRI a SELECT result holds (what labels are looked up for)."""
    return {term["value"] for row in result.rows for term in row.values() if term["type"] == "uri"}


def format_result(
    result: QueryResult, fmt: str = "table", max_width: int = 60, labels: dict[str, str] | None = None
) -> str:
    """Render a result as an aligned table, CSV, TSV, SPARQL results JSON or N-Triples.

    A graph (CONSTRUCT, DESCRIBE) is N-Triples as ``nt``, and rows of subject, predicate and
    object in the other formats; ``nt`` of a SELECT or ASK result is refused (QueryError).
    In a table with ``labels`` (IRI -> label), an IRI is shown by its label, and a column with a
    name column beside it (``?sender`` and ``?senderName``) only by that name.
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    if result.kind == "graph":
        if fmt == "nt":
            return result.ntriples or ""
        result = triples_as_rows(result)
    elif fmt == "nt":
        raise QueryError("--format nt is for CONSTRUCT and DESCRIBE; a SELECT or ASK answer has no triples")
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps(result.to_sparql_json(), indent=1)
        if fmt in ("csv", "tsv"):
            return f"boolean\n{'true' if result.boolean else 'false'}"
        return "true" if result.boolean else "false"
    if fmt == "json":
        return json.dumps(result.to_sparql_json(), indent=1, ensure_ascii=False)
    if fmt == "csv":  # SPARQL 1.1 CSV results: plain values
        return delimited(
            result.variables,
            [[row[v]["value"] if v in row else "" for v in result.variables] for row in result.rows],
        )
    if fmt == "tsv":  # SPARQL 1.1 TSV results: ?variables and N-Triples terms
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        for row in result.rows:
            lines.append("\t".join(ntriples_term(row[v]) if v in row else "" for v in result.variables))
        return "\n".join(lines)
    columns = result.variables
    if labels is not None:  # a column named beside it (?sender and ?senderName) is shown once, by name
        columns = [v for v in columns if not {f"{v}Name", f"{v}Label"} & set(columns)]
    labels = labels or {}

    def shown(term: dict) -> str:
        return (
            labels.get(term["value"], "")
            if term["type"] == "uri" and term["value"] in labels
            else shorten(term)
        )

    return table(
        columns, [[shown(row[v]) if v in row else "" for v in columns] for row in result.rows], max_width
    )
