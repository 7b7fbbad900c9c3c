"""The build gate: SHACL shapes (pyshacl) and ``*-violation.rq`` queries, pointed back at the seeds.

pyshacl sees only the focus nodes that a fast screen of the sorted quads cannot prove
conforming (see ``_Screen`` below), so a graph of millions of quads validates in seconds with
pyshacl's own results and messages.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path

from kg.build.layer import graph_of
from kg.build.quads import BuiltDataset, Location
from kg.errors import OntologyError, Problem
from kg.rdf.namespaces import ONTOLOGY_GRAPH, PROVENANCE_GRAPH, RDF_NS, XSD_NS
from kg.rdf.terms import literal
from kg.rdf.vocabulary import lineages
from kg.resources import ONTOLOGY_FILE, QUERIES_DIR, SHAPES_FILE
from kg.seeds.dates import is_full_date


def _problem(locations: list[Location], fallback: str, message: str) -> Problem:
    if locations:
        loc = sorted(locations, key=lambda x: (x.path, x.line))[0]
        return Problem(loc.path, loc.line, 1, loc.fact, message)
    return Problem("build", 0, 0, fallback, message)


def _short(term: str) -> str:
    from kg.rdf.namespaces import PREFIXES

    bare = term[1:-1] if term.startswith("<") and term.endswith(">") else term
    for prefix, ns in PREFIXES.items():
        if bare.startswith(ns) and prefix not in ("rdf", "rdfs", "owl", "xsd"):
            return f"{prefix}:{bare[len(ns) :]}"
    return term


class SortedNQuads:
    """The lines of a sorted N-Quads file (without newlines), read again on every pass.

    Lets the SHACL screen walk a large graph in a process that does not hold it in memory.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def __iter__(self):
        """The named graphs' lines: the default graph holds the knowledge layer, which the build
        derives from them (:mod:`kg.build.layer`) and which is not validated again."""
        provenance = f" <{PROVENANCE_GRAPH}> ."
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                line = line[:-1]
                if line.endswith(provenance) or graph_of(line):  # most lines: the first test
                    yield line


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
        quads: the quads to validate (default: all of the dataset's), or a SortedNQuads file.
        shapes: the shapes file (default ``ontology/shapes.ttl``).

    Returns:
        One Problem per SHACL result, located at the file and line that wrote the triple.
    """
    return focused_shacl_problems(dataset, quads, shapes)


def focused_shacl_problems(
    dataset: BuiltDataset,
    quads: Iterable[str] | None = None,
    shapes: Path | None = None,
    focus_nodes: set[str] | None = None,
    types: dict[str, set[str]] | None = None,
) -> list[Problem]:
    """:func:`shacl_problems` for part of a graph: only the results of the focus nodes.

    Args:
        dataset: the built quads (or a neighbourhood of them) and their location index.
        quads: the quads to validate (default: the dataset's).
        shapes: the shapes file (default ``ontology/shapes.ttl``).
        focus_nodes: report only these nodes (N-Triples terms); every triple about them must be in
            the quads. None: every node.
        types: classes of nodes stated in quads left out (so sh:class sees every type).

    Returns:
        The Problems, as :func:`shacl_problems` gives them for the whole graph.

    Raises:
        WholeGraphNeeded: focus_nodes was given but the shapes can only be checked on the whole graph.
    """
    import pyshacl
    import rdflib

    shapes_path = shapes or SHAPES_FILE
    try:
        shapes_graph = rdflib.Graph().parse(shapes_path, format="turtle")
        ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise OntologyError(f"cannot read shapes or ontology: {exc}") from exc
    lines = dataset.quads if quads is None else quads
    if not isinstance(lines, (list, SortedNQuads)):
        lines = list(lines)
    if isinstance(lines, list) and not _is_sorted(lines):
        lines = sorted(set(lines))
    screened = _Screen(shapes_graph, ontology).screen(lines, types, focus_nodes)
    if screened is None and focus_nodes is not None:
        raise WholeGraphNeeded
    if screened is not None:
        candidates, shard = screened
        if focus_nodes is not None:
            candidates &= focus_nodes
        if not candidates:
            return []
        text = "".join(shard)
    else:
        candidates, text = None, "".join(data_quads(lines))
    data = rdflib.Graph()
    data.parse(data=text, format="nt")
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph, ont_graph=ontology, inference="none", allow_warnings=True
    )
    sh = rdflib.SH
    found = list(results.subjects(rdflib.RDF.type, sh.ValidationResult))
    if candidates is not None:
        # the shard also types the candidates' values, which may make them focus nodes of their
        # own with half their triples: only the candidates' results are the whole graph's
        found = [r for r in found if results.value(r, sh.focusNode).n3() in candidates]
        conforms = not any(results.value(r, sh.resultSeverity) == sh.Violation for r in found)
    if conforms:
        return []
    problems = []
    for result in found:
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


class WholeGraphNeeded(Exception):
    """The shapes cannot be screened: a focused validation must give way to a full one."""


def _is_sorted(lines: list[str]) -> bool:
    return all(map(operator.le, lines, islice(lines, 1, None)))


def violation_queries(directory: Path | None = None) -> dict[str, str]:
    """The ``*-violation.rq`` queries by name."""
    directory = directory or QUERIES_DIR
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*-violation.rq"))}


def violation_problems(store, dataset: BuiltDataset, directory: Path | None = None) -> list[Problem]:
    """Run every violation query on the store; each row (``?focus``, ``?message``) is a problem."""
    import pyoxigraph as ox

    def run(item: tuple[str, str]) -> list:
        name, text = item
        try:
            return list(store.query(text, use_default_graph_as_union=True))
        except SyntaxError as exc:
            raise OntologyError(f"ontology/queries/{name}.rq: {exc}") from exc

    queries = violation_queries(directory)
    # Oxigraph lets go of the GIL while it answers: two queries at a time use both cores
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        answers = list(pool.map(run, queries.items()))
    finally:  # on an error or an interrupt, the queries not yet started are not run
        pool.shutdown(wait=True, cancel_futures=True)
    problems = []
    for name, rows in zip(queries, answers, strict=True):
        for row in rows:
            focus = row["focus"]
            message = row["message"].value if row["message"] is not None else "violation"
            term = str(focus) if isinstance(focus, ox.NamedNode) else f"{focus}"
            problems.append(_problem(dataset.locate(term), _short(term), f"{name}: {message}"))
    return sorted(set(problems))


# ---------------------------------------------------------------------------------------------
# Screening: which focus nodes could fail a shape at all.
#
# pyshacl walks an rdflib graph of every triple, which takes minutes for a million quads. The
# screen below reads the sorted quads once, subject by subject, and tests each focus node against
# the shapes with plain string and number checks. It is complete rather than exact: a node it
# cannot prove conforming is a candidate. pyshacl then validates only the candidates, on a shard
# holding their triples and the types of their values, so results and messages are pyshacl's.
# A constraint the screen does not know makes every node of its shape a candidate; shapes that
# need the properties of value nodes (sh:node, nested property shapes) send the whole graph to
# pyshacl, as before.

_TYPE = f"<{RDF_NS}type>"
_TYPE_SEP = f" {_TYPE} "
_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_LANG_STRING = RDF_NS + "langString"
_NUMERIC = re.compile(r"^[+-]?\d+(\.\d+)?$")


_LEXICAL = {
    XSD_NS + "decimal": _NUMERIC.match,
    XSD_NS + "integer": re.compile(r"^[+-]?\d+$").match,
    XSD_NS + "nonNegativeInteger": re.compile(r"^\+?\d+$").match,
    XSD_NS + "boolean": re.compile(r"^(true|false)$").match,
    XSD_NS + "date": is_full_date,
    XSD_NS + "gYear": re.compile(r"^\d{4}$").match,
    XSD_NS + "gYearMonth": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$").match,
    XSD_NS + "string": lambda _: True,
    _LANG_STRING: lambda _: True,
}
"""Lexical forms certainly valid for a datatype (a strict subset of what rdflib accepts)."""
_NUMERIC_TYPES = {XSD_NS + n for n in ("decimal", "integer", "nonNegativeInteger")}
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}  # fmt: skip
_KINDS = {"IRI": ("IRI",), "Literal": ("Literal",), "BlankNode": ("BlankNode",), "BlankNodeOrIRI": ("BlankNode", "IRI"), "BlankNodeOrLiteral": ("BlankNode", "Literal"), "IRIOrLiteral": ("IRI", "Literal")}  # fmt: skip
_IGNORED = {"message", "name", "description", "severity", "order", "group", "defaultValue", "deactivated", "flags", "targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"}  # fmt: skip
_COUNTED = {"minCount", "maxCount", "lessThan", "lessThanOrEquals", "equals", "disjoint", "uniqueLang", "languageIn"}  # fmt: skip
_NESTED = {"node", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "not", "xone"}


def _unescape(match: re.Match) -> str:
    if match.group(3) is None:
        return chr(int(match.group(1) or match.group(2), 16))
    return _SIMPLE_ESCAPES.get(match.group(3), match.group(0))


def _literal_parts(term: str) -> tuple[str, str, str | None]:
    """(lexical form, datatype IRI, language) of an N-Triples literal."""
    end = term.rindex('"')
    lexical, suffix = term[1:end], term[end + 1 :]
    if "\\" in lexical:
        lexical = _UNESCAPE.sub(_unescape, lexical)
    if suffix.startswith("@"):
        return lexical, _LANG_STRING, suffix[1:]
    if suffix.startswith("^^<"):
        return lexical, suffix[3:-1], None
    return lexical, XSD_NS + "string", None


def _number(term: str) -> Decimal | None:
    """The value of a numeric literal written plainly, else None."""
    if not term.startswith('"'):
        return None
    lexical, datatype, _ = _literal_parts(term)
    if datatype in _NUMERIC_TYPES and _NUMERIC.match(lexical):
        return Decimal(lexical)
    return None


def _text(term: str) -> str | None:
    """What sh:pattern and sh:minLength see: an IRI's text or a literal's lexical form."""
    if term.startswith('"'):
        return _literal_parts(term)[0]
    if term.startswith("<"):
        return term[1:-1]
    return None


def _never(_value: str) -> bool:
    return False


def _nt(term) -> str:
    """The N-Triples form of an rdflib term, written the way the build writes terms."""
    import rdflib

    if isinstance(term, rdflib.Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return f"<{term}>"


@dataclass
class _PropertyTest:
    path: str
    counted: list  # tests on (values, props)
    each: list  # tests on each value


@dataclass
class _Shape:
    name: str
    classes: set[str]
    subjects_of: set[str]
    objects_of: set[str]
    nodes: set[str]
    node_tests: list
    properties: list[_PropertyTest]


class _Screen:
    """The shapes compiled into string and number tests on N-Triples terms."""

    def __init__(self, shapes_graph, ontology):
        import rdflib

        self.rdflib = rdflib
        self.sh = rdflib.SH
        self.graph = shapes_graph
        self.deep = False  # some shape needs the properties of value nodes
        self.types: dict[str, set[str]] = {}
        parents: dict[str, set[str]] = {}
        for s, o in ontology.subject_objects(rdflib.RDFS.subClassOf):
            parents.setdefault(s.n3(), set()).add(o.n3())
        self.ancestors = {cls: set(line[1:]) for cls, line in lineages(parents).items()}
        self.ontology_triples = [(_nt(s), _nt(p), _nt(o)) for s, p, o in ontology]
        self.referenced: set[str] = set()  # classes that sh:class tests ask about
        self.shapes = self._shapes()
        self._by_types: dict[frozenset, list[_Shape]] = {}

    def is_a(self, types, cls: str) -> bool:
        return any(t == cls or cls in self.ancestors.get(t, ()) for t in types)

    # ------------------------------------------------------------------ compiling
    def _list(self, node) -> list:
        return list(self.rdflib.collection.Collection(self.graph, node))

    def _value_tests(self, shape, nested: bool) -> list:
        """One test per value constraint of shape; each takes an N-Triples term."""
        sh, rdflib = str(self.sh), self.rdflib
        tests = []
        for p, o in self.graph.predicate_objects(shape):
            name = str(p)[len(sh) :] if str(p).startswith(sh) else None
            if name is None or name in _IGNORED or name in ("path", "property") or name in _COUNTED:
                if nested and (name in ("path", "property") or name in _COUNTED):
                    self.deep = True
                continue
            if name in _NESTED:
                self.deep = True
                tests.append(_never)
            elif name == "class":
                cls = o.n3()
                self.referenced.add(cls)
                tests.append(lambda v, c=cls: not v.startswith('"') and self.is_a(self.types.get(v, ()), c))
            elif name == "datatype":
                valid = _LEXICAL.get(str(o))
                if valid is None:
                    tests.append(_never)
                    continue

                def datatype(v, d=str(o), valid=valid):
                    if not v.startswith('"'):
                        return False
                    lexical, datatype, _ = _literal_parts(v)
                    return datatype == d and bool(valid(lexical))

                tests.append(datatype)
            elif name == "nodeKind":
                kinds = _KINDS.get(str(o)[len(sh) :], ())
                tests.append(lambda v, k=kinds: ("Literal" if v.startswith('"') else "BlankNode" if v.startswith("_:") else "IRI") in k)  # fmt: skip
            elif name == "in":
                members = {_nt(x) for x in self._list(o)}
                tests.append(lambda v, m=members: v in m)
            elif name == "hasValue":
                wanted_value = _nt(o)
                tests.append(lambda v, h=wanted_value: v == h)
            elif name == "pattern":
                flags = str(self.graph.value(shape, self.sh.flags) or "")
                bits = {"i": re.I, "m": re.M, "s": re.S, "x": re.X}
                if not set(flags) <= set(bits):
                    tests.append(_never)
                    continue
                regex = re.compile(str(o), sum(bits[f] for f in set(flags)))
                tests.append(lambda v, r=regex: (t := _text(v)) is not None and r.search(t) is not None)
            elif name in ("minLength", "maxLength"):
                n, longest = int(o), name == "maxLength"
                tests.append(lambda v, n=n, m=longest: (t := _text(v)) is not None and (len(t) <= n if m else len(t) >= n))  # fmt: skip
            elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                bound = _number(_nt(o)) if isinstance(o, rdflib.Literal) else None
                if bound is None:
                    tests.append(_never)
                    continue
                compare = {"minInclusive": lambda a, b: a >= b, "maxInclusive": lambda a, b: a <= b, "minExclusive": lambda a, b: a > b, "maxExclusive": lambda a, b: a < b}[name]  # fmt: skip
                tests.append(lambda v, b=bound, c=compare: (x := _number(v)) is not None and c(x, b))
            elif name in ("or", "and"):
                alternatives = [self._value_tests(x, nested=True) for x in self._list(o)]
                if name == "or":
                    tests.append(lambda v, alts=alternatives: any(all(t(v) for t in alt) for alt in alts))
                else:
                    tests.append(lambda v, alts=alternatives: all(all(t(v) for t in alt) for alt in alts))
            else:  # sh:closed, sh:sparql, ...: only pyshacl knows
                tests.append(_never)
        return tests

    def _counted_tests(self, shape) -> list:
        """Tests on the set of values of a property shape (and the focus node's other values)."""
        tests = []
        for name in sorted(_COUNTED):
            for o in self.graph.objects(shape, self.sh[name]):
                if name == "minCount":
                    tests.append(lambda vals, props, n=int(o): len(vals) >= n)
                elif name == "maxCount":
                    tests.append(lambda vals, props, n=int(o): len(vals) <= n)
                elif name in ("lessThan", "lessThanOrEquals"):
                    strict = name == "lessThan"

                    other_path = o.n3()

                    def ordered(vals, props, other=other_path, strict=strict):
                        for v in vals:
                            a = _number(v)
                            for w in props.get(other, ()):
                                b = _number(w)
                                if a is None or b is None or not (a < b if strict else a <= b):
                                    return False
                        return True

                    tests.append(ordered)
                elif name == "equals":
                    other_path = o.n3()
                    tests.append(lambda vals, props, other=other_path: vals == props.get(other, set()))
                elif name == "disjoint":
                    other_path = o.n3()
                    tests.append(lambda vals, props, other=other_path: not vals & props.get(other, set()))
                else:  # uniqueLang, languageIn: rare, left to pyshacl
                    tests.append(lambda vals, props: not vals)
        return tests

    def _shapes(self) -> list[_Shape]:
        rdflib, sh, g = self.rdflib, self.sh, self.graph
        roots = set()
        for pred in (sh.targetClass, sh.targetSubjectsOf, sh.targetObjectsOf, sh.targetNode):
            roots |= set(g.subjects(pred, None))
        implicit = {s for c in (rdflib.RDFS.Class, rdflib.OWL.Class) for s in g.subjects(rdflib.RDF.type, c)}
        roots |= {s for s in implicit if (s, rdflib.RDF.type, sh.NodeShape) in g}

        def active(node) -> bool:
            flag = g.value(node, sh.deactivated)
            return not (flag is not None and flag.toPython() is True)

        shapes = []
        for root in sorted(roots, key=str):
            if not active(root):
                continue
            classes = {o.n3() for o in g.objects(root, sh.targetClass)}
            if root in implicit:
                classes.add(root.n3())
            node_tests = self._value_tests(root, nested=False)
            if g.value(root, sh.path) is not None:
                node_tests.append(_never)  # a property shape with its own targets
            properties = []
            for node in g.objects(root, sh.property):
                if not active(node):
                    continue
                path = g.value(node, sh.path)
                if not isinstance(path, rdflib.URIRef):
                    node_tests.append(_never)  # a path expression: pyshacl decides
                    continue
                properties.append(
                    _PropertyTest(path.n3(), self._counted_tests(node), self._value_tests(node, nested=False))
                )
            shapes.append(
                _Shape(
                    root.n3(),
                    classes,
                    {o.n3() for o in g.objects(root, sh.targetSubjectsOf)},
                    {o.n3() for o in g.objects(root, sh.targetObjectsOf)},
                    {o.n3() for o in g.objects(root, sh.targetNode)},
                    node_tests,
                    properties,
                )
            )
        return shapes

    # ------------------------------------------------------------------ screening
    def _class_shapes(self, own_types: frozenset) -> list[_Shape]:
        hit = self._by_types.get(own_types)
        if hit is None:
            hit = self._by_types[own_types] = [
                s for s in self.shapes if s.classes and any(self.is_a(own_types, c) for c in s.classes)
            ]
        return hit

    def _conforms(self, focus: str, props: dict, shapes: list[_Shape]) -> bool:
        for shape in shapes:
            for test in shape.node_tests:
                if not test(focus):
                    return False
            for pt in shape.properties:
                values = props.get(pt.path, ())
                for test in pt.counted:
                    if not test(values, props):
                        return False
                for test in pt.each:
                    for v in values:
                        if not test(v):
                            return False
        return True

    def screen(
        self, quads: list[str], extra_types: dict[str, set[str]] | None = None, only: set[str] | None = None
    ) -> tuple[set[str], list[str]] | None:
        """Focus nodes that may not conform, and a shard of N-Triples lines to validate them on.

        Args:
            quads: N-Quads lines (without newline) sorted by subject.
            extra_types: classes of nodes stated in quads not given here.
            only: test only these focus nodes (None: every one).

        Returns:
            (candidates, shard), or None when only pyshacl on the whole graph can tell.
        """
        if self.deep:
            return None
        ontology_graph = f"<{ONTOLOGY_GRAPH}> ."
        wanted: dict[str, bool] = {}

        def relevant(cls: str) -> bool:
            hit = wanted.get(cls)
            if hit is None:
                hit = wanted[cls] = any(self.is_a((cls,), r) for r in self.referenced)
            return hit

        # pass 1: the types a sh:class test may ask about, and the subjects of targetObjectsOf
        self.types = types = {}
        for s, p, o in self.ontology_triples:
            if p == _TYPE and relevant(o):
                types.setdefault(s, set()).add(o)
        for s, classes in (extra_types or {}).items():  # types stated outside the quads given
            for o in classes:
                if relevant(o):
                    types.setdefault(s, set()).add(o)
        objects_of = {p for shape in self.shapes for p in shape.objects_of}
        pointing: dict[str, list[str]] = {}
        for q in quads:
            if _TYPE_SEP in q:
                s, _, rest = q.split(" ", 2)
                o = rest[: rest.rindex(" <")]
                if relevant(o):
                    types.setdefault(s, set()).add(o)
            if objects_of:
                s, p, rest = q.split(" ", 2)
                if p in objects_of and not q.endswith(ontology_graph):
                    o = rest[: rest.rindex(" <")]
                    pointing.setdefault(o, []).append(f"{s} {p} {o} .\n")
        subject_shapes = [s for s in self.shapes if s.subjects_of]
        node_targets = {
            n: [s for s in self.shapes if n in s.nodes] for shape in self.shapes for n in shape.nodes
        }
        object_shapes = [s for s in self.shapes if s.objects_of]
        candidates: set[str] = set()
        shard: list[str] = []
        empty: tuple = ()

        def check(subject: str, triples: list[tuple[str, str]], in_ontology: bool = False) -> None:
            if only is not None and subject not in only:
                return
            props: dict[str, set[str]] = {}
            for p, o in triples:
                if p in props:
                    props[p].add(o)
                else:
                    props[p] = {o}
            shapes = self._class_shapes(frozenset(props.get(_TYPE, empty)))
            if subject_shapes:
                shapes = shapes + [s for s in subject_shapes if any(p in props for p in s.subjects_of)]
            if object_shapes and subject in pointing:
                shapes = shapes + object_shapes  # may be too many: only adds candidates
            if subject in node_targets:
                shapes = shapes + node_targets[subject]
            if shapes and not self._conforms(subject, props, shapes):
                candidates.add(subject)
                for p, o in triples:
                    if not in_ontology:
                        shard.append(f"{subject} {p} {o} .\n")
                    for t in types.get(o, empty):
                        shard.append(f"{o} {_TYPE} {t} .\n")
                shard.extend(pointing.get(subject, empty))

        # pass 2: each subject with all its triples, contiguous because the quads are sorted
        ontology_subjects = {s for s, _, _ in self.ontology_triples}
        seen: set[str] = set()
        track = bool(pointing or node_targets)
        current, triples = None, []
        for q in quads:
            if q.endswith(ontology_graph):
                continue
            s, p, rest = q.split(" ", 2)
            o = rest[: rest.rindex(" <")]
            if s != current:
                if current is not None:
                    check(current, triples)
                if s in ontology_subjects or s.startswith("_:"):
                    return None  # data about ontology terms, or blank nodes: pyshacl decides
                if track:
                    seen.add(s)
                current, triples = s, []
            if p == _SUBCLASS or o.startswith("_:"):
                return None
            triples.append((p, o))
        if current is not None:
            check(current, triples)
        by_subject: dict[str, list[tuple[str, str]]] = {}
        for s, p, o in self.ontology_triples:  # pyshacl mixes the ontology into the data graph
            by_subject.setdefault(s, []).append((p, o))
        for s, ontology_triples in by_subject.items():
            check(s, ontology_triples, in_ontology=True)
        for node in sorted({*pointing, *node_targets}):
            if node not in seen and node not in by_subject:
                check(node, [])
        return candidates, shard
