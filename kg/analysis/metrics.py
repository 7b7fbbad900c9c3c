"""Network metrics on the projections: centrality, communities, structural balance, explained paths.

Every function takes a graph made by kg.analysis.project (or a store, for paths) and returns plain values:
a pandas DataFrame, a list of sets, dicts. Results are deterministic: graphs are built in sorted
order, Louvain is seeded, and betweenness is sampled with a fixed seed above a size threshold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import networkx as nx

from kg.analysis.project import AnalysisError, actor_graph, local_name, resolve_actor

BETWEENNESS_EXACT_MAX_NODES = 1000
"""Above this many nodes betweenness is estimated from BETWEENNESS_SAMPLE sampled sources."""
BETWEENNESS_SAMPLE = 100
FRUSTRATION_EXACT_MAX_NODES = 20
"""Components up to this size get the exact frustration index (2^(n-1) bipartitions, vectorised)."""
SEED = 42


def _simple_undirected(graph: nx.Graph, keep=lambda data: True) -> nx.Graph:
    """Collapse a (multi, directed) graph to a simple undirected one, summing kept edge weights."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        if u == v or not keep(data):
            continue
        w = data.get("weight", 1)
        if simple.has_edge(u, v):
            simple[u][v]["weight"] += w
        else:
            simple.add_edge(u, v, weight=w)
    return simple


def pagerank(graph: nx.Graph) -> dict:
    """Weighted PageRank of every node: along the edges' ``weight`` (independent origins),
    directed when the graph is; uniform when no edge weighs anything.

    Example:
        >>> from kg.analysis.project import state_graph
        >>> max(pagerank(state_graph("build")).items(), key=lambda kv: kv[1])[0].rsplit("/", 1)[1]
        'japan'
    """
    if graph.number_of_edges() and sum(d.get("weight", 1) for _, _, d in graph.edges(data=True)) > 0:
        return nx.pagerank(graph, weight="weight")
    return {n: 1 / graph.number_of_nodes() for n in graph}


def centrality(graph: nx.Graph):
    """Degree, weighted PageRank and betweenness of every node.

    degree counts distinct neighbours (parallel edges and direction ignored). PageRank follows
    the edges' ``weight`` (independent origins), on the directed graph when it is directed.
    Betweenness is computed on the simple undirected graph, unweighted; above
    BETWEENNESS_EXACT_MAX_NODES nodes it is estimated from BETWEENNESS_SAMPLE seeded sources.

    Args:
        graph: a projection (actor_graph, state_graph or measures_graph).

    Returns:
        A DataFrame with columns node, label, type, degree, pagerank, betweenness, sorted by
        PageRank (highest first), then node.

    Example:
        >>> from kg.analysis.project import state_graph
        >>> centrality(state_graph("build")).iloc[0]["label"]
        'Japan'
    """
    import pandas as pd

    columns = ["node", "label", "type", "degree", "pagerank", "betweenness"]
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=columns)
    simple = _simple_undirected(graph)
    ranks = pagerank(graph)
    n = simple.number_of_nodes()
    k = None if n <= BETWEENNESS_EXACT_MAX_NODES else min(BETWEENNESS_SAMPLE, n)
    betweenness = nx.betweenness_centrality(simple, k=k, seed=SEED, normalized=True)
    rows = [
        {
            "node": node,
            "label": data.get("label", local_name(node)),
            "type": data.get("type"),
            "degree": simple.degree(node),
            "pagerank": round(ranks.get(node, 0.0), 6),
            "betweenness": round(betweenness.get(node, 0.0), 6),
        }
        for node, data in graph.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["pagerank"], r["node"]))
    return pd.DataFrame(rows, columns=columns)


