"""Export the built graph for other tools: JSON-LD, projections as GraphML or GEXF, and a flat events table."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

from kg.analysis import PROJECTIONS
from kg.errors import KgError
from kg.files import write_atomic
from kg.resources import CONTEXT_FILE
from kg.sparql.query import execute

"""The published JSON-LD context: the project's prefixes and its common properties."""
FORMATS = ("jsonld", "graphml", "gexf", "csv", "parquet", "trig")
VIEWS = PROJECTIONS
"""Projection names, as ``kg viz --view`` spells them."""
LIST_SEPARATOR = " | "
"""Joins the values of a list attribute or of a multi-valued table cell into one string."""
SIGN_NAMES = {1: "cooperation", -1: "conflict", 0: "neutral"}

PLOVER_CATEGORIES = {
    "Event": "OTHER",
    "Statement": "OTHER",
    "Announcement": "OTHER",
    "Release": "OTHER",
    "Report": "OTHER",
    "Response": "OTHER",
    "Letter": "CONSULT",
    "Talks": "CONSULT",
    "Meeting": "CONSULT",
    "Visit": "CONSULT",
    "Request": "REQUEST",
    "Warning": "THREATEN",
    "TradeMeasure": "SANCTION",
    "Tariff": "SANCTION",
    "ImportBan": "SANCTION",
    "ExportControl": "SANCTION",
    "ImportQuota": "CONCEDE",
    "TariffPause": "RETREAT",
    "Exemption": "CONCEDE",
}
"""Ontology class (local name) -> PLOVER event type; a subclass not listed takes its parent's."""

SOURCE_ROLES = ("sender", "speaker", "imposedBy")
SHARED_ROLES = ("party", "participant")
TARGET_ROLES = ("recipient", "target", "beneficiary")

EVENT_COLUMNS = (
    "event_id",
    "event",
    "event_type",
    "category",
    "sign",
    "date",
    "date_basis",
    "source_actor",
    "source_actor_type",
    "source_country",
    "source_iso3",
    "target_actor",
    "target_actor_type",
    "target_country",
    "target_iso3",
    "rate",
    "rate_kind",
    "status",
    "modality",
    "articles",
    "quote",
    "quote_article",
    "quote_fact",
    "fact_count",
    "independent_origins",
    "iri",
)
"""Columns of the events table, in order (described in docs/export.md)."""


class ExportError(KgError):
    """An export cannot be written as asked."""


# ---------------------------------------------------------------------------------------------
# JSON-LD


def jsonld_context() -> dict:
    """The published context (ontology/context.jsonld): prefixes and common property terms."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def layer_graph(store):
    """The knowledge layer (the store's default graph) as an rdflib Graph."""
    import rdflib

    from kg.rdf.namespaces import bind_prefixes

    result = execute(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    graph = bind_prefixes(rdflib.Graph(bind_namespaces="none"))
    return graph.parse(data=result.ntriples or "", format="nt")


def named_graphs(store) -> Iterator[tuple[str, object]]:
    """Each named graph of the store (facts, registry, provenance, ontology) as an rdflib Graph,
    by IRI in sorted order, read one at a time (Oxigraph indexes quads by graph)."""
    import pyoxigraph as ox
    import rdflib

    for iri in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri)).decode("utf-8")
        if data:
            yield iri, rdflib.Graph(bind_namespaces="none").parse(data=data, format="nt")


def to_jsonld(graph, name: str | None = None) -> str:
    """A compact JSON-LD document of an rdflib graph under the published context.

    The context is embedded (so the document parses offline, with no fetch); ``@id`` at the
    top names the graph when name is given.
    """
    context = jsonld_context()
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    if name is None:
        return text
    doc = json.loads(text)
    nodes = doc.get("@graph", [{k: v for k, v in doc.items() if k != "@context"}])
    return json.dumps(
        {"@context": doc["@context"], "@id": name, "@graph": nodes}, indent=2, ensure_ascii=False
    )


