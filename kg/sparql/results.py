"""A SPARQL result and how it is shown: SELECT rows, an ASK boolean or a graph, as table, CSV, TSV or JSON.

Both the embedded store (:mod:`kg.sparql.query`) and remote endpoints (:mod:`kg.sparql.endpoint`)
answer with a :class:`QueryResult`; the CLI, the API and the server front print or send it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

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
    return table(
        result.variables,
        [[shorten(row[v]) if v in row else "" for v in result.variables] for row in result.rows],
        max_width,
    )