def communities(graph: nx.Graph, seed: int = SEED) -> list[set]:
    """Blocs: Louvain communities of the graph's cooperative and neutral ties.

    Conflict edges (sign -1) are dropped first: being in conflict does not make two actors a
    bloc. Edge weights (independent origins) are summed over parallel edges.

    Args:
        graph: a projection (actor_graph, state_graph or measures_graph).
        seed: the Louvain random seed; the same seed gives the same communities.

    Returns:
        Sets of node ids, largest first (ties broken by their smallest node id).

    Example:
        >>> from kg.analysis.project import state_graph
        >>> [sorted(c) for c in communities(state_graph("build"))]
        [['https://w3id.org/trade-dispute/id/china', 'https://w3id.org/trade-dispute/id/japan',
          'https://w3id.org/trade-dispute/id/south-korea', 'https://w3id.org/trade-dispute/id/united-states']]
    """
    simple = _simple_undirected(graph, keep=lambda d: d.get("sign", 0) >= 0)
    if simple.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(simple, weight="weight", seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


# ------------------------------------------------------------------ structural balance


def _edge_record(graph: nx.Graph, a: str, b: str) -> dict:
    data = graph.edges[a, b]
    return {
        "a": a,
        "b": b,
        "a_label": graph.nodes[a].get("label", local_name(a)),
        "b_label": graph.nodes[b].get("label", local_name(b)),
        "sign": data["sign"],
        "score": data.get("score"),
        "weight": data.get("weight"),
        "facts": data.get("facts", []),
        "episodes": data.get("episodes", []),
    }


def triads(graph: nx.Graph) -> list[dict]:
    """Every triangle of signed (non-zero) edges, classified balanced or unbalanced.

    A triad is balanced when the product of its three signs is positive (friend of a friend is a
    friend; enemy of an enemy is a friend), unbalanced otherwise.

    Returns:
        Dicts with nodes, labels, signs, balanced and edges (each with its facts and episodes),
        in sorted node order.
    """
    adjacency: dict[str, set[str]] = defaultdict(set)
    for u, v, data in graph.edges(data=True):
        if u != v and data.get("sign", 0) != 0:
            adjacency[u].add(v)
            adjacency[v].add(u)
    out = []
    for u in sorted(adjacency):
        for v in sorted(w for w in adjacency[u] if w > u):
            for w in sorted(x for x in adjacency[u] & adjacency[v] if x > v):
                edges = [_edge_record(graph, a, b) for a, b in ((u, v), (v, w), (u, w))]
                product = edges[0]["sign"] * edges[1]["sign"] * edges[2]["sign"]
                out.append(
                    {
                        "nodes": [u, v, w],
                        "labels": [graph.nodes[n].get("label", local_name(n)) for n in (u, v, w)],
                        "signs": [e["sign"] for e in edges],
                        "balanced": product > 0,
                        "edges": edges,
                    }
                )
    return out


def _frustration_exact(nodes: list[str], edges: list[tuple[str, str, int]]) -> tuple[int, set[str]]:
    import numpy as np

    index = {n: i for i, n in enumerate(nodes)}
    # node 0 stays on side 0; every other node's side is one bit of the mask
    masks = np.arange(2 ** (len(nodes) - 1), dtype=np.int64)
    sides = [np.zeros_like(masks)] + [(masks >> i) & 1 for i in range(len(nodes) - 1)]
    cost = np.zeros_like(masks)
    for u, v, sign in edges:
        apart = sides[index[u]] != sides[index[v]]
        cost += apart if sign > 0 else ~apart
    best = int(np.argmin(cost))  # argmin takes the first minimum: deterministic
    side = {n: int(sides[index[n]][best]) for n in nodes}
    return int(cost[best]), {n for n, s in side.items() if s == 1}


def _frustration_local(nodes: list[str], edges: list[tuple[str, str, int]]) -> tuple[int, set[str]]:
    import random

    neighbours: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for u, v, s in edges:
        neighbours[u].append((v, s))
        neighbours[v].append((u, s))

    def cost(side: dict[str, int]) -> int:
        return sum(1 for u, v, s in edges if (side[u] != side[v]) == (s > 0))

    rng = random.Random(SEED)
    best_cost, best_side = None, None
    for restart in range(8):
        order = list(nodes)
        if restart:
            rng.shuffle(order)
        side: dict[str, int] = {}
        for start in order:  # follow signs breadth-first: friends together, enemies apart
            if start in side:
                continue
            side[start] = 0
            queue = [start]
            while queue:
                x = queue.pop()
                for y, s in neighbours[x]:
                    if y not in side:
                        side[y] = side[x] if s > 0 else 1 - side[x]
                        queue.append(y)
        improved = True
        while improved:  # move single nodes while that lowers the count
            improved = False
            for x in order:
                gain = sum(1 if (side[x] != side[y]) == (s > 0) else -1 for y, s in neighbours[x])
                if gain > 0:
                    side[x] = 1 - side[x]
                    improved = True
        c = cost(side)
        if best_cost is None or c < best_cost:
            best_cost, best_side = c, dict(side)
    return best_cost or 0, {n for n, s in best_side.items() if s == 1}


def frustration(graph: nx.Graph) -> dict:
    """The frustration index: the fewest signed edges whose removal makes the graph balanced.

    Computed per connected component of the signed (non-zero) edges: exactly for components of
    at most FRUSTRATION_EXACT_MAX_NODES nodes, else by seeded local search (an upper bound).

    Returns:
        {"frustration_index", "exact", "groups" (two sorted node lists: the best split into
        camps), "frustrated_edges" (edges against that split: positive across, negative within)}.
    """
    signed = nx.Graph()
    for u, v, data in graph.edges(data=True):
        if u != v and data.get("sign", 0) != 0:
            signed.add_edge(u, v, sign=data["sign"])
    total, exact, camp = 0, True, set()
    for component in sorted((sorted(c) for c in nx.connected_components(signed)), key=lambda c: c[0]):
        sub = [(u, v, d["sign"]) for u, v, d in signed.subgraph(component).edges(data=True)]
        sub.sort()
        if len(component) <= FRUSTRATION_EXACT_MAX_NODES:
            cost, side = _frustration_exact(component, sub)
        else:
            cost, side = _frustration_local(component, sub)
            exact = False
        total += cost
        camp |= side
    groups = [sorted(n for n in signed if n not in camp), sorted(camp)]
    frustrated = [
        _edge_record(graph, *sorted((u, v)))
        for u, v, d in sorted(signed.edges(data=True))
        if ((u in camp) != (v in camp)) == (d["sign"] > 0)
    ]
    return {"frustration_index": total, "exact": exact, "groups": groups, "frustrated_edges": frustrated}


def structural_balance(state_graph: nx.Graph) -> dict:
    """Structural balance of the signed state graph: every triad, and the frustration index.

    Args:
        state_graph: made by kg.analysis.project.state_graph; edges with sign 0 (cooperation and conflict
            weigh the same) take no part.

    Returns:
        {"triads": [...], "balanced": int, "unbalanced": int, "balance_ratio": float or None,
        "frustration_index": int, "exact": bool, "groups": [[...], [...]],
        "frustrated_edges": [...], "nodes": int, "signed_edges": int}. Each triad lists its
        three edges with sign, score, facts and episodes.

    Example:
        >>> from kg.analysis.project import state_graph
        >>> result = structural_balance(state_graph("build"))
        >>> result["unbalanced"], result["frustration_index"]
        (2, 1)
    """
    found = triads(state_graph)
    balanced = sum(1 for t in found if t["balanced"])
    fr = frustration(state_graph)
    return {
        "triads": found,
        "balanced": balanced,
        "unbalanced": len(found) - balanced,
        "balance_ratio": round(balanced / len(found), 6) if found else None,
        **fr,
        "nodes": state_graph.number_of_nodes(),
        "signed_edges": sum(1 for _, _, d in state_graph.edges(data=True) if d.get("sign", 0) != 0),
    }


# ------------------------------------------------------------------ explained paths


REGISTRY_HOP_COST = 1.9
"""Cost of a registry hop (agencyOf, nationality): more than any fact-backed hop, less than two."""


def _hop_graph(graph: nx.MultiDiGraph, include_registry: bool = False) -> nx.Graph:
    """Undirected graph of walkable edges; each pair keeps its best edge (facts, then origins)."""
    hops = nx.Graph()
    hops.add_nodes_from(graph.nodes(data=True))
    for u, v, key, data in graph.edges(keys=True, data=True):
        backed = bool(data.get("facts"))
        if u == v or not (backed or include_registry):
            continue
        rank = (backed, data["weight"], len(data["facts"]), key)
        current = hops.get_edge_data(u, v)
        if current is None or rank > current["rank"]:
            # 1 per hop, plus less than 1 that shrinks with corroboration: fewest hops first,
            # then the best corroborated among equally short paths
            cost = 1 + 1 / (1 + data["weight"]) if backed else REGISTRY_HOP_COST
            hops.add_edge(u, v, rank=rank, cost=cost, source=u, target=v, key=key)
    return hops


_MODALITY_ORDER = {"Asserted": 0, "Reported": 1}


def _citation(quotes: list[dict]) -> dict:
    """The quote to cite for a hop: asserted before reported before the rest, then the shortest."""
    return min(quotes, key=lambda q: (_MODALITY_ORDER.get(q.get("modality"), 2), len(q["quote"]), q["fact"]))


def explained_path(
    store,
    source_key: str,
    target_key: str,
    as_of: str | dt.date | None = None,
    *,
    include_registry: bool = False,
) -> list[dict]:
    """The shortest path between two actors, each hop with the fact and quote that make it.

    Only edges backed by facts are walked, unless include_registry also allows the registry's
    links (an agency's state, a person's nationality), which then cite no fact. Among paths of
    equal length the one whose hops have the most independent origins wins.

    Args:
        store: an open pyoxigraph store, or a build folder.
        source_key: registry key (``pete-hegseth``), IRI or label of the first actor.
        target_key: the same for the last actor.
        as_of: walk the graph as of this date.
        include_registry: also walk registry links (their hops have fact, quote and article
            None and source "registry").

    Returns:
        One dict per hop: from, from_label, to, to_label, direction ("forward" when the edge
        runs from -> to), relation, sign, subject, subject_label, date, weight, fact (the first
        supporting fact), article, article_id, quote, start, end, facts (all supporting facts).
        An empty list when no path exists.

    Raises:
        AnalysisError: an actor is not in the graph.

    Example:
        >>> [h["to_label"] for h in explained_path("build", "pete-hegseth", "li-qiang")]
        ['China', 'Li Qiang']
    """
    graph = actor_graph(store, as_of)
    source = resolve_actor(graph, source_key)
    target = resolve_actor(graph, target_key)
    if source == target:
        raise AnalysisError(f"'{source_key}' and '{target_key}' are the same actor")
    hops = _hop_graph(graph, include_registry)
    try:
        nodes = nx.shortest_path(hops, source, target, weight="cost")
    except nx.NetworkXNoPath:
        return []
    out = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        link = hops.edges[a, b]
        data = graph.edges[link["source"], link["target"], link["key"]]
        quote = (
            _citation(data["quotes"])
            if data["quotes"]
            else dict.fromkeys(("fact", "article", "article_id", "quote", "start", "end"))
        )
        out.append(
            {
                "from": a,
                "from_label": graph.nodes[a]["label"],
                "to": b,
                "to_label": graph.nodes[b]["label"],
                "direction": "forward" if link["source"] == a else "backward",
                "relation": data["relation"],
                "sign": data["sign"],
                "subject": data["subject"],
                "subject_label": data["subject_label"],
                "date": data["date"],
                "weight": data["weight"],
                "fact": quote["fact"],
                "article": quote["article"],
                "article_id": quote["article_id"],
                "quote": quote["quote"],
                "start": quote["start"],
                "end": quote["end"],
                "facts": data["facts"],
                "source": "facts" if data["facts"] else "registry",
            }
        )
    return out