def graph_file_name(iri: str) -> str:
    """A named graph's file under graphs/: ``fact/a000-letter.jsonld``, ``graph/provenance.jsonld``."""
    from kg.rdf.namespaces import BASE

    tail = iri[len(BASE) :] if iri.startswith(BASE) else iri.rsplit("/", 1)[-1]
    return tail.replace("#", "/") + ".jsonld"


def write_jsonld(store, output: Path, graphs: bool = False) -> list[Path]:
    """The knowledge layer as one JSON-LD file, or with graphs a folder with one per named graph too.

    Args:
        output: the file (without graphs) or the folder (with graphs: ``layer.jsonld`` and
            ``graphs/fact/<fact-id>.jsonld``, ``graphs/graph/registry.jsonld``, ...).
    """
    layer = to_jsonld(layer_graph(store))
    if not graphs:
        return [_write(output, layer)]
    written = [_write(output / "layer.jsonld", layer)]
    for iri, graph in named_graphs(store):
        written.append(_write(output / "graphs" / graph_file_name(iri), to_jsonld(graph, iri)))
    return written


# ---------------------------------------------------------------------------------------------
# GraphML and GEXF


def projection(store, view: str, as_of: str | None = None) -> nx.Graph:
    """A projection by its ``kg viz --view`` name: actor, state or measures."""
    from kg.analysis import project

    return project.projection(store, view, as_of=as_of)


def flat_value(value) -> str | int | float | bool | None:
    """A value the GraphML and GEXF writers take: scalars as they are, lists of scalars joined
    with LIST_SEPARATOR, dicts and lists holding dicts as JSON text, None dropped (returned as None)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in items):
            return LIST_SEPARATOR.join(str(v) for v in items)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def flat_attributes(data: dict, rename: dict[str, str] | None = None) -> dict:
    """Attributes with flat values, None left out, keys renamed (GEXF reserves some names)."""
    rename = rename or {}
    out = {}
    for key, value in data.items():
        flat = flat_value(value)
        if flat is not None:
            out[rename.get(key, key)] = flat
    return out


EDGE_RENAMES = {"type": "edge_type"}
"""GEXF reads an edge's ``type`` as directed/undirected, so the class of an edge's subject goes
under ``edge_type`` (in GraphML too, so both formats carry the same names)."""


def unify_types(records: list[dict]) -> None:
    """Give each attribute one type across records, as GraphML declares one type per key: ints
    mixed with floats become floats, numbers mixed with text become text."""
    kinds: dict[str, set[type]] = defaultdict(set)
    for data in records:
        for key, value in data.items():
            kinds[key].add(type(value))
    for data in records:
        for key, value in data.items():
            if len(kinds[key]) < 2:
                continue
            if kinds[key] <= {int, float}:
                data[key] = float(value)
            else:
                data[key] = str(value)


def flat_projection(graph: nx.Graph) -> nx.Graph:
    """A copy of a projection whose graph, node and edge attributes the writers accept."""
    flat = graph.__class__()
    flat.graph.update(flat_attributes(graph.graph))
    nodes = [(node, flat_attributes(data)) for node, data in graph.nodes(data=True)]
    if graph.is_multigraph():
        edges = [
            (u, v, k, flat_attributes(d, EDGE_RENAMES)) for u, v, k, d in graph.edges(keys=True, data=True)
        ]
    else:
        edges = [(u, v, flat_attributes(d, EDGE_RENAMES)) for u, v, d in graph.edges(data=True)]
    unify_types([data for _, data in nodes])
    unify_types([edge[-1] for edge in edges])
    flat.add_nodes_from(nodes)
    flat.add_edges_from(edges)
    return flat


def projection_text(graph: nx.Graph, fmt: str) -> str:
    """A projection as GraphML or GEXF text (networkx's writers)."""
    flat = flat_projection(graph)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(flat, named_key_ids=True)) + "\n"
    if fmt == "gexf":
        return "\n".join(nx.generate_gexf(flat)) + "\n"
    raise ExportError(f"not a graph format: {fmt}")


def write_projections(
    store, output: Path, fmt: str, views: tuple[str, ...] = VIEWS, as_of: str | None = None
) -> list[Path]:
    """Each projection of views as GraphML or GEXF: output is the file for one view, else a
    folder holding ``<view>.<fmt>`` for each."""
    if len(views) == 1:
        return [_write(output, projection_text(projection(store, views[0], as_of), fmt))]
    return [
        _write(output / f"{view}.{fmt}", projection_text(projection(store, view, as_of), fmt))
        for view in views
    ]


