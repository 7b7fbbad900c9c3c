"""What a rebuild changed: entities, facts, corroborations and contradictions, previous build vs current.

Each ``kg build`` keeps the outputs it replaces in ``build/previous/`` (``manifest.json`` and
``kg.nq``, see :func:`kg.build.publish.keep_previous`). :func:`build_diff` reads both N-Quads files and compares:

* entities: registry descriptions (type, label, aliases, definitional claims) added, removed, changed;
* facts: fact graphs and their provenance added, removed, changed (line numbers ignored);
* corroborations: the distinct independent origins behind each (subject, property, value) stated
  in fact graphs; a change is listed when the triple has, or had, two origins or more;
* confirmations: claims with more articles and as many origins as before (:mod:`kg.analysis.confirmations`);
  a claim whose articles may copy one story is marked "possibly one origin" in both lists;
* contradictions: the disagreements of the knowledge layer (:mod:`kg.build.layer`) that are
  contradictions: two values of a single-valued property for a subject, of the same rate kind,
  scope and time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.analysis.confirmations import (
    POSSIBLY_ONE_ORIGIN,
    confirmations,
    copies_behind,
    copy_pairs,
    evidence,
    possibly_one_origin,
)
from kg.errors import KgError
from kg.rdf.namespaces import FACT, PREFIXES, PROVENANCE_GRAPH, RDF_NS, REGISTRY_GRAPH
from kg.store import MANIFEST_FILE, NQ_FILE, PREVIOUS_DIR

"""The outputs of a build that the next build keeps for comparison."""

_RDF_TYPE = RDF_NS + "type"
_TDO = PREFIXES["tdo"]
_IGNORED_IN_FACTS = {_TDO + "sourceLine", _TDO + "sourceFile"}
"""Provenance that moves when lines are inserted above a fact; not a change of the fact."""

Quad = tuple[str, str, str, str]  # subject, predicate, object, graph as N-Triples terms


@dataclass
class Snapshot:
    """One build's quads and manifest."""

    folder: Path
    quads: set[Quad]
    manifest: dict


