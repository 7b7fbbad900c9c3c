"""The interactive, offline graph page of a projection (``kg viz``): vis-network in one HTML file.

The page draws one edge per pair of nodes and sign (the relations behind it are listed in its
tooltip, its width is the number of independent origins of all its facts), in the colour-blind-safe
styles of kg.viz.styles, from the template kg/viz/templates/graph.html.j2. Small graphs are laid
out by vis-network's physics, which then stops; above LARGE_GRAPH nodes the layout is computed
here (kg.viz.layout) and the browser only draws. Every text that comes from articles or
annotations reaches the page as JSON and is put into the DOM with ``textContent`` only
(kg.viz.page), so it is shown as text and never parsed as HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analysis import PROJECTIONS
from kg.errors import KgError
from kg.files import write_atomic
from kg.rdf.namespaces import ID
from kg.viz.page import CSP_BASE, render, vis_asset
from kg.viz.styles import BORDER, CATEGORIES, CATEGORY_ROOTS, SIGNS, Category, Sign, category_of

__all__ = [
    "CATEGORIES",
    "CATEGORY_ROOTS",
    "Category",
    "Sign",
    "category_of",
    "ego_view",
    "graph_page",
    "keep_min_origins",
    "projection",
    "render_graph",
    "write_atomic",
    "write_graph_view",
]

VIEWS = PROJECTIONS
"""Projections ``kg viz --view`` can show (functions of kg.analysis.project)."""

LARGE_GRAPH = 300
"""Above this many nodes the layout is computed before the page is written and the browser only
draws: straight edges, no edges drawn while dragging or zooming. With vis-network's own physics a
random graph of 300 nodes and 600 edges needed 4.4 s to settle and 55 ms per frame (docs/viz.md)."""

MAX_NODES = 5000
"""Above this many nodes only the ones of highest PageRank are drawn (with a warning)."""

EDGE_LABEL_ZOOM = 1.5
"""Edge labels are drawn from this zoom on (and on the edge under the pointer); below it they would pile up."""

NODE_LABEL_ZOOM = 0.3
"""On a large page, the nodes in view are labelled from this zoom on (below it labels are too
small to draw anyway)."""

DASH_ZOOM = 0.3
"""Dashed edges are dashed from this zoom on: below it a dash is under three pixels long, and
dashes made a 5,000-node page five times slower to draw (200 ms a frame instead of 40)."""


def layout_steps(nodes: int) -> int:
    """Layout iterations of vis-network's physics before it stops: 1000 for small graphs, fewer for large.

    Example:
        >>> layout_steps(50), layout_steps(300), layout_steps(2000)
        (1000, 333, 100)
    """
    return max(100, min(1000, 100_000 // max(nodes, 1)))


SPRING_LENGTH = 170
"""Rest length of an edge between two nodes joined by one edge (pixels at zoom 1)."""

MAX_QUOTES = 4
"""Quotes listed in one tooltip; the rest are counted."""

MAX_LABEL_LINES = 3
"""Relations written on an edge's label; the rest are counted (the tooltip lists them all)."""


RELATION_WORDS: dict[str, str] = {
    "sender->recipient": "writes to",
    "sender->deliveredBy": "sends through",
    "deliveredBy->recipient": "delivers to",
    "speaker->recipient": "speaks to",
    "speaker->target": "speaks about",
    "co-speaker": "speaks with",
    "imposedBy->target": "measure on",
    "imposedBy->beneficiary": "measure for",
    "imposedBy->excludes": "excludes",
    "target": "measure on",
    "beneficiary": "measure for",
    "excludes": "excludes",
    "party->target": "allied against",
    "visitor->host": "visits",
    "heldBy->postIn": "holds post in",
    "nationality": "national of",
}
"""Edge labels read as words; other relations (opposes, agencyOf, Talks...) are split into words."""


@dataclass
class VizResult:
    """What a page holds: where it was written, its size, and what was left out or cheapened."""

    path: Path
    nodes: int
    edges: int
    warnings: list[str] = field(default_factory=list)
    lines: int = 0
    """Edges as drawn: one per pair of nodes and sign."""


