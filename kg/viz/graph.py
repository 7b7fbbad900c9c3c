"""Interactive, offline HTML pages of the projected graphs (pyvis) and of the measures timeline.

pyvis is used only here and only to assemble the vis-network nodes, edges and options; the
page comes from our own template (pyvis's default one fetches Bootstrap from a CDN and switches
its tooltips to ``innerHTML`` as soon as a title contains the word ``href``). Every text that
comes from articles or annotations reaches the page as JSON inside a script (``tojson`` escapes
``<``, ``>``, ``&`` and ``'``) and is put into the DOM with ``textContent`` only, so it is
shown as text and never parsed as HTML. vis-network 9 shows a string ``title`` with
``innerText`` and an element as is; we give it elements built from text nodes.
"""

from __future__ import annotations

import base64
import tempfile
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analysis import PROJECTIONS
from kg.errors import KgError
from kg.files import write_atomic
from kg.rdf.namespaces import ID
from kg.rdf.vocabulary import vocabulary

VIEWS = PROJECTIONS
"""Projections ``kg viz --view`` can show (functions of kg.analysis.project)."""

LARGE_GRAPH = 300
"""Above this many nodes the page is cheapened: straight edges, edge labels hidden until asked
for, no edges drawn while dragging or zooming. With full settings a random graph of 300 nodes
and 600 edges already needed 55 ms per frame in headless chromium (docs/viz.md)."""

MAX_NODES = 1000
"""Above this many nodes only the ones of highest PageRank are drawn (with a warning): at 2,000
nodes and 4,000 edges the page took 15 s to settle and then 380 ms per frame (docs/viz.md)."""