def load_snapshot(folder: Path | str) -> Snapshot:
    """Read ``kg.nq`` and ``manifest.json`` of a build folder.

    Raises:
        KgError: the folder holds no build.
    """
    import pyoxigraph as ox

    folder = Path(folder)
    nq, man = folder / NQ_FILE, folder / MANIFEST_FILE
    if not nq.is_file() or not man.is_file():
        raise KgError(f"no build in {folder} (kg.nq and manifest.json are needed)")
    quads = {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)
    }
    return Snapshot(folder, quads, json.loads(man.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is added, removed or changed."""

    kind: str
    item: str
    detail: str = ""


@dataclass
class BuildDiff:
    """Differences between two builds, by kind of thing."""

    previous: str
    current: str
    articles: list[Change] = field(default_factory=list)
    entities: list[Change] = field(default_factory=list)
    facts: list[Change] = field(default_factory=list)
    corroborations: list[Change] = field(default_factory=list)
    confirmations: list[Change] = field(default_factory=list)  # see kg.analysis.confirmations
    contradictions: list[Change] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (
            self.articles
            or self.entities
            or self.facts
            or self.corroborations
            or self.confirmations
            or self.contradictions
        )

    def to_dict(self) -> dict:
        """Plain data, for JSON."""
        return asdict(self)


def shorten(term: str) -> str:
    """An N-Triples term with the project's prefixes: ``<.../id/japan>`` -> ``id:japan``."""
    if term.startswith("<") and term.endswith(">"):
        value = term[1:-1]
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns) and value[len(ns) :] and "/" not in value[len(ns) :]:
                return f"{prefix}:{value[len(ns) :]}"
        return term
    text, sep, datatype = term.rpartition("^^")
    if sep and datatype.startswith("<"):
        return f"{text}^^{shorten(datatype)}"
    return term


def _strip(term: str) -> str:
    return term[1:-1] if term.startswith("<") and term.endswith(">") else term


def _registry(quads: set[Quad]) -> dict[str, frozenset[tuple[str, str]]]:
    graph = f"<{REGISTRY_GRAPH}>"
    out: dict[str, set[tuple[str, str]]] = {}
    for s, p, o, g in quads:
        if g == graph:
            out.setdefault(s, set()).add((p, o))
    return {s: frozenset(v) for s, v in out.items()}


def _facts(quads: set[Quad]) -> dict[str, frozenset[tuple[str, ...]]]:
    """Each fact graph's own triples plus the provenance about it and its annotation nodes."""
    fact_ns = str(FACT)
    prov = f"<{PROVENANCE_GRAPH}>"
    out: dict[str, set[tuple[str, ...]]] = {}
    for s, p, o, g in quads:
        if g.startswith("<" + fact_ns):
            out.setdefault(_strip(g), set()).add(("graph", s, p, o))
    for s, p, o, g in quads:
        if g != prov or not s.startswith("<" + fact_ns) or _strip(p) in _IGNORED_IN_FACTS:
            continue
        base = _strip(s).split("/")[: len(fact_ns.split("/"))]
        fact = "/".join(base)
        out.setdefault(fact, set()).add(("provenance", s, p, o))
    return {f: frozenset(v) for f, v in out.items()}


def origins(quads: set[Quad]) -> dict[tuple[str, str, str], set[str]]:
    """Independent origins behind each (subject, property, value) stated in fact graphs (rdf:type aside)."""
    prov = f"<{PROVENANCE_GRAPH}>"
    origin_of = {s: o for s, p, o, g in quads if g == prov and _strip(p) == _TDO + "independentOrigin"}
    out: dict[tuple[str, str, str], set[str]] = {}
    for s, p, o, g in quads:
        if g in origin_of and _strip(p) != _RDF_TYPE:
            out.setdefault((s, p, o), set()).add(origin_of[g])
    return out


def contradictions(quads: set[Quad]) -> dict[tuple[str, str], set[str]]:
    """(subject, functional property) -> the values that contradict another (``tdo:contradicts``
    in the knowledge layer: the same rate kind, scope and time; see :mod:`kg.build.layer`)."""
    default = [(s, p, o) for s, p, o, g in quads if g == "DEFAULT"]
    members = {s for s, p, o in default if p == f"<{_TDO}contradicts>"}
    parts: dict[str, dict[str, str]] = {}
    wanted = {f"<{RDF_NS}{name}>": name for name in ("subject", "predicate", "object")}
    for s, p, o in default:
        if p in wanted:
            parts.setdefault(s, {})[wanted[p]] = o
    values: dict[tuple[str, str], set[str]] = {}
    for claim in members:
        c = parts[claim]
        values.setdefault((c["subject"], c["predicate"]), set()).add(c["object"])
    return values


def _changes(before: dict, after: dict, describe) -> list[Change]:
    out = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            out.append(Change("added", *describe(key, None, after[key])))
        elif key not in after:
            out.append(Change("removed", *describe(key, before[key], None)))
        elif before[key] != after[key]:
            out.append(Change("changed", *describe(key, before[key], after[key])))
    return out


def compare(previous: Snapshot, current: Snapshot) -> BuildDiff:
    """Compare two loaded builds.

    Args:
        previous: the older build.
        current: the newer build.

    Returns:
        The BuildDiff.
    """
    diff = BuildDiff(str(previous.folder), str(current.folder))
    diff.articles = _changes(
        previous.manifest.get("articles", {}),
        current.manifest.get("articles", {}),
        lambda a, old, new: (a, "text changed (sha256)" if old and new else ""),
    )

    def entity_detail(s, old, new):
        if old is None or new is None:
            kinds = [shorten(o) for p, o in (new or old) if _strip(p) == _RDF_TYPE]
            return shorten(s), ", ".join(kinds)
        gone = sorted(f"-{shorten(p)} {shorten(o)}" for p, o in old - new)
        came = sorted(f"+{shorten(p)} {shorten(o)}" for p, o in new - old)
        return shorten(s), "; ".join(came + gone)

    diff.entities = _changes(_registry(previous.quads), _registry(current.quads), entity_detail)
    p_facts, c_facts = _facts(previous.quads), _facts(current.quads)
    p_index, c_index = previous.manifest.get("facts", {}), current.manifest.get("facts", {})

    def fact_detail(f, old, new):
        fid = f.rsplit("/", 1)[-1]
        record = c_index.get(fid) or p_index.get(fid) or {}
        where = f"{record.get('article', '?')}, subject id:{record.get('subject', '?')}"
        if old is None or new is None:
            return fid, where
        said = [f"-{shorten(p)} {shorten(o)}" for kind, _, p, o in sorted(old - new) if kind == "graph"]
        said += [f"+{shorten(p)} {shorten(o)}" for kind, _, p, o in sorted(new - old) if kind == "graph"]
        provenance = sorted({shorten(p) for kind, _, p, _ in old ^ new if kind == "provenance"})
        if provenance:
            said.append("provenance: " + ", ".join(provenance))
        return fid, f"{where}; " + "; ".join(said)

    diff.facts = _changes(p_facts, c_facts, fact_detail)

    p_orig, c_orig = origins(previous.quads), origins(current.quads)
    flagged = possibly_one_origin(current.quads)
    behind, pairs = evidence(current.quads), copy_pairs(current.quads)

    def copies(triple) -> str:
        if triple not in flagged:
            return ""
        found = copies_behind(behind.get(triple, (set(), set()))[0], pairs)
        return (
            f"; {POSSIBLY_ONE_ORIGIN} (" + ", ".join(f"{shorten(a)} ~ {shorten(b)}" for a, b in found) + ")"
        )

    for triple in sorted(set(p_orig) | set(c_orig)):
        old, new = p_orig.get(triple, set()), c_orig.get(triple, set())
        if old == new or max(len(old), len(new)) < 2:
            continue
        kind = "added" if len(old) < 2 else "removed" if len(new) < 2 else "changed"
        came = ", ".join(shorten(o) for o in sorted(new - old))
        gone = ", ".join(shorten(o) for o in sorted(old - new))
        detail = (
            f"{len(old)} -> {len(new)} independent origins"
            + (f" (+ {came})" if came else "")
            + (f" (- {gone})" if gone else "")
            + copies(triple)
        )
        diff.corroborations.append(Change(kind, " ".join(shorten(t) for t in triple), detail))
    for triple, old, new, added, kept in confirmations(evidence(previous.quads), behind):
        detail = (
            f"{old} -> {new} articles (+ {', '.join(shorten(a) for a in added)}), "
            f"{kept} independent origin{'s' if kept != 1 else ''} as before" + copies(triple)
        )
        diff.confirmations.append(Change("changed", " ".join(shorten(t) for t in triple), detail))

    def contradiction_detail(key, old, new):
        values = " | ".join(shorten(v) for v in sorted(new or old))
        if old is not None and new is not None:
            values = f"{' | '.join(shorten(v) for v in sorted(old))} -> {values}"
        return " ".join(shorten(t) for t in key), values

    diff.contradictions = _changes(
        contradictions(previous.quads), contradictions(current.quads), contradiction_detail
    )
    return diff


def build_diff(build_dir: Path | str = "build", previous: Path | str | None = None) -> BuildDiff:
    """What changed between the previous build and the current one.

    Args:
        build_dir: the build folder (its outputs are the current build).
        previous: the folder of the build to compare with; default ``build_dir/previous``.

    Returns:
        The BuildDiff.

    Raises:
        KgError: there is no current or no previous build.

    Example:
        >>> d = build_diff("build")  # after adding article 004's facts
        >>> added = [c.item for c in d.facts if c.kind == "added"]
        >>> len(added), added[:2]
        (46, ['a004-account-affiliated-with-cctv', 'a004-alliance-deterrence'])
    """
    build_dir = Path(build_dir)
    previous = Path(previous) if previous is not None else build_dir / PREVIOUS_DIR
    if not (previous / NQ_FILE).is_file():
        raise KgError(
            f"no previous build in {previous}: each `kg build` keeps the outputs it replaces there, "
            "so build once more (or pass --previous FOLDER)"
        )
    return compare(load_snapshot(previous), load_snapshot(build_dir))


def format_diff(diff: BuildDiff) -> str:
    """Plain-text report: one section per kind, ``+`` added, ``-`` removed, ``~`` changed."""
    mark = {"added": "+", "removed": "-", "changed": "~"}
    lines = [f"compared {diff.previous} with {diff.current}"]
    for title in ("articles", "entities", "facts", "corroborations", "contradictions"):
        changes: list[Change] = getattr(diff, title)
        if title == "contradictions":  # claims a new article confirms come before
            lines.append(f"confirmations: {len(diff.confirmations)} (more articles, the same origins)")
            lines += [f"  ~ {c.item}  ({c.detail})" for c in diff.confirmations]
        counts = {k: sum(c.kind == k for c in changes) for k in mark}
        lines.append(
            f"{title}: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed"
        )
        for c in changes:
            lines.append(f"  {mark[c.kind]} {c.item}" + (f"  ({c.detail})" if c.detail else ""))
    return "\n".join(lines)