# ---------------------------------------------------------------------------------------------
# choosing what to draw


def entity_iri(entity: str) -> str:
    """The IRI of a registry key (an IRI is returned unchanged).

    Example:
        >>> entity_iri("japan")
        'https://w3id.org/trade-dispute/id/japan'
    """
    return entity if "://" in entity else str(ID[entity])


def projection(store, view: str = "actor", as_of: str | date | None = None) -> nx.Graph:
    """The networkx projection of the built store that ``kg viz --view`` names.

    Args:
        store: an open pyoxigraph store (kg.store.open_store).
        view: ``actor``, ``state`` or ``measures``.
        as_of: only what is known on this date (ISO string or date), or everything.

    Returns:
        The graph from kg.analysis.project.

    Example:
        >>> from kg.store import open_store
        >>> graph = projection(open_store("build"), "state")
        >>> graph.number_of_nodes(), graph.number_of_edges()
        (4, 6)
    """
    from kg.analysis import project

    return project.projection(store, view, as_of=as_of)


def keep_min_origins(graph: nx.Graph, min_origins: int) -> nx.Graph:
    """A copy without the edges of fewer than min_origins independent origins (``weight``).

    Nodes left without any edge by the cut are dropped too; nodes that had no edge before are
    kept.

    Args:
        graph: a projection.
        min_origins: the least ``weight`` an edge needs to stay (1 keeps everything).

    Returns:
        The filtered copy.
    """
    if min_origins <= 1:
        return graph.copy()
    kept = graph.copy()
    weak = [edge for *edge, w in _edge_tuples(graph, "weight") if (w or 0) < min_origins]
    kept.remove_edges_from(weak)
    lost = [n for n in graph if graph.degree(n) > 0 and kept.degree(n) == 0]
    kept.remove_nodes_from(lost)
    return kept


def keep_present(graph: nx.Graph) -> nx.Graph:
    """A copy without the nodes that no edge of any fact reaches (only registry links, undated).

    An as-of projection keeps the registry's timeless links (nationality, agency of a state),
    so every actor would stay on the page although the articles do not mention it by that
    date; this drops those actors.

    Example:
        >>> from kg.analysis.project import actor_graph
        >>> early = actor_graph("build", as_of="2025-03-31")
        >>> early.number_of_nodes(), keep_present(early).number_of_nodes()
        (22, 9)
    """
    present = {
        n for u, v, data in graph.edges(data=True) if data.get("date") or data.get("facts") for n in (u, v)
    }
    return graph.subgraph(present).copy()


def ego_view(graph: nx.Graph, entity: str, depth: int = 1) -> nx.Graph:
    """The entity and everything within depth steps of it, edges taken in either direction.

    Args:
        graph: a projection (node ids are entity IRIs).
        entity: a registry key such as ``japan``, or an entity IRI.
        depth: how many steps out (1: the neighbours).

    Returns:
        The induced subgraph (a copy).

    Raises:
        KgError: the entity is not a node of the graph.

    Example:
        >>> from kg.store import open_store
        >>> graph = projection(open_store("build"), "state")
        >>> [n.rsplit("/", 1)[-1] for n in sorted(ego_view(graph, "japan", 1))]
        ['china', 'japan', 'south-korea', 'united-states']
    """
    if depth < 0:
        raise KgError(f"--depth must be 0 or more, not {depth}")
    center = entity_iri(entity)
    if center not in graph:
        hint = _near_keys(graph, entity)
        raise KgError(
            f"{entity!r} is not in this view of the graph"
            + (f" (did you mean {', '.join(hint)}?)" if hint else "")
        )
    return nx.ego_graph(graph, center, radius=depth, undirected=True).copy()


def _near_keys(graph: nx.Graph, entity: str) -> list[str]:
    import difflib

    keys = [str(n).rsplit("/", 1)[-1] for n in graph]
    return difflib.get_close_matches(entity.rsplit("/", 1)[-1], keys, n=3)


