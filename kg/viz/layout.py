"""A force-directed layout computed before the page is written, for graphs too large to lay out in a browser.

Fruchterman and Reingold's spring embedder with its grid variant (their section 4): a node is
pushed exactly by the nodes within one and a half ideal edge lengths, found with a k-d tree, and by
the rest only through the centres of mass of the cells of a coarse grid (as Barnes and Hut
do with a tree), so one step costs about n log n + n * cells instead of n squared. networkx's spring_layout needed 112 s for 5,000 nodes and
10,000 edges on this project's machine; this one needs about a second (docs/viz.md). The
result depends only on the graph and the seed.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np


def force_layout(
    graph: nx.Graph, seed: int = 7, iterations: int = 50, scale: float = 100.0
) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node, in pixels at zoom 1, ``scale`` apart along an edge on average.

    Args:
        graph: any networkx graph (directions and parallel edges are ignored).
        seed: the random start; the same graph and seed give the same positions.
        iterations: spring steps; the step size cools linearly to zero.
        scale: the ideal distance between two joined nodes.

    Returns:
        node -> (x, y), rounded to a tenth of a pixel.

    Example:
        >>> pos = force_layout(nx.path_graph(3))
        >>> sorted(pos) == [0, 1, 2] and pos == force_layout(nx.path_graph(3))
        True
    """
    from scipy.spatial import cKDTree

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = {tuple(sorted((index[u], index[v]))) for u, v in graph.edges() if u != v}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    side = np.sqrt(n)
    pos = rng.uniform(-side / 2, side / 2, size=(n, 2))
    k = 1.0  # ideal edge length: the layout fills about one unit of area per node
    temperature = side / 8
    for step in range(iterations):
        disp = np.zeros((n, 2))
        close = cKDTree(pos).query_pairs(1.5 * k, output_type="ndarray")
        if len(close):
            i, j = close[:, 0], close[:, 1]
            delta = pos[i] - pos[j]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-3)
            push = (delta / dist[:, None]) * (k * k / dist)[:, None]
            disp += _summed(i, push, n) - _summed(j, push, n)
        if len(edges):
            u, v = edges[:, 0], edges[:, 1]
            delta = pos[u] - pos[v]
            dist = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-3)
            pull = delta * (dist / k)[:, None]  # (delta / dist) * dist^2 / k
            disp += _summed(v, pull, n) - _summed(u, pull, n)
        disp += _far_push(pos, k)
        disp -= 0.5 * pos  # gravity holds the layout to about sqrt(n) across, components together
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        limit = temperature * (1 - step / iterations) + 0.01
        pos += disp / length[:, None] * np.minimum(length, limit)[:, None]
    pos -= pos.mean(axis=0)
    return {
        node: (round(float(x * scale), 1), round(float(y * scale), 1))
        for node, (x, y) in zip(nodes, pos, strict=True)
    }


def _summed(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """values summed per index into an (n, 2) array (bincount: far faster than np.add.at)."""
    return np.stack(
        [np.bincount(index, values[:, 0], minlength=n), np.bincount(index, values[:, 1], minlength=n)], axis=1
    )


GRID = 12
"""Cells per side of the coarse grid whose centres of mass push the nodes from afar."""


def _far_push(pos: np.ndarray, k: float) -> np.ndarray:
    """The repulsion of every node by the centres of mass of the grid's cells (k^2 * mass / distance)."""
    low, high = pos.min(axis=0), pos.max(axis=0)
    size = np.maximum((high - low) / GRID, 1e-9)
    cell = np.minimum(((pos - low) / size).astype(np.int64), GRID - 1)
    flat = cell[:, 0] * GRID + cell[:, 1]
    mass = np.bincount(flat, minlength=GRID * GRID)
    full = mass > 0
    centre = _summed(flat, pos, GRID * GRID)[full] / mass[full][:, None]
    mass = mass[full].astype(float)
    near = max(1.5 * k, float(size.max()))  # closer than that the exact push already counts
    # |p - c|^2 = |p|^2 + |c|^2 - 2 p.c: two matrix products instead of an (n, cells, 2) array
    dist2 = (pos * pos).sum(axis=1)[:, None] + (centre * centre).sum(axis=1)[None, :] - 2 * pos @ centre.T
    weight = np.where(dist2 > near * near, mass / np.maximum(dist2, 1e-9), 0.0)
    return k * k * (pos * weight.sum(axis=1)[:, None] - weight @ centre)