# ---------------------------------------------------------------------------------------------
# events table


def iso3(names: list[str]) -> str | None:
    """The ISO 3166 alpha-3 code of the first name pycountry knows (name, common or official
    name, or code), else None."""
    import pycountry

    for name in names:
        try:
            return pycountry.countries.lookup(name).alpha_3
        except LookupError:
            continue
    return None


def state_codes(store) -> dict[str, str | None]:
    """The alpha-3 code of every state of the registry, from its label and aliases, by IRI."""
    rows = execute(
        store,
        "SELECT ?state ?name WHERE { ?state a tdo:State . "
        "{ ?state rdfs:label ?name } UNION { ?state skos:altLabel ?name } }",
    ).values()
    names: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        names[r["state"]].append(r["name"])
    return {
        state: iso3(sorted(found, key=lambda n: (len(n) <= 3, n))) for state, found in sorted(names.items())
    }


def plover_category(snap, cls: str | None) -> str:
    """The PLOVER-style category of a class, from its own entry or its nearest ancestor's."""
    from kg.analysis.project import local_name

    for c in snap.ancestors(cls) if cls else []:
        if local_name(c) in PLOVER_CATEGORIES:
            return PLOVER_CATEGORIES[local_name(c)]
    return "OTHER"


def subject_facts(store, snap) -> dict[str, list[str]]:
    """The facts (not denied) about each subject, from tdo:about in the provenance graph."""
    rows = execute(
        store, "SELECT ?fact ?subject WHERE { GRAPH graph:provenance { ?fact tdo:about ?subject } }"
    )
    facts: dict[str, list[str]] = defaultdict(list)
    for r in rows.values():
        if snap.kept(r["fact"]):
            facts[r["subject"]].append(r["fact"])
    return facts


def event_date(snap, subject: str, dated: dict[str, dict[str, str]], facts: list[str]) -> tuple[str, str]:
    """A subject's date and its basis: the stated event date, announcement or effective date, else
    the earliest about-date of its facts ("fact date"), else its articles' date ("article date")."""
    stated = dated.get(subject, {})
    for kind, basis in (("date", "event date"), ("announcedOn", "announced"), ("effectiveFrom", "effective")):
        if kind in stated:
            return stated[kind], basis
    evidence = [snap.evidence[f] for f in facts if f in snap.evidence]
    own = sorted(e["date"] for e in evidence if e["date"] and not e["article_dated"])
    if own:
        return own[0], "fact date"
    issued = sorted(e["date"] for e in evidence if e["date"])
    return (issued[0], "article date") if issued else ("", "")


def stated_dates(snap) -> dict[str, dict[str, str]]:
    """The earliest date of each kind (date, announcedOn, effectiveFrom) stated for each subject."""
    dated: dict[str, dict[str, str]] = defaultdict(dict)
    for r in snap.rows("subject-dates"):
        if r["kind"] != "typed" and r["date"]:
            kinds = dated[r["subject"]]
            kinds[r["kind"]] = min(kinds.get(r["kind"], r["date"]), r["date"])
    return dated


