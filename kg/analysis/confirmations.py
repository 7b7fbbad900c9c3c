"""What ``kg diff`` says of claims beyond their origins: confirmations, and possible copies.

A new article that restates claims other articles made, from an origin they already count
(relaying the same wire story, say), changes no origin count: :func:`kg.analysis.diff.compare` lists
only origin changes, so these *confirmations* are listed here, with the new article count.
Claims that the knowledge layer marks ``tdo:possiblyOneOrigin`` (two of their articles may copy
one story, :mod:`kg.build.copies`) are named so wherever ``kg diff`` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.rdf.namespaces import PREFIXES, PROVENANCE_GRAPH

Quad = tuple[str, str, str, str]
Triple = tuple[str, str, str]

_TDO = PREFIXES["tdo"]
_RDF = PREFIXES["rdf"]
_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
_ORIGIN = f"<{_TDO}independentOrigin>"
_RDF_TYPE = f"<{_RDF}type>"
_FLAG = f"<{_TDO}possiblyOneOrigin>"
POSSIBLY_ONE_ORIGIN = "possibly one origin"
"""How kg claims and kg diff mark a claim whose articles may copy one story."""


def evidence(quads: Iterable[Quad]) -> dict[Triple, tuple[set[str], set[str]]]:
    """(subject, property, value) stated in fact graphs (rdf:type aside) -> its articles and its
    independent origins."""
    quads = list(quads)
    prov = f"<{PROVENANCE_GRAPH}>"
    article_of: dict[str, str] = {}
    origin_of: dict[str, str] = {}
    for s, p, o, g in quads:
        if g == prov:
            if p == _DERIVED:
                article_of[s] = o
            elif p == _ORIGIN:
                origin_of[s] = o
    out: dict[Triple, tuple[set[str], set[str]]] = {}
    for s, p, o, g in quads:
        if g in origin_of and p != _RDF_TYPE:
            articles, origins = out.setdefault((s, p, o), (set(), set()))
            articles.add(article_of.get(g, g))
            origins.add(origin_of[g])
    return out


def possibly_one_origin(quads: Iterable[Quad]) -> set[Triple]:
    """The triples whose claim node the knowledge layer marks ``tdo:possiblyOneOrigin``."""
    flagged: set[str] = set()
    parts: dict[str, dict[str, str]] = {}
    wanted = {f"<{_RDF}{name}>": name for name in ("subject", "predicate", "object")}
    for s, p, o, g in quads:
        if g != "DEFAULT":
            continue
        if p == _FLAG and o.startswith('"true"'):
            flagged.add(s)
        elif p in wanted:
            parts.setdefault(s, {})[wanted[p]] = o
    return {
        (c["subject"], c["predicate"], c["object"])
        for claim in flagged
        if len(c := parts.get(claim, {})) == 3
    }


def copy_pairs(quads: Iterable[Quad]) -> set[tuple[str, str]]:
    """The pairs of article terms (first < second) the build links by ``tdo:possibleCopyOf``."""
    prov, link = f"<{PROVENANCE_GRAPH}>", f"<{_TDO}possibleCopyOf>"
    return {(min(s, o), max(s, o)) for s, p, o, g in quads if p == link and g == prov}


def copies_behind(articles: set[str], pairs: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs of the claim's articles that may copy one story, sorted.

    Example:
        >>> copies_behind({"<a>", "<b>", "<c>"}, {("<a>", "<b>"), ("<c>", "<d>")})
        [('<a>', '<b>')]
    """
    return sorted(p for p in pairs if p[0] in articles and p[1] in articles)


def confirmations(
    before: dict[Triple, tuple[set[str], set[str]]], after: dict[Triple, tuple[set[str], set[str]]]
) -> list[tuple[Triple, int, int, list[str], int]]:
    """Claims whose number of independent origins did not change but whose number of articles
    grew: (triple, articles before, articles after, the articles added, origins), sorted.

    Example:
        >>> t = ("<s>", "<p>", "<o>")
        >>> confirmations({t: ({"<a1>"}, {"<kyodo>"})}, {t: ({"<a1>", "<a2>"}, {"<kyodo>"})})
        [(('<s>', '<p>', '<o>'), 1, 2, ['<a2>'], 1)]
    """
    out = []
    for triple in sorted(before.keys() & after.keys()):
        (old_articles, old_origins), (new_articles, new_origins) = before[triple], after[triple]
        if len(new_origins) == len(old_origins) and len(new_articles) > len(old_articles):
            added = sorted(new_articles - old_articles)
            out.append((triple, len(old_articles), len(new_articles), added, len(new_origins)))
    return out
