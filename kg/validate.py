"""The build gate: SHACL shapes (pyshacl) and ``*-violation.rq`` queries, pointed back at the seeds."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.build import BuiltDataset, Location
from kg.errors import OntologyError, Problem
from kg.namespaces import ONTOLOGY_GRAPH
from kg.terms import ONTOLOGY_DIR

SH = "http://www.w3.org/ns/shacl#"
QUERIES_DIR = ONTOLOGY_DIR / "queries"


def _problem(locations: list[Location], fallback: str, message: str) -> Problem:
    if locations:
        loc = sorted(locations, key=lambda x: (x.path, x.line))[0]
        return Problem(loc.path, loc.line, 1, loc.fact, message)
    return Problem("build", 0, 0, fallback, message)


def _short(term: str) -> str:
    from kg.namespaces import PREFIXES

    bare = term[1:-1] if term.startswith("<") and term.endswith(">") else term
    for prefix, ns in PREFIXES.items():
        if bare.startswith(ns) and prefix not in ("rdf", "rdfs", "owl", "xsd"):
            return f"{prefix}:{bare[len(ns):]}"
    return term


def data_quads(quads: Iterable[str]) -> Iterable[str]:
    """Quads outside the ontology graph, as N-Triples lines (the union of all data graphs)."""
    ontology = f"<{ONTOLOGY_GRAPH}> ."
    for q in quads:
        if not q.endswith(ontology):
            yield q[: q.rstrip(" .").rfind(" ")] + " .\n"


def shacl_problems(
    dataset: BuiltDataset, quads: Iterable[str] | None = None, shapes: Path | None = None
) -> list[Problem]:
    """Validate the union of the data graphs against ontology/shapes.ttl.

    Args:
        dataset: the built quads and location index.
        quads: the quads to validate (default: all of the dataset's).
        shapes: the shapes file (default ``ontology/shapes.ttl``).

    Returns:
        One Problem per SHACL result, located at the file and line that wrote the triple.
    """
    import pyshacl
    import rdflib

    shapes_path = shapes or ONTOLOGY_DIR / "shapes.ttl"
    try:
        shapes_graph = rdflib.Graph().parse(shapes_path, format="turtle")
        ontology = rdflib.Graph().parse(ONTOLOGY_DIR / "tdo.ttl", format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise OntologyError(f"cannot read shapes or ontology: {exc}") from exc
    data = rdflib.Graph()
    data.parse(data="".join(data_quads(quads if quads is not None else dataset.quads)), format="nt")
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph, ont_graph=ontology, inference="none", allow_warnings=True
    )
    if conforms:
        return []
    sh = rdflib.Namespace(SH)
    problems = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        message = results.value(result, sh.resultMessage) or "does not conform"
        focus_term, path_term = focus.n3(), path.n3() if path is not None else None
        locations = dataset.locate(focus_term, path_term) if path_term else []
        if value is not None:
            # several facts may state this property; blame the ones that gave the bad value
            locations = [loc for loc in locations if loc.value == value.n3()] or locations
        locations = locations or dataset.locate(focus_term)
        detail = f"SHACL: {_short(focus_term)}"
        if path_term:
            detail += f" {_short(path_term)}"
        if value is not None:
            detail += f" {_short(value.n3())}"
        problems.append(_problem(locations, _short(focus_term), f"{detail}: {message}"))
    return sorted(set(problems))


def violation_queries(directory: Path | None = None) -> dict[str, str]:
    """The ``*-violation.rq`` queries by name."""
    directory = directory or QUERIES_DIR
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*-violation.rq"))}


def violation_problems(store, dataset: BuiltDataset, directory: Path | None = None) -> list[Problem]:
    """Run every violation query on the store; each row (``?focus``, ``?message``) is a problem."""
    import pyoxigraph as ox

    problems = []
    for name, text in violation_queries(directory).items():
        try:
            rows = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise OntologyError(f"ontology/queries/{name}.rq: {exc}") from exc
        for row in rows:
            focus = row["focus"]
            message = row["message"].value if row["message"] is not None else "violation"
            term = str(focus) if isinstance(focus, ox.NamedNode) else f"{focus}"
            problems.append(_problem(dataset.locate(term), _short(term), f"{name}: {message}"))
    return sorted(set(problems))