def sides(snap, roles: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Source and target actors of a subject: sender, speaker or imposer towards recipient, target
    or beneficiary; without those, the first party or participant (by label) towards the others."""
    source = [a for role in SOURCE_ROLES for a in roles.get(role, [])]
    target = [a for role in TARGET_ROLES for a in roles.get(role, [])]
    shared = sorted({a for role in SHARED_ROLES for a in roles.get(role, [])}, key=lambda a: snap.label(a))
    if not source and shared:
        source, shared = shared[:1], shared[1:]
    if not target:
        target = [a for a in shared if a not in source]
    return _unique(source), _unique(target)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _joined(values) -> str:
    return LIST_SEPARATOR.join(str(v) for v in _unique([v for v in values if v not in (None, "")]))


def actor_columns(snap, actors: list[str], serves: dict[str, str], codes: dict[str, str | None]) -> dict:
    """Name, type, country and ISO code of one side (several actors joined by LIST_SEPARATOR)."""
    from kg.analysis.project import local_name

    states = [serves.get(a) for a in actors]
    return {
        "actor": _joined(snap.label(a) for a in actors),
        "actor_type": _joined(local_name(snap.types.get(a)) for a in actors),
        "country": _joined(snap.label(s) for s in states if s),
        "iso3": _joined(codes.get(s) for s in states if s),
    }


def measure_columns(record: dict | None) -> dict:
    """Rate, rate kind and status of a measure (the latest stated), empty for an event."""
    from kg.analysis.project import latest_rate

    if record is None:
        return {"rate": "", "rate_kind": "", "status": ""}
    rate = latest_rate(record["rates"]) or {}
    status = record["statuses"][-1]["status"] if record["statuses"] else ""
    return {"rate": rate.get("rate", ""), "rate_kind": rate.get("rate_kind") or "", "status": status or ""}


def evidence_columns(snap, facts: list[str], typed: set[str]) -> dict:
    """Modalities, articles, one quote (the earliest fact saying what the subject is, else the
    earliest fact), the number of facts and of independent origins."""
    from kg.analysis.project import local_name

    evidence = sorted(
        (snap.evidence[f] for f in facts if f in snap.evidence), key=lambda e: (e["date"] or "", e["fact"])
    )
    first = next((e for e in evidence if e["fact"] in typed), evidence[0] if evidence else None)
    return {
        "modality": _joined(sorted({(e["modality"] or "").lower() for e in evidence})),
        "articles": _joined(sorted({e["article_id"] for e in evidence})),
        "quote": first["quote"] if first else "",
        "quote_article": first["article_id"] if first else "",
        "quote_fact": local_name(first["fact"]) if first else "",
        "fact_count": len(evidence),
        "independent_origins": len(snap.origins(facts)),
    }


def event_rows(store) -> list[dict]:
    """The events table: one row per event or trade measure of the registry (see EVENT_COLUMNS)."""
    from kg.analysis.project import (
        Snapshot,
        actor_records,
        fold_to_states,
        local_name,
        measure_records,
        memberships,
    )

    snap = Snapshot.load(store, prefetch=["roles", "measures", "subject-dates", "memberships"])
    serves = fold_to_states(actor_records(snap), memberships(snap))
    codes = state_codes(store)
    facts = subject_facts(store, snap)
    dated = stated_dates(snap)
    typed = {r["fact"] for r in snap.rows("subject-dates") if r["kind"] == "typed"}
    measures = measure_records(snap.rows("measures"), snap)
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in snap.rows("roles"):
        roles[r["subject"]][r["role"]].append(r["actor"])
    subjects = sorted(e for e in snap.types if snap.is_a(e, "Event") or snap.is_a(e, "TradeMeasure"))
    rows = []
    for subject in subjects:
        cls = snap.types[subject]
        date, basis = event_date(snap, subject, dated, facts.get(subject, []))
        source, target = sides(snap, roles.get(subject, {}))
        row = {
            "event_id": local_name(subject),
            "event": snap.label(subject),
            "event_type": local_name(cls),
            "category": plover_category(snap, cls),
            "sign": SIGN_NAMES.get(snap.class_sign(cls), ""),
            "date": date,
            "date_basis": basis,
        }
        for side, actors in (("source", source), ("target", target)):
            row.update({f"{side}_{k}": v for k, v in actor_columns(snap, actors, serves, codes).items()})
        row.update(measure_columns(measures.get(subject)))
        row.update(evidence_columns(snap, facts.get(subject, []), typed))
        row["iri"] = subject
        rows.append({column: row[column] for column in EVENT_COLUMNS})
    return rows


def events_csv(rows: list[dict]) -> str:
    """The events table as CSV text (header row, RFC 4180 quoting, \\n line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def events_parquet(rows: list[dict]) -> bytes:
    """The events table as Parquet: the CSV's columns, typed (rate a float, the counts integers,
    the rest text; an empty cell is null), for pandas, R's arrow or DuckDB."""
    import io as _io

    import pyarrow as pa
    import pyarrow.parquet as pq

    numbers = {"rate": pa.float64(), "fact_count": pa.int64(), "independent_origins": pa.int64()}
    schema = pa.schema([(c, numbers.get(c, pa.string())) for c in EVENT_COLUMNS])

    def typed(column: str, value):
        if value in ("", None):
            return None
        return float(value) if column == "rate" else value

    table = pa.Table.from_pylist(
        [{c: typed(c, r.get(c)) for c in EVENT_COLUMNS} for r in rows], schema=schema
    )
    buffer = _io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def write_events(store, output: Path, fmt: str = "csv") -> list[Path]:
    """Write the events table as CSV or Parquet."""
    rows = event_rows(store)
    return [_write(output, events_parquet(rows) if fmt == "parquet" else events_csv(rows))]


# ---------------------------------------------------------------------------------------------
# one entry point


def default_output(build_dir: Path, fmt: str, graphs: bool, views: tuple[str, ...]) -> Path:
    """Where an export goes without --output: a file or folder under BUILD_DIR/export/."""
    folder = Path(build_dir) / "export"
    if fmt == "jsonld":
        return folder / "jsonld" if graphs else folder / "layer.jsonld"
    if fmt in ("graphml", "gexf"):
        return folder / f"{views[0]}.{fmt}" if len(views) == 1 else folder
    if fmt == "trig":
        return folder / "kg.trig"
    return folder / ("events.parquet" if fmt == "parquet" else "events.csv")


def several_documents(fmt: str, graphs: bool, views: tuple[str, ...]) -> bool:
    """Whether an export writes several documents (output is a folder) or one (a file)."""
    return (fmt == "jsonld" and graphs) or (fmt in ("graphml", "gexf") and len(views) > 1)


def check_output(output: Path, folder: bool) -> None:
    """Refuse an output path of the wrong kind before any work (ExportError, exit 2)."""
    blocking = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ExportError(f"cannot write {output}: {blocking} is a file, not a folder")
    if folder and output.exists() and not output.is_dir():
        raise ExportError(f"{output} is a file; this export writes several documents into a folder")
    if not folder and output.is_dir():
        raise ExportError(f"{output} is a folder; this export writes one file: give a file name")


def export(
    store,
    fmt: str,
    output: Path,
    graphs: bool = False,
    views: tuple[str, ...] = VIEWS,
    as_of: str | None = None,
    nquads: Path | None = None,
) -> list[Path]:
    """Write one export and return the paths written.

    Args:
        store: an open pyoxigraph store of a build.
        fmt: jsonld, graphml, gexf, csv, parquet or trig.
        output: a file for one document, a folder for several (see several_documents).
        graphs: with jsonld, a document per named graph as well as the knowledge layer.
        views: projections for graphml and gexf (actor, state, measures).
        as_of: for graphml and gexf, the projections as known on this date.
        nquads: for trig, the build's kg.nq (TriG is made from it, sorted, with prefixes).

    Example:
        >>> from kg.store import open_store
        >>> [p.name for p in export(open_store("build"), "graphml", Path("build/export"))]
        ['actor.graphml', 'state.graphml', 'measures.graphml']
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        raise ExportError(f"no projection '{unknown[0]}' (choose from {', '.join(VIEWS)})")
    check_output(Path(output), several_documents(fmt, graphs, views))
    if fmt == "jsonld":
        return write_jsonld(store, Path(output), graphs)
    if fmt in ("graphml", "gexf"):
        return write_projections(store, Path(output), fmt, views, as_of)
    if fmt == "trig":
        return [write_trig_file(Path(nquads), Path(output))]
    return write_events(store, Path(output), fmt)


def write_trig_file(nquads: Path, output: Path) -> Path:
    """The build's quads as TriG (:mod:`kg.analysis.trig`), written whole or not at all."""
    from kg.analysis.trig import write_trig_sorted

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        write_trig_sorted(nquads, tmp)
        os.replace(tmp, output)
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return output


def _write(path: Path, text: str | bytes) -> Path:
    """Write a file atomically (temp file + rename: a reader never sees half a file)."""
    try:
        return write_atomic(path, text)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