def pagerank_of(graph: nx.Graph) -> dict[Hashable, float]:
    """PageRank of every node (kg.analysis.metrics.pagerank, rounded as its centrality table is).

    Betweenness, the rest of that table, is not needed for node sizes and took most of the
    time: 2.3 of 4.7 s for the 644 actors of a 10,000-fact corpus.
    """
    if graph.number_of_nodes() == 0:
        return {}
    from kg.analysis.metrics import pagerank

    return {node: round(rank, 6) for node, rank in pagerank(graph).items()}


# ---------------------------------------------------------------------------------------------
# the page


def _edge_tuples(graph: nx.Graph, attr: str | None = None) -> Iterable[tuple]:
    """(u, v[, key], attr-or-data) for every edge of a simple or multi graph."""
    if graph.is_multigraph():
        return graph.edges(keys=True, data=attr if attr else True)
    return graph.edges(data=attr if attr else True)


def _local(iri: Any) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(name: str) -> str:
    """``retaliatesAgainst`` -> ``retaliates against`` (labels read as words on the page)."""
    name = _local(name)
    out = []
    for ch in name:
        if ch.isupper() and out and out[-1] != " ":
            out.append(" ")
        out.append(ch.lower() if ch.isupper() else ch)
    return "".join(out).replace("_", " ").replace("-", " ")


def relation_text(data: Mapping) -> str:
    """The words an edge is labelled with: its relation, or for a state pair its episode counts.

    Example:
        >>> relation_text({"relation": "imposedBy->target"}), relation_text({"relation": "TradeAgreement"})
        ('measure on', 'trade agreement')
        >>> relation_text({"cooperation": 2, "conflict": 1, "neutral": 0})
        'cooperation 2, conflict 1'
    """
    relation = _text(data.get("relation"))
    if relation:
        return RELATION_WORDS.get(relation) or " \u2192 ".join(_words(p) for p in relation.split("->"))
    counts = [f"{k} {data[k]}" for k in ("cooperation", "conflict", "neutral") if data.get(k)]
    return ", ".join(counts) or "related"


def _sign_of(data: Mapping) -> int:
    try:
        sign = int(data.get("sign") or 0)
    except (TypeError, ValueError):
        return 0
    return (sign > 0) - (sign < 0)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _quote_items(quotes: Iterable[Mapping]) -> list[dict[str, str]]:
    """Quotes as {text, source} for a tooltip, each fact once, in a stable order."""
    seen: dict[str, dict[str, str]] = {}
    for q in quotes or ():
        fact = _text(q.get("fact")) or _text(q.get("quote"))
        if fact in seen:
            continue
        where = _local(q.get("article") or "")
        if q.get("start") is not None and q.get("end") is not None:
            where += f" [{q.get('start')}:{q.get('end')}]"
        seen[fact] = {"text": _text(q.get("quote")), "source": where}
    return sorted(seen.values(), key=lambda item: (item["source"], item["text"]))


def _tip(heading: str, rows: list[tuple[str, str]], quotes: list[dict[str, str]]) -> dict:
    """A tooltip as plain data; the page turns it into DOM text nodes."""
    return {
        "heading": heading,
        "rows": [[k, v] for k, v in rows if v],
        "quotes": quotes[:MAX_QUOTES],
        "more": max(0, len(quotes) - MAX_QUOTES),
    }


