"""A small Python API for notebooks and scripts: open the built graph or an endpoint and query it.

Example:
    >>> import kg.api
    >>> g = kg.api.open_graph("build")
    >>> g.df("cq-letters")[["senderName", "recipientName", "modality"]].iloc[0].to_dict()
    {'senderName': 'Li Qiang', 'recipientName': 'Shigeru Ishiba', 'modality': 'reported'}
    >>> len(g.fact_graph("a000-letter"))
    4

Everything goes through :func:`kg.sparql.query.run_query`, so the same rules hold: the knowledge layer as
default graph, project prefixes predeclared, SERVICE and updates refused, a time limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import QueryError
from kg.rdf.namespaces import FACT, XSD_NS, bind_prefixes
from kg.sparql.query import describe_query, named_queries, resolve_query, run_query
from kg.sparql.results import DEFAULT_TIMEOUT, QueryResult
from kg.store import store_path

_NUMERIC = {
    XSD_NS + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")
}
_DATES = {XSD_NS + "date", XSD_NS + "dateTime"}
_FACT_ID = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class GraphHandle:
    """The trade-dispute graph to query: a build folder's store, or a SPARQL endpoint."""

    build_dir: Path
    endpoint: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT

    def query(self, query: str) -> QueryResult:
        """Run a named query (see :meth:`queries`), a ``.rq`` file or SPARQL text.

        Example:
            >>> open_graph("build").query("ASK { ?l a tdo:Letter }").boolean
            True
        """
        return run_query(resolve_query(query), self.build_dir, timeout=self.timeout, endpoint=self.endpoint)

    def rows(self, query: str) -> list[dict[str, str | None]]:
        """SELECT rows as ``{variable: value}`` dicts of plain strings (IRIs, literal values)."""
        return self._select(query).values()

    def df(self, query: str, typed: bool = True, short: bool = False, labels: bool = False):
        """SELECT rows as a pandas DataFrame.

        Args:
            query: a named query, a ``.rq`` file or SPARQL text.
            typed: turn columns whose values are all numbers or all dates into numbers or
                datetimes; otherwise every cell is a string (or None when unbound).
            short: write IRIs with the project's prefixes (``id:japan``), for reading.
            labels: a table to read: drop each IRI column whose label the query gives too
                (``person`` beside ``personName``) and every column without a value, write the
                other IRIs short and unbound cells empty.

        Example:
            >>> table = open_graph("build").df("cq-meetings", labels=True)
            >>> "participant" in table, "participantName" in table, int((table == "").sum().sum()) > 0
            (False, True, True)
        """
        result = self._select(query)
        frame = result.to_dataframe(short or labels)
        if typed:
            import pandas as pd

            for var in result.variables:
                kinds = {row[var].get("datatype") for row in result.rows if var in row}
                if kinds and kinds <= _NUMERIC:
                    frame[var] = pd.to_numeric(frame[var])
                elif kinds and kinds <= _DATES:
                    frame[var] = pd.to_datetime(frame[var])
        if labels:
            iris = [
                v for v in result.variables if any(row.get(v, {}).get("type") == "uri" for row in result.rows)
            ]
            frame = frame.drop(columns=[v for v in iris if f"{v}Name" in frame.columns])
            frame = frame.dropna(axis=1, how="all")
            for var in frame.columns:  # 125, not 125.0, beside an empty cell
                if frame[var].dtype.kind == "f" and (frame[var].dropna() % 1 == 0).all():
                    frame[var] = frame[var].astype("Int64")
            frame = frame.astype(object).where(frame.notna(), "")
        return frame

    def construct(self, query: str):
        """A CONSTRUCT or DESCRIBE result as an rdflib Graph with the project's prefixes bound."""
        import rdflib

        result = self.query(query)
        if result.kind != "graph":
            raise QueryError(f"construct() needs a CONSTRUCT or DESCRIBE query, not {result.kind.upper()}")
        graph = bind_prefixes(rdflib.Graph(bind_namespaces="none"))
        return graph.parse(data=result.ntriples or "", format="nt")

    def fact_graph(self, fact_id: str):
        """One fact's named graph as an rdflib Graph named after the fact.

        Args:
            fact_id: the fact's id from seeds/facts (``a000-letter``) or its full IRI.

        Raises:
            QueryError: no such fact.
        """
        import rdflib

        iri = fact_id if fact_id.startswith(str(FACT)) else str(FACT) + fact_id
        if not _FACT_ID.fullmatch(iri[len(str(FACT)) :]):
            raise QueryError(f"not a fact id: {fact_id!r}")
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        if not (result.ntriples or "").strip():
            raise QueryError(f"no fact '{fact_id}' in the graph{self._closest_fact(iri)}")
        graph = bind_prefixes(rdflib.Graph(identifier=rdflib.URIRef(iri), bind_namespaces="none"))
        return graph.parse(data=result.ntriples, format="nt")

    def queries(self) -> dict[str, str]:
        """The named queries and the question each answers."""
        return {name: describe_query(path) for name, path in named_queries().items()}

    def _select(self, query: str) -> QueryResult:
        result = self.query(query)
        if result.kind != "select":
            raise QueryError(f"rows and data frames need a SELECT query, not {result.kind.upper()}")
        return result

    def _closest_fact(self, iri: str) -> str:
        from kg.seeds.corpus import did_you_mean

        facts = self.query("SELECT ?f WHERE { GRAPH graph:provenance { ?f a tdo:Fact } }").column("f")
        return did_you_mean(iri, [f for f in facts if f]).replace(str(FACT), "")


def open_graph(
    build_dir: Path | str = "build",
    *,
    endpoint: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> GraphHandle:
    """Open the built graph (embedded store) or a SPARQL endpoint holding a pushed copy.

    Args:
        build_dir: the build folder (ignored when endpoint is given).
        endpoint: a SPARQL query URL, e.g. ``http://127.0.0.1:7878/query`` from ``kg serve``.
        timeout: seconds allowed per query; None runs embedded queries in this process
            without a limit (fastest in notebooks).

    Returns:
        A GraphHandle to query.

    Raises:
        StoreError: no store has been built (embedded only; an endpoint is checked on first use).

    Example:
        >>> g = open_graph("build")
        >>> g.rows("SELECT ?who WHERE { ?l a tdo:Letter ; tdo:sender ?who }")
        [{'who': 'https://w3id.org/trade-dispute/id/li-qiang'}]
    """
    if endpoint is None:
        store_path(build_dir)
    return GraphHandle(Path(build_dir), endpoint, timeout)
