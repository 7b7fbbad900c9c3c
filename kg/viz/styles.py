"""How the pages draw things: the colour-blind-safe palette, node groups and shapes, edge signs and dashes.

Colours come from the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), which
stays distinguishable under the common colour-vision deficiencies; nothing relies on colour
alone: node groups also differ by shape, and conflict edges are dashed (neutral ones dotted).
Every colour a page draws is one of these constants, so the legend can show each of them once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from kg.rdf.vocabulary import vocabulary

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
"""The eight colours of the Okabe-Ito palette."""

GREY = "#999999"
"""Neutral edges and the "other" nodes: a grey, outside the palette's hues on purpose."""

BORDER = "#1a202c"
"""The outline of every node shape (also drawn around the legend's icons)."""


@dataclass(frozen=True)
class Category:
    """How a group of classes is drawn: legend text, fill colour and vis-network shape."""

    key: str
    label: str
    color: str
    shape: str


CATEGORIES: tuple[Category, ...] = (
    Category("state", "State", OKABE_ITO["blue"], "dot"),
    Category("person", "Person", OKABE_ITO["orange"], "diamond"),
    Category("agency", "Agency, office or outlet", OKABE_ITO["reddish purple"], "square"),
    Category("measure", "Trade measure", OKABE_ITO["yellow"], "triangle"),
    Category("event", "Event", OKABE_ITO["sky blue"], "hexagon"),
    Category("agreement", "Agreement or dispute", OKABE_ITO["black"], "triangleDown"),
    Category("other", "Product, place or other", "#DDDDDD", "star"),
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


@dataclass(frozen=True)
class Sign:
    """How the edges of one sign are drawn: legend text, colour and dash pattern (False: solid)."""

    key: str
    label: str
    color: str
    dashes: tuple[int, int] | bool


SIGNS: dict[int, Sign] = {
    1: Sign("cooperation", "Cooperation", OKABE_ITO["bluish green"], False),
    -1: Sign("conflict", "Conflict", OKABE_ITO["vermillion"], (10, 6)),
    0: Sign("neutral", "Neutral", GREY, (2, 5)),
}
"""Edge sign (+1, -1, 0) -> how it is drawn."""


def drawn_colours() -> set[str]:
    """Every fill and line colour a graph page may draw (the legend shows each one it uses).

    Example:
        >>> len(drawn_colours()), BORDER in drawn_colours()
        (11, True)
    """
    return {c.color for c in CATEGORIES} | {s.color for s in SIGNS.values()} | {BORDER}


_SHAPES: dict[str, Callable[[str], str]] = {
    "dot": lambda c: f'<circle cx="8" cy="8" r="6" fill="{c}" stroke="{BORDER}"/>',
    "diamond": lambda c: f'<polygon points="8,1 15,8 8,15 1,8" fill="{c}" stroke="{BORDER}"/>',
    "square": lambda c: f'<rect x="2" y="2" width="12" height="12" fill="{c}" stroke="{BORDER}"/>',
    "triangle": lambda c: f'<polygon points="8,1 15,14 1,14" fill="{c}" stroke="{BORDER}"/>',
    "triangleDown": lambda c: f'<polygon points="1,2 15,2 8,15" fill="{c}" stroke="{BORDER}"/>',
    "hexagon": lambda c: (
        f'<polygon points="4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8" fill="{c}" stroke="{BORDER}"/>'
    ),
    "star": lambda c: (
        f'<polygon points="8,0.5 10,6 15.5,6 11,9.5 12.8,15 8,11.6 3.2,15 5,9.5 0.5,6 6,6" fill="{c}" stroke="{BORDER}"/>'
    ),
}


def legend_icon(category: Category) -> Markup:
    """A small SVG of the node shape and colour, for the legend (only our own constants).

    Example:
        >>> str(legend_icon(CATEGORY["state"]))[:40]
        '<svg class="kg-icon" width="16" height="'
    """
    return Markup(
        f'<svg class="kg-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{_SHAPES[category.shape](category.color)}</svg>'
    )


def sign_swatch(sign: Sign) -> Markup:
    """A short line in the sign's colour and dash pattern, for the legend.

    Example:
        >>> 'stroke-dasharray="10 6"' in sign_swatch(SIGNS[-1])
        True
    """
    dash = f' stroke-dasharray="{sign.dashes[0]} {sign.dashes[1]}"' if sign.dashes else ""
    return Markup(
        f'<svg class="kg-icon" width="30" height="10" viewBox="0 0 30 10" aria-hidden="true">'
        f'<line x1="1" y1="5" x2="29" y2="5" stroke="{sign.color}" stroke-width="3"{dash}/></svg>'
    )