def _short(label: str, limit: int = 36) -> str:
    """Long labels (statements, letters) are cut on the canvas; the tooltip has them whole."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "\u2026"


def _date_span(dates: Iterable[Any]) -> str:
    known = sorted({_text(d) for d in dates if d})
    if not known:
        return ""
    return known[0] if len(known) == 1 else f"{known[0]} to {known[-1]}"


def edge_words(data: Mapping) -> str:
    """What one projection edge says, in words: its relation, or for the measures view the measure and rate.

    Example:
        >>> edge_words({"relation": "target", "label": "US tariffs on Japan", "rate": 24, "rate_kind": None,
        ...             "status": "paused", "measure": "m"})
        'US tariffs on Japan 24% (paused)'
        >>> edge_words({"relation": "excludes", "label": "90-day pause", "measure": "m"})
        '90-day pause (excludes)'
        >>> edge_words({"relation": "speaker->recipient"})
        'speaks to'
    """
    if not data.get("measure"):
        return relation_text(data)
    words = _text(data.get("label")) or _local(data["measure"])
    rate = data.get("rate")
    if isinstance(rate, int | float):
        words += f" {rate:g}%" + (f" {data['rate_kind']}" if data.get("rate_kind") else "")
    notes = [n for n in (_text(data.get("status")),) if n]
    if data.get("relation") in ("beneficiary", "excludes"):
        notes.append(relation_text(data))
    return words + (f" ({', '.join(notes)})" if notes else "")


@dataclass
class PairEdge:
    """The edges of a projection between one pair of nodes with one sign, drawn as one edge."""

    ends: tuple[Hashable, Hashable]
    sign: int
    members: list[tuple[Hashable, Hashable, Mapping]] = field(default_factory=list)

    def directions(self) -> set[bool]:
        """True for members drawn from ends[0] to ends[1], False for the other way."""
        return {u == self.ends[0] for u, _, _ in self.members}

    def facts(self) -> list[str]:
        return sorted({str(f) for _, _, d in self.members for f in d.get("facts") or ()})

    def weight(self, origins: Mapping[str, str] | None) -> int:
        """Independent origins of all its facts (with origins), else the most of any member."""
        facts = self.facts()
        if origins is not None and facts and all(f in origins for f in facts):
            return len({origins[f] for f in facts})
        return max(int(d.get("weight") or len(d.get("facts") or ()) or 1) for _, _, d in self.members)


def pair_edges(graph: nx.Graph) -> list[PairEdge]:
    """The graph's edges grouped by unordered pair of nodes and sign, in a stable order.

    Example:
        >>> g = nx.MultiDiGraph()
        >>> g.add_edge("a", "b", relation="Talks", sign=1); g.add_edge("b", "a", relation="Talks", sign=1)
        0
        0
        >>> g.add_edge("a", "b", relation="opposes", sign=-1)
        1
        >>> [(p.ends, p.sign, len(p.members)) for p in pair_edges(g)]
        [(('a', 'b'), -1, 1), (('a', 'b'), 1, 2)]
    """
    groups: dict[tuple, PairEdge] = {}
    for u, v, *rest in _edge_tuples(graph):
        data = rest[-1]
        ends = (u, v) if str(u) <= str(v) else (v, u)
        sign = _sign_of(data)
        key = (str(ends[0]), str(ends[1]), sign)
        groups.setdefault(key, PairEdge(ends, sign)).members.append((u, v, data))
    for group in groups.values():
        group.members.sort(key=lambda m: (str(m[0]), str(m[1]), edge_words(m[2]), _text(m[2].get("date"))))
    return [groups[k] for k in sorted(groups)]


def _relation_lines(pair: PairEdge, labels: Mapping[Hashable, str] | None = None) -> list[tuple[str, int]]:
    """(words, how many edges say them) per relation of a pair edge, most frequent first.

    With labels, each line names who does it to whom (for the tooltip); without, the words
    alone (for the label on the canvas, which sits between the two anyway).
    """
    counts: dict[str, int] = defaultdict(int)
    for u, v, data in pair.members:
        words = edge_words(data)
        if labels is not None:
            words = f"{labels[u]} \u2192 {words} \u2192 {labels[v]}"
        counts[words] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _label_text(lines: list[tuple[str, int]]) -> str:
    shown = [w + (f" \u00d7{n}" if n > 1 else "") for w, n in lines[:MAX_LABEL_LINES]]
    if len(lines) > MAX_LABEL_LINES:
        shown.append(f"+{len(lines) - MAX_LABEL_LINES} more")
    return "\n".join(shown)


def _edge_rows(data: Mapping) -> list[tuple[str, str]]:
    """Tooltip rows that only one projection edge has (measures and state pairs): rate, status, episodes."""
    rate = data.get("rate")
    episodes = [
        f"{SIGNS[_sign_of(ep)].label.lower()}: {', '.join(map(str, ep.get('labels') or ep.get('subjects') or ()))}"
        for ep in data.get("episodes") or ()
    ]
    about = _text(data.get("subject_label"))
    kind = _text(data.get("subject_type"))
    return [
        ("about", f"{about} ({_words(kind)})" if about and kind else about),
        ("score", _text(data.get("score"))),
        (
            "rate",
            f"{rate:g}%" + (f" ({data.get('rate_kind')})" if data.get("rate_kind") else "")
            if isinstance(rate, int | float)
            else "",
        ),
        ("status", _text(data.get("status"))),
        ("products", ", ".join(map(str, data.get("products") or ()))),
        ("episodes", "; ".join(episodes)),
    ]


def _node_items(graph: nx.Graph, pagerank: Mapping, positions: Mapping | None) -> list[dict]:
    # a large page lists fewer quotes per node: they are on its edges too, and each costs load time
    quote_limit = MAX_QUOTES if positions is None else 2
    incident: dict[Hashable, list[Mapping]] = defaultdict(list)
    for u, v, *rest in _edge_tuples(graph):
        incident[u].append(rest[-1])
        incident[v].append(rest[-1])
    degree = dict(graph.degree())
    items = []
    for node in sorted(graph, key=str):
        data = graph.nodes[node]
        kind = _local(data.get("type") or "")
        category = category_of(kind)
        label = _text(data.get("label")) or _local(node)
        edges = incident.get(node, [])
        quotes = _quote_items(q for e in edges for q in e.get("quotes") or ())
        articles = sorted(
            {_local(q.get("article")) for e in edges for q in e.get("quotes") or () if q.get("article")}
        )
        rank = float(pagerank.get(node, 0.0))
        rows = [
            ("type", _words(kind) if kind else "unknown"),
            ("key", _local(data.get("iri") or node)),
            ("dates", _date_span(e.get("date") for e in edges)),
            ("links", str(degree.get(node, 0))),
            ("pagerank", f"{rank:.3f}"),
            ("articles", ", ".join(articles)),
        ]
        item = {
            "id": str(node),
            # a large page labels the nodes in view once zoomed in: measuring 5,000 labels at
            # once was a quarter of its opening time
            "label": "" if positions is not None else _short(label),
            "short": _short(label),
            "name": label,
            "key": _local(data.get("iri") or node),
            "group": category.key,  # shape and colours: the group's (vis-network options.groups)
            "value": rank,
            "cat": category.key,
            "type": rows[0][1],
            "tip": _tip(label, rows, quotes[:quote_limit]),
        }
        if positions is not None:
            item["x"], item["y"] = positions[node]
        items.append(item)
    return items


def _edge_items(graph: nx.Graph, origins: Mapping[str, str] | None, large: bool) -> list[dict]:
    labels = {n: _text(graph.nodes[n].get("label")) or _local(n) for n in graph}
    directed = graph.is_directed()
    pairs = pair_edges(graph)
    per_pair: dict[tuple, int] = defaultdict(int)
    for p in pairs:
        per_pair[(str(p.ends[0]), str(p.ends[1]))] += 1
    # a few big nodes need longer edges, or their labels land on each other
    room = SPRING_LENGTH * (1 + 8 / (graph.number_of_nodes() + 4))
    sprung: set[tuple] = set()
    items = []
    for i, pair in enumerate(pairs):
        sign: Sign = SIGNS[pair.sign]
        ends = (str(pair.ends[0]), str(pair.ends[1]))
        lines = _relation_lines(pair)
        said = _relation_lines(pair, labels if directed else None)
        weight = pair.weight(origins)
        quotes = _quote_items(q for _, _, d in pair.members for q in d.get("quotes") or ())
        directions = pair.directions()
        if not directed:
            arrows, arrow = {"to": {"enabled": False}}, "\u2014"
        elif directions == {True, False}:
            arrows, arrow = {"to": {"enabled": True}, "from": {"enabled": True}}, "\u2194"
        else:
            arrows, arrow = {"to": {"enabled": True}}, "\u2192"
        frm, to = pair.ends if True in directions or not directed else pair.ends[::-1]
        rows = [
            ("sign", sign.label.lower()),
            ("relations", "; ".join(w + (f" \u00d7{n}" if n > 1 else "") for w, n in said)),
            ("dates", _date_span(d.get("date") for _, _, d in pair.members)),
        ]
        if len(pair.members) == 1:
            rows += _edge_rows(pair.members[0][2])
        rows += [("independent origins", str(weight)), ("facts", str(len(pair.facts())))]
        if large or per_pair[ends] == 1:
            smooth = {"enabled": not large, "type": "continuous", "roundness": 0.2}
        else:  # two or three signs between one pair: bend them apart (sign 0 stays straight)
            bend = {1: "curvedCW", -1: "curvedCCW"}.get(pair.sign)
            if bend and str(frm) != ends[0]:
                bend = "curvedCCW" if bend == "curvedCW" else "curvedCW"
            smooth = {"enabled": bool(bend), "type": bend or "continuous", "roundness": 0.25}
        spring = ends not in sprung  # one spring per pair of nodes, whatever its signs
        sprung.add(ends)
        item = {
            "id": f"e{i}",
            "from": str(frm),
            "to": str(to),
            "relation": _label_text(lines),
            "label": "",
            "sign": sign.key,
            "color": {"color": sign.color, "highlight": sign.color, "hover": sign.color, "opacity": 1.0},
            "pattern": list(sign.dashes) if sign.dashes else False,
            "dashes": list(sign.dashes) if sign.dashes and not large else False,
            "value": weight,
            "arrows": arrows,
            "smooth": smooth,
            "physics": spring,
            "tip": _tip(f"{labels[frm]} {arrow} {labels[to]}", rows, quotes),
        }
        if spring and not large:
            item["length"] = round(room / per_pair[ends] ** 0.5)
        items.append(item)
    return items


def _options(large: bool, nodes: int) -> dict:
    """vis-network options: small graphs lay themselves out and then stop; large ones come laid out."""
    physics: dict[str, Any] = {
        "enabled": nodes > 0 and not large,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -120,
            "centralGravity": 0.01,
            "springLength": SPRING_LENGTH,
            "springConstant": 0.05,
            "damping": 0.5,
            "avoidOverlap": 0.8,
        },
        "maxVelocity": 60,
        "minVelocity": 0.75,
        "stabilization": {
            "enabled": not large,
            "iterations": layout_steps(nodes),
            "updateInterval": 50,
            "fit": True,
        },
    }
    groups = {
        c.key: {
            "shape": c.shape,
            "color": {
                "background": c.color,
                "border": BORDER,
                "highlight": {"background": c.color, "border": BORDER},
                "hover": {"background": c.color, "border": BORDER},
            },
        }
        for c in CATEGORIES
    }
    return {
        "autoResize": True,
        "groups": groups,
        "layout": {"randomSeed": 7, "improvedLayout": nodes <= 150},
        "physics": physics,
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "scaling": {
                "min": 8,
                "max": 34,
                "label": {"enabled": True, "min": 12, "max": 22, "drawThreshold": 6},
            },
            "font": {
                "face": "system-ui, sans-serif",
                "color": "#1a202c",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "scaling": {"min": 1, "max": 6, "label": {"enabled": False}},
            "font": {
                "size": 11,
                "face": "system-ui, sans-serif",
                "color": "#1a202c",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
                "align": "horizontal",
                "multi": False,
            },
            "arrows": {"to": {"scaleFactor": 0.55}, "from": {"scaleFactor": 0.55}},
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
    }


def _cap(graph: nx.Graph, pagerank: Mapping, max_nodes: int, warnings: list[str]) -> nx.Graph:
    if graph.number_of_nodes() <= max_nodes:
        return graph
    ranked = sorted(graph, key=lambda n: (-pagerank.get(n, 0.0), str(n)))
    warnings.append(
        f"{graph.number_of_nodes()} nodes is more than a browser draws smoothly: "
        f"showing the {max_nodes} of highest PageRank (use --focus or --min-origins to choose)"
    )
    return graph.subgraph(ranked[:max_nodes]).copy()


def graph_page(
    graph: nx.Graph,
    title: str = "Trade-dispute graph",
    subtitle: str = "",
    pagerank: Mapping[Hashable, float] | None = None,
    max_nodes: int = MAX_NODES,
    origins: Mapping[str, str] | None = None,
    download: str | None = None,
) -> tuple[str, list[str], nx.Graph]:
    """The self-contained HTML page of a graph, without writing anything.

    Args:
        graph: any networkx graph with the projection attributes (node ``label``, ``type``;
            edge ``relation``, ``sign``, ``date``, ``weight``, ``facts``, ``quotes``; a
            measures-view edge also ``measure``, ``label``, ``rate``, ``rate_kind``, ``status``).
        title: page heading (shown as text).
        subtitle: one line under the heading (shown as text).
        pagerank: node -> PageRank for node sizes; computed with kg.analysis.metrics when omitted.
        max_nodes: draw at most this many nodes (those of highest PageRank).
        origins: fact IRI -> its independent origin, so that an edge drawn for several
            projection edges counts the origins of all their facts once; without it, the most
            of any of them.
        download: a relative link to the export of this graph (GraphML) that the page offers.

    Returns:
        (html, warnings, the graph actually drawn).

    Example:
        >>> from kg.store import open_store
        >>> html, warnings, drawn = graph_page(projection(open_store("build"), "state"), title="States")
        >>> warnings, drawn.number_of_nodes(), "<title>States" in html
        ([], 4, True)
    """
    warnings: list[str] = []
    if pagerank is None:
        pagerank = pagerank_of(graph)
    graph = _cap(graph, pagerank, max_nodes, warnings)
    n = graph.number_of_nodes()
    large = n > LARGE_GRAPH
    if large:
        warnings.append(
            f"{n} nodes: laid out before drawing, edges straight, relation labels from zoom {EDGE_LABEL_ZOOM:g}"
        )
    if n == 0:
        warnings.append("the view is empty: nothing matches these options")
    positions = None
    if large:
        from kg.viz.layout import force_layout

        positions = force_layout(graph, scale=SPRING_LENGTH)
    nodes = _node_items(graph, pagerank, positions)
    edges = _edge_items(graph, origins, large)
    # tooltips travel apart and are read at the first hover: they are half of a large page
    tips = {"nodes": [n.pop("tip") for n in nodes], "edges": [e.pop("tip") for e in edges]}
    counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        counts[node["cat"]] += 1
    sign_counts: dict[str, int] = defaultdict(int)
    for edge in edges:
        sign_counts[edge["sign"]] += 1
    html = render(
        "graph.html.j2",
        csp=CSP_BASE + "; script-src 'unsafe-inline'",
        title=title,
        subtitle=subtitle,
        legend=[(c, counts[c.key]) for c in CATEGORIES if counts[c.key]],
        sign_legend=[(s, sign_counts[s.key]) for s in SIGNS.values() if sign_counts[s.key]],
        warnings=warnings,
        vis_js=vis_asset("vis-network.min.js"),
        vis_css=vis_asset("vis-network.css"),
        nodes=nodes,
        edges=edges,
        tips=tips,
        vis_options=_options(large, n),
        label_zoom=EDGE_LABEL_ZOOM,
        dash_zoom=DASH_ZOOM,
        node_label_zoom=NODE_LABEL_ZOOM if large else None,
        download=download,
    )
    return html, warnings, graph


def render_graph(
    graph: nx.Graph,
    output: Path | str,
    title: str = "Trade-dispute graph",
    subtitle: str = "",
    pagerank: Mapping[Hashable, float] | None = None,
    max_nodes: int = MAX_NODES,
    origins: Mapping[str, str] | None = None,
) -> VizResult:
    """Write the page of a graph to output (atomically) and say what it holds; the graph drawn
    goes beside it as GraphML (``graph.html`` -> ``graph.graphml``), which the page links.

    Args:
        graph: a projection (see graph_page).
        output: the HTML file to write; its folder is created.
        title: page heading.
        subtitle: one line under the heading.
        pagerank: node sizes; computed with kg.analysis.metrics when omitted.
        max_nodes: draw at most this many nodes.
        origins: fact IRI -> independent origin (see graph_page).

    Returns:
        A VizResult with the path, the node and edge counts drawn, and warnings.

    Example:
        >>> from kg.store import open_store
        >>> render_graph(projection(open_store("build"), "state"), "build/graph.html").nodes
        4
    """
    from kg.analysis.export import projection_text

    output = Path(output)
    export = output.with_suffix(".graphml")  # the graph drawn, for Gephi or networkx; the page links it
    html, warnings, drawn = graph_page(graph, title, subtitle, pagerank, max_nodes, origins, export.name)
    write_atomic(export, projection_text(drawn, "graphml"))
    path = write_atomic(output, html)
    return VizResult(path, drawn.number_of_nodes(), drawn.number_of_edges(), warnings, len(pair_edges(drawn)))


def write_graph_view(
    store,
    output: Path | str,
    view: str = "actor",
    focus: str | None = None,
    depth: int = 1,
    as_of: str | date | None = None,
    min_origins: int = 1,
    title: str | None = None,
    max_nodes: int = MAX_NODES,
) -> VizResult:
    """Project the store, choose what to show, and write the page: what ``kg viz`` does.

    Args:
        store: an open pyoxigraph store.
        output: the HTML file to write.
        view: ``actor``, ``state`` or ``measures``.
        focus: a registry key: show only it and its surroundings.
        depth: how far around focus.
        as_of: only what is known on this date.
        min_origins: hide edges with fewer independent origins.
        title: page heading (a default names the view).
        max_nodes: draw at most this many nodes.

    Returns:
        A VizResult.

    Example:
        >>> from kg.store import open_store
        >>> write_graph_view(open_store("build"), "build/japan.html", focus="japan")
        VizResult(path=PosixPath('build/japan.html'), nodes=12, edges=110, warnings=[], lines=36)
    """
    if min_origins < 1:
        raise KgError(f"--min-origins must be 1 or more, not {min_origins}")
    from kg.analysis.project import ACTOR_VIEWS, Snapshot

    # one snapshot for the projection and the origins, its views read together (concurrently)
    views = {
        "actor": ACTOR_VIEWS,
        "state": (*ACTOR_VIEWS, "episode-links"),
        "measures": ("measures", "subject-dates"),
    }
    if view not in views:
        raise KgError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    snap = Snapshot.load(store, as_of, prefetch=views[view])
    graph = projection(snap, view, snap.as_of)
    if as_of:
        graph = keep_present(graph)
    graph = keep_min_origins(graph, min_origins)
    parts = [f"{view} view"]
    if focus:
        graph = ego_view(graph, focus, depth)
        center = graph.nodes[entity_iri(focus)]
        parts.append(f"around {center.get('label') or focus} (depth {depth})")
    if as_of:
        parts.append(f"as of {as_of}")
    if min_origins > 1:
        parts.append(f"edges with at least {min_origins} independent origins")
    parts.append(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    heading = title or "Trade-dispute graph"
    origins = {fact: ev["origin"] for fact, ev in snap.evidence.items()}
    return render_graph(graph, output, heading, " \u00b7 ".join(parts), max_nodes=max_nodes, origins=origins)