def layout_steps(nodes: int) -> int:
    """Layout iterations before physics stops: 1000 for small graphs, down to 100 for large.

    Example:
        >>> layout_steps(50), layout_steps(300), layout_steps(2000)
        (1000, 333, 100)
    """
    return max(100, min(1000, 100_000 // max(nodes, 1)))


SPRING_LENGTH = 170
"""Rest length of an edge between two nodes joined by one edge (pixels at zoom 1)."""

MAX_QUOTES = 4
"""Quotes listed in one tooltip; the rest are counted."""


@dataclass(frozen=True)
class Category:
    """How a group of classes is drawn: legend text, fill colour and vis-network shape."""

    key: str
    label: str
    color: str
    shape: str


CATEGORIES: tuple[Category, ...] = (
    Category("state", "State", "#2b6cb0", "dot"),
    Category("person", "Person", "#dd6b20", "diamond"),
    Category("agency", "Agency, office or outlet", "#805ad5", "square"),
    Category("measure", "Trade measure", "#c53030", "triangle"),
    Category("event", "Event", "#2f855a", "hexagon"),
    Category("agreement", "Agreement or dispute", "#0987a0", "triangleDown"),
    Category("other", "Product, place or other", "#718096", "dot"),
)
CATEGORY = {c.key: c for c in CATEGORIES}

CATEGORY_ROOTS: dict[str, str] = {
    "State": "state",
    "Person": "person",
    "Actor": "agency",
    "Post": "agency",
    "Platform": "agency",
    "AnonymousSource": "agency",
    "TradeMeasure": "measure",
    "Event": "event",
    "Agreement": "agreement",
    "Dispute": "agreement",
}
"""The ontology classes that name a legend group; every subclass joins its nearest one's group."""


def category_of(cls: str) -> Category:
    """The legend group of an ontology class (a local name): that of its nearest root, else "other".

    >>> category_of("Ministry").key, category_of("Warning").key, category_of("Product").key
    ('agency', 'event', 'other')
    """
    for c in vocabulary().lineage(cls):
        if c in CATEGORY_ROOTS:
            return CATEGORY[CATEGORY_ROOTS[c]]
    return CATEGORY["other"]


"""Every class of ontology/tdo.ttl, by the legend group it is drawn in (a test keeps it complete)."""

SIGNS: dict[int, tuple[str, str, str]] = {
    1: ("cooperation", "Cooperation", "#38a169"),
    -1: ("conflict", "Conflict", "#e53e3e"),
    0: ("neutral", "Neutral", "#a0aec0"),
}
"""Edge sign -> (key, legend text, colour)."""


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
    """PageRank of every node, from kg.analysis.metrics.centrality (empty graph: empty dict)."""
    if graph.number_of_nodes() == 0:
        return {}
    from kg.analysis.metrics import centrality

    table = centrality(graph)
    return dict(zip(table["node"], table["pagerank"], strict=True))


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


def _smooth(graph: nx.Graph, large: bool) -> dict[tuple, dict]:
    """A curve per edge so that parallel edges between two nodes do not cover each other."""
    by_pair: dict[tuple, list[tuple]] = defaultdict(list)
    for u, v, *rest in _edge_tuples(graph, "relation"):
        key = tuple(rest[:-1])
        by_pair[tuple(sorted((str(u), str(v))))].append((u, v, *key))
    curves: dict[tuple, dict] = {}
    for pair, edges in by_pair.items():
        odd = len(edges) % 2
        for k, edge in enumerate(edges):
            if len(edges) == 1 or (odd and k == 0):
                curves[edge] = {"enabled": not large, "type": "continuous", "roundness": 0.2}
                continue
            j = k - odd
            side = 1 if j % 2 == 0 else -1
            if str(edge[0]) != pair[0]:  # curvedCW is relative to the edge's own direction
                side = -side
            curves[edge] = {
                "enabled": True,
                "type": "curvedCW" if side > 0 else "curvedCCW",
                "roundness": min(0.75, 0.15 * (j // 2 + 1)),
            }
    return curves


def _options(large: bool, nodes: int) -> dict:
    """vis-network options: a layout that settles, then the page turns physics off."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": nodes <= 150},
        "physics": {
            "enabled": nodes > 0,
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
                "enabled": True,
                "iterations": layout_steps(nodes),
                "updateInterval": 50,
                "fit": True,
            },
        },
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
            "scaling": {"min": 8, "max": 34, "label": {"enabled": True, "min": 12, "max": 22}},
            "font": {
                "face": "system-ui, sans-serif",
                "color": "#1a202c",
                "strokeWidth": 4,
                "strokeColor": "#ffffff",
            },
        },
        "edges": {
            "scaling": {"min": 1, "max": 5, "label": {"enabled": False}},
            "font": {
                "size": 10,
                "face": "system-ui, sans-serif",
                "color": "#4a5568",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
                "align": "horizontal",
            },
            "arrows": {"to": {"scaleFactor": 0.55}},
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


def _network(graph: nx.Graph, pagerank: Mapping, large: bool):
    """The pyvis Network of a projection: styled nodes and edges with tooltip data."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    incident: dict[Hashable, list[Mapping]] = defaultdict(list)
    for u, v, *rest in _edge_tuples(graph):
        incident[u].append(rest[-1])
        incident[v].append(rest[-1])
    degree = dict(graph.degree())

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
        net.add_node(
            str(node),
            label=_short(label),
            shape=category.shape,
            color={
                "background": category.color,
                "border": "#1a202c",
                "highlight": {"background": category.color, "border": "#000000"},
                "hover": {"background": category.color, "border": "#000000"},
            },
            value=rank,
            cat=category.key,
            tip=_tip(label, rows, quotes),
        )

    curves = _smooth(graph, large)
    labels = {n: _text(graph.nodes[n].get("label")) or _local(n) for n in graph}
    arrow = "\u2192" if graph.is_directed() else "\u2014"
    ordered = sorted(_edge_tuples(graph), key=lambda e: tuple(map(str, e[:-1])))
    # one label per pair and relation ("talks \u00d73"): parallel edges would stack their labels
    same: dict[tuple, int] = defaultdict(int)
    pair_edges: dict[tuple, int] = defaultdict(int)
    # a handful of big nodes needs longer edges, or their labels land on each other
    room = SPRING_LENGTH * (1 + 8 / (graph.number_of_nodes() + 4))
    for u, v, *rest in ordered:
        same[(*sorted((str(u), str(v))), relation_text(rest[-1]))] += 1
        pair_edges[tuple(sorted((str(u), str(v))))] += 1
    labelled: set[tuple] = set()
    springs: set[tuple] = set()
    for i, (u, v, *rest) in enumerate(ordered):
        data = rest[-1]
        sign_key, sign_label, colour = SIGNS[_sign_of(data)]
        relation = relation_text(data)
        group = (*sorted((str(u), str(v))), relation)
        shown = ""
        if group not in labelled:
            labelled.add(group)
            shown = relation + (f" \u00d7{same[group]}" if same[group] > 1 else "")
        weight = int(data.get("weight") or len(data.get("facts") or ()) or 1)
        quotes = _quote_items(data.get("quotes") or ())
        # one spring per pair of nodes, shorter the more edges the pair has: thirty parallel
        # springs would pull two states into one spot, none at all would scatter them
        spring = group[:2] not in springs
        springs.add(group[:2])
        extra = {"length": round(room / pair_edges[group[:2]] ** 0.5)} if spring else {}
        net.add_edge(
            str(u),
            str(v),
            id=f"e{i}",
            label=shown,
            relation=shown,
            sign=sign_key,
            color={"color": colour, "highlight": colour, "hover": colour, "opacity": 0.8},
            value=weight,
            arrows={"to": {"enabled": graph.is_directed()}},
            smooth=curves[(u, v, *rest[:-1])],
            physics=spring,
            **extra,
            tip=_tip(
                f"{labels[u]} {arrow} {relation} {arrow} {labels[v]}",
                _edge_rows(data, sign_label, weight),
                quotes,
            ),
        )
    return net


def _edge_rows(data: Mapping, sign_label: str, weight: int) -> list[tuple[str, str]]:
    """Tooltip rows of an edge; the attributes a projection has are shown, the others skipped."""
    about = _text(data.get("subject_label") or data.get("label"))
    kind = _text(data.get("subject_type") or data.get("type"))
    rate = data.get("rate")
    episodes = [
        f"{SIGNS[_sign_of(ep)][1].lower()}: {', '.join(map(str, ep.get('labels') or ep.get('subjects') or ()))}"
        for ep in data.get("episodes") or ()
    ]
    return [
        ("about", f"{about} ({_words(kind)})" if about and kind else about),
        ("sign", sign_label.lower() + (f" (score {data['score']})" if data.get("score") is not None else "")),
        ("date", _text(data.get("date"))),
        (
            "rate",
            f"{rate:g}%" + (f" ({data.get('rate_kind')})" if data.get("rate_kind") else "")
            if isinstance(rate, int | float)
            else "",
        ),
        ("status", _text(data.get("status"))),
        ("products", ", ".join(map(str, data.get("products") or ()))),
        ("episodes", "; ".join(episodes)),
        ("independent origins", str(weight)),
        ("facts", str(len(data.get("facts") or ()))),
    ]


def graph_page(
    graph: nx.Graph,
    title: str = "Trade-dispute graph",
    subtitle: str = "",
    pagerank: Mapping[Hashable, float] | None = None,
    max_nodes: int = MAX_NODES,
) -> tuple[str, list[str], nx.Graph]:
    """The self-contained HTML page of a graph, without writing anything.

    Args:
        graph: any networkx graph with the projection attributes (node ``label``, ``type``;
            edge ``relation``, ``sign``, ``date``, ``weight``, ``facts``, ``quotes``).
        title: page heading (shown as text).
        subtitle: one line under the heading (shown as text).
        pagerank: node -> PageRank for node sizes; computed with kg.analysis.metrics when omitted.
        max_nodes: draw at most this many nodes (those of highest PageRank).

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
    large = graph.number_of_nodes() > LARGE_GRAPH
    if large:
        warnings.append(
            f"{graph.number_of_nodes()} nodes: the layout runs {layout_steps(graph.number_of_nodes())} "
            "steps, edges are straight and their labels start hidden (tick 'relation labels')"
        )
    if graph.number_of_nodes() == 0:
        warnings.append("the view is empty: nothing matches these options")
    net = _network(graph, pagerank, large)
    net.options = _options(large, graph.number_of_nodes())

    counts = defaultdict(int)
    for node in net.nodes:
        counts[node["cat"]] += 1
    sign_counts = defaultdict(int)
    for edge in net.edges:
        sign_counts[edge["sign"]] += 1
    env = _environment()
    env.globals.update(
        title=title,
        subtitle=subtitle,
        legend=[(c, counts[c.key]) for c in CATEGORIES if counts[c.key]],
        sign_legend=[(key, text, colour, sign_counts[key]) for key, text, colour in SIGNS.values()],
        edge_labels=not large,
        warnings=warnings,
        vis_js=_vis_asset("vis-network.min.js"),
        vis_css=_vis_asset("vis-network.css"),
        vis_options=net.options,
    )
    net.templateEnv = env
    net.path = "kg-graph.html"
    return net.generate_html(), warnings, graph


def render_graph(
    graph: nx.Graph,
    output: Path | str,
    title: str = "Trade-dispute graph",
    subtitle: str = "",
    pagerank: Mapping[Hashable, float] | None = None,
    max_nodes: int = MAX_NODES,
) -> VizResult:
    """Write the page of a graph to output (atomically) and say what it holds.

    Args:
        graph: a projection (see graph_page).
        output: the HTML file to write; its folder is created.
        title: page heading.
        subtitle: one line under the heading.
        pagerank: node sizes; computed with kg.analysis.metrics when omitted.
        max_nodes: draw at most this many nodes.

    Returns:
        A VizResult with the path, the node and edge counts drawn, and warnings.

    Example:
        >>> from kg.store import open_store
        >>> render_graph(projection(open_store("build"), "state"), "build/graph.html").nodes
        4
    """
    html, warnings, drawn = graph_page(graph, title, subtitle, pagerank, max_nodes)
    path = write_atomic(output, html)
    return VizResult(path, drawn.number_of_nodes(), drawn.number_of_edges(), warnings)


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
        VizResult(path=PosixPath('build/japan.html'), nodes=12, edges=110, warnings=[])
    """
    if min_origins < 1:
        raise KgError(f"--min-origins must be 1 or more, not {min_origins}")
    graph = projection(store, view, as_of)
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
    return render_graph(graph, output, heading, " \u00b7 ".join(parts), max_nodes=max_nodes)


# ---------------------------------------------------------------------------------------------
# the timeline page


TIMELINE_COLUMNS: dict[str, str] = {
    "date": "date",
    "dyad": "dyad",
    "measure_label": "measure",
    "event": "event",
    "rate": "rate (%)",
    "rate_kind": "kind",
    "status": "status",
    "detail": "detail",
    "modality": "modality",
    "article_id": "article",
    "quote": "quote",
}
"""Columns of the timeline table (kg.analysis.timeline row keys -> headings); IRIs stay in the rows."""


def timeline_page(
    rows: list[Mapping], png: bytes, title: str = "Trade measures over time", subtitle: str = ""
) -> str:
    """The HTML page of the timeline: the chart as a data: URI, then the rows as a table.

    Args:
        rows: kg.analysis.timeline.timeline_rows output (dicts; their keys become columns).
        png: the chart (kg.analysis.timeline.timeline_png output, read as bytes).
        title: page heading.
        subtitle: one line under the heading.

    Returns:
        The HTML text.
    """
    present = {k for row in rows for k in row}
    columns = [c for c in TIMELINE_COLUMNS if c in present]
    if not columns:  # rows of some other shape: show every key
        columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    env = _environment()
    return env.get_template("kg-timeline.html").render(
        title=title,
        subtitle=subtitle,
        columns=[TIMELINE_COLUMNS.get(c, c) for c in columns],
        cells=cells,
        chart="data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else "",
    )


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, str) and "://" in value:
        return _local(value)
    return _text(value).replace(" -> ", " \u2192 ")  # dyads: an arrow that does not wrap


def write_timeline(
    store,
    output: Path | str,
    as_of: str | date | None = None,
    title: str | None = None,
) -> Path:
    """Write the timeline page of the measures (chart and table) to output, atomically.

    Args:
        store: an open pyoxigraph store.
        output: the HTML file to write.
        as_of: only what is known on this date.
        title: page heading.

    Returns:
        The path written.

    Example:
        >>> from kg.store import open_store
        >>> write_timeline(open_store("build"), "build/timeline.html")
        PosixPath('build/timeline.html')
    """
    from kg.analysis.timeline import timeline_png, timeline_rows

    rows = timeline_rows(store, as_of=as_of)
    with tempfile.TemporaryDirectory(prefix="kg-timeline-") as tmp:
        png_path = timeline_png(rows, Path(tmp) / "timeline.png")
        png = Path(png_path).read_bytes()
    subtitle = f"{len(rows)} rows" + (f" \u00b7 as of {as_of}" if as_of else "")
    html = timeline_page(rows, png, title or "Trade measures over time", subtitle)
    return write_atomic(output, html)


# ---------------------------------------------------------------------------------------------
# plumbing


def _vis_asset(name: str):
    """vis-network's bundled file from the pyvis package, to inline in the page."""
    import pyvis
    from markupsafe import Markup

    text = (Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / name).read_text(
        encoding="utf-8"
    )
    if "</script" in text.lower() or "</style" in text.lower():  # would end the element early
        raise KgError(f"pyvis's {name} cannot be inlined safely")
    return Markup(text)


def _environment():
    from jinja2 import DictLoader, Environment, StrictUndefined

    env = Environment(
        loader=DictLoader(
            {
                "kg-page.html": PAGE_TEMPLATE,
                "kg-graph.html": GRAPH_TEMPLATE,
                "kg-timeline.html": TIMELINE_TEMPLATE,
            }
        ),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["legend_icon"] = legend_icon
    return env


_SHAPES: dict[str, Callable[[str], str]] = {
    "dot": lambda c: f'<circle cx="8" cy="8" r="6" fill="{c}" stroke="#1a202c"/>',
    "diamond": lambda c: f'<polygon points="8,1 15,8 8,15 1,8" fill="{c}" stroke="#1a202c"/>',
    "square": lambda c: f'<rect x="2" y="2" width="12" height="12" fill="{c}" stroke="#1a202c"/>',
    "triangle": lambda c: f'<polygon points="8,1 15,14 1,14" fill="{c}" stroke="#1a202c"/>',
    "triangleDown": lambda c: f'<polygon points="1,2 15,2 8,15" fill="{c}" stroke="#1a202c"/>',
    "hexagon": lambda c: (
        f'<polygon points="4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8" fill="{c}" stroke="#1a202c"/>'
    ),
}


def legend_icon(category: Category):
    """A small SVG of the node shape and colour, for the legend (only our own constants)."""
    from markupsafe import Markup

    return Markup(
        f'<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{_SHAPES[category.shape](category.color)}</svg>'
    )


# Both pages share their head (strict Content-Security-Policy: nothing is fetched, only inline
# script and style; a page adds script-src only if it runs a script), header and base style.
PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; {% block csp %}{% endblock %}style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>{{ title }}</title>
{% block head %}{% endblock %}<style>
  :root { --ink:#1a202c; --muted:#4a5568; --line:#e2e8f0; --panel:#f7fafc; }
  * { box-sizing: border-box; }
  html, body { margin:0; height:100%; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); }
  header { padding:10px 18px 8px; border-bottom:1px solid var(--line); }
  header h1 { font-size:19px; margin:0 0 2px; font-weight:650; }
  header p { margin:0; color:var(--muted); font-size:13px; }
  .warn { background:#fffaf0; border:1px solid #f6ad55; color:#7b341e; padding:6px 8px; border-radius:4px; font-size:12.5px; margin:0 0 10px; }
{% block style %}{% endblock %}</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p>{{ subtitle }}</p>
</header>
{% block body %}{% endblock %}</body>
</html>
"""

GRAPH_TEMPLATE = """{% extends "kg-page.html" %}
{% block csp %}script-src 'unsafe-inline'; {% endblock %}
{% block head %}<style>{{ vis_css }}</style>
{% endblock %}
{% block style %}  body { display:flex; flex-direction:column; }
  main { flex:1; display:flex; min-height:0; }
  aside { width:270px; flex:none; overflow-y:auto; padding:12px 14px; background:var(--panel); border-right:1px solid var(--line); font-size:13.5px; }
  aside h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:14px 0 6px; }
  aside h2:first-child { margin-top:0; }
  aside label { display:flex; align-items:center; gap:7px; padding:2px 0; cursor:pointer; }
  aside label .n { margin-left:auto; color:var(--muted); font-variant-numeric:tabular-nums; }
  aside select, aside button { width:100%; font:inherit; padding:4px 6px; margin:2px 0 4px; }
  .line { display:inline-block; width:22px; height:0; border-top:3px solid; }
  .hint { color:var(--muted); font-size:12.5px; line-height:1.4; }
  #kg-stage { flex:1; min-width:0; position:relative; }
  #mynetwork { position:absolute; inset:0; background:#ffffff; outline:none; }
  #mynetwork *:focus { outline:none; }
  #kg-progress { position:absolute; z-index:5; top:12px; left:12px; padding:4px 10px; border-radius:4px;
    background:#edf2f7; color:var(--muted); font-size:13px; }
  div.vis-tooltip { max-width:440px; white-space:normal; font-family:inherit; font-size:13px; line-height:1.35;
    padding:8px 10px; background:#ffffff; border:1px solid #a0aec0; border-radius:5px; box-shadow:0 3px 10px rgba(0,0,0,.18); color:var(--ink); }
  .tip-h { font-weight:650; margin-bottom:4px; }
  .tip-r { color:var(--muted); } .tip-r b { color:var(--ink); font-weight:600; }
  .tip-q { margin:6px 0 0; padding-left:8px; border-left:3px solid #cbd5e0; font-style:italic; }
  .tip-s { display:block; font-style:normal; color:var(--muted); font-size:11.5px; }
{% endblock %}
{% block body %}<main>
<aside>
  {% for w in warnings %}<p class="warn">{{ w }}</p>{% endfor %}
  <h2>Find</h2>
  <select id="kg-find" aria-label="Focus on a node"><option value="">Focus on a node\u2026</option></select>
  <label><input type="checkbox" id="kg-neighbours"> only it and its neighbours</label>
  <button type="button" id="kg-reset">Show everything</button>
  <h2>Nodes <span class="hint">(size: PageRank)</span></h2>
  {% for c, n in legend %}
  <label><input type="checkbox" class="kg-cat" value="{{ c.key }}" checked>{{ legend_icon(c) }} {{ c.label }}<span class="n">{{ n }}</span></label>
  {% endfor %}
  <h2>Edges <span class="hint">(width: independent origins)</span></h2>
  {% for key, text, colour, n in sign_legend %}
  <label><input type="checkbox" class="kg-sign" value="{{ key }}" checked><span class="line" style="border-color: {{ colour }}"></span> {{ text }}<span class="n">{{ n }}</span></label>
  {% endfor %}
  <label><input type="checkbox" id="kg-labels"{% if edge_labels %} checked{% endif %}> relation labels</label>
  <h2>Help</h2>
  <p class="hint">Hover a node or an edge to see its dates and the article quotes behind it.
  Drag to move, scroll to zoom; click a node to highlight its links.</p>
</aside>
<div id="kg-stage"><div id="mynetwork"></div><div id="kg-progress">Laying out the graph\u2026</div></div>
</main>
<script>{{ vis_js }}</script>
<script>
(function () {
  "use strict";
  var nodeData = {{ nodes|tojson }};
  var edgeData = {{ edges|tojson }};
  var options = {{ vis_options|tojson }};

  // Tooltips are built from text nodes only: article text can never become markup.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function tipElement(tip) {
    var box = el("div");
    box.appendChild(el("div", "tip-h", tip.heading));
    tip.rows.forEach(function (r) {
      var row = el("div", "tip-r");
      row.appendChild(el("b", null, r[0] + ": "));
      row.appendChild(document.createTextNode(r[1]));
      box.appendChild(row);
    });
    tip.quotes.forEach(function (q) {
      var p = el("p", "tip-q", "\u201c" + q.text + "\u201d");
      p.appendChild(el("span", "tip-s", q.source));
      box.appendChild(p);
    });
    if (tip.more) { box.appendChild(el("div", "tip-r", "\u2026 and " + tip.more + " more")); }
    return box;
  }
  nodeData.forEach(function (n) { n.title = tipElement(n.tip); });
  edgeData.forEach(function (e) { e.title = tipElement(e.tip); if (!document.getElementById("kg-labels").checked) { e.label = ""; } });

  var nodes = new vis.DataSet(nodeData);
  var edges = new vis.DataSet(edgeData);
  var container = document.getElementById("mynetwork");
  var progress = document.getElementById("kg-progress");
  window.kgStart = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.network = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;
  window.kgReady = false;

  function settled() {
    network.setOptions({physics: {enabled: false}});  // settle once, then stay still and responsive
    network.fit({maxZoomLevel: 1.6});  // small graphs fill the page instead of sitting at zoom 1
    progress.style.display = "none";
    window.kgSettledMs = Math.round(performance.now() - window.kgStart);
    window.kgReady = true;
  }
  if (nodeData.length === 0 || !options.physics.enabled) { settled(); }
  else {
    network.on("stabilizationProgress", function (p) {
      progress.textContent = "Laying out the graph\u2026 " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", settled);
  }

  var find = document.getElementById("kg-find");
  nodeData.slice().sort(function (a, b) { return String(a.label).localeCompare(String(b.label)); })
    .forEach(function (n) { var o = el("option", null, n.label); o.value = n.id; find.appendChild(o); });

  function checked(cls) {
    var out = {};
    document.querySelectorAll("input." + cls).forEach(function (box) { out[box.value] = box.checked; });
    return out;
  }
  function applyFilters() {
    var cats = checked("kg-cat"), signs = checked("kg-sign");
    var only = document.getElementById("kg-neighbours").checked && find.value;
    var keep = null;
    if (only) { keep = {}; keep[find.value] = true; network.getConnectedNodes(find.value).forEach(function (id) { keep[id] = true; }); }
    nodes.update(nodeData.map(function (n) { return {id: n.id, hidden: cats[n.cat] === false || (keep !== null && !keep[n.id])}; }));
    var labels = document.getElementById("kg-labels").checked;
    edges.update(edgeData.map(function (e) { return {id: e.id, hidden: signs[e.sign] === false, label: labels ? e.relation : ""}; }));
  }
  document.querySelectorAll("aside input").forEach(function (box) { box.addEventListener("change", applyFilters); });
  find.addEventListener("change", function () {
    applyFilters();
    if (find.value) {
      network.selectNodes([find.value]);
      network.focus(find.value, {scale: 1.1, animation: {duration: 400}});
    }
  });
  document.getElementById("kg-reset").addEventListener("click", function () {
    document.querySelectorAll("aside input.kg-cat, aside input.kg-sign").forEach(function (box) { box.checked = true; });
    document.getElementById("kg-neighbours").checked = false;
    find.value = "";
    applyFilters();
    network.unselectAll();
    network.fit({maxZoomLevel: 1.6, animation: {duration: 400}});
  });
})();
</script>
{% endblock %}
"""

TIMELINE_TEMPLATE = """{% extends "kg-page.html" %}
{% block style %}  section { padding:14px 18px; }
  img { max-width:100%; height:auto; border:1px solid var(--line); }
  table { border-collapse:collapse; font-size:13px; margin-top:10px; }
  th, td { border-bottom:1px solid var(--line); padding:4px 10px 4px 0; text-align:left; vertical-align:top; }
  td:first-child { white-space:nowrap; }
  td:last-child { max-width:34em; font-style:italic; }
  th { color:var(--muted); font-weight:600; }
{% endblock %}
{% block body %}<section>
  {% if chart %}<img src="{{ chart }}" alt="Timeline of trade measures">{% endif %}
  <table>
    <thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for row in cells %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
    {% endfor %}
    </tbody>
  </table>
</section>
{% endblock %}
"""
