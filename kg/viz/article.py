"""The article page: an article's text verbatim, every fact's quote marked where it sits.

The text is cut at every boundary of a quote, of an excluded range (page furniture) and of a
sentence no quote touches, so each segment is covered by a fixed set of facts: overlapping
quotes stay readable, the segment they share carrying one underline per fact over it (up to
three). Hovering or clicking a marked segment shows, beside the text, every fact over it: its
triples with labels, modality, date, attribution chain and independent origin. Sentences no fact
quotes are marked as such, page furniture is greyed. ``kg viz article ID`` writes one page;
``kg site`` writes every article's page beside the entity pages, with links between them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.seeds.coverage import sentence_coverage
from kg.viz.evidence import Article, Evidence, Fact, is_entity, read_article
from kg.viz.page import asset, render_page

MAX_DEPTH = 3
"""Underlines drawn under a segment at most (a deeper nesting is drawn as this many)."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}\Z")


@dataclass(frozen=True)
class Segment:
    """A run of the article text and what covers it.

    kind is ``quote`` (facts lists the ids of the facts quoting it), ``uncovered`` (a sentence no
    fact quotes), ``furniture`` (an excluded range) or ``plain``.
    """

    text: str
    kind: str
    facts: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        """How many underlines the segment gets (its number of facts, at most MAX_DEPTH)."""
        return min(len(self.facts), MAX_DEPTH)


@dataclass(frozen=True)
class Link:
    """A label, and the page it links to when there is one."""

    text: str
    href: str = ""


@dataclass
class FactView:
    """What the page says of one fact."""

    id: str
    quote: str
    start: int
    end: int
    modality: str
    modality_key: str
    date: str
    date_note: str
    origin: str
    chain: list[str]
    subjects: list[Statement] = field(default_factory=list)


@dataclass
class Statement:
    """What a fact states of one subject: its types and its (property, value) pairs."""

    subject: Link
    types: list[str] = field(default_factory=list)
    values: list[tuple[str, Link]] = field(default_factory=list)


def page_name(key: str) -> str:
    """A file name for a registry key or article id: the key itself when it is safe, else a hash.

    Example:
        >>> page_name("japan"), page_name("../etc/passwd")
        ('japan', 'k-e96c47eabf3d85ae')
    """
    if _SAFE_NAME.match(key):
        return key
    return "k-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def segments(
    text: str, quotes: list[tuple[int, int, str]], excluded: list[tuple[int, int]] = ()
) -> list[Segment]:
    """Cut text at every boundary of the quotes, the excluded ranges and the uncovered sentences.

    Args:
        text: the article text.
        quotes: (start, end, fact id) of every quote, code-point offsets into text.
        excluded: (start, end) ranges of page furniture.

    Returns:
        Segments whose texts join to text; neighbours of the same kind and facts are merged.

    Example:
        >>> for s in segments("Tokyo agrees. Seoul waits.", [(0, 13, "a"), (6, 12, "b")]):
        ...     print(repr(s.text), s.kind, s.facts)
        'Tokyo ' quote ('a',)
        'agrees' quote ('a', 'b')
        '.' quote ('a',)
        ' ' plain ()
        'Seoul waits.' uncovered ()
    """
    _, sentences = sentence_coverage(text, [(s, e) for s, e, _ in quotes], excluded)
    uncovered = [(s.start, s.end) for s in sentences]
    cuts = {0, len(text)}
    for start, end, *_ in [*quotes, *excluded, *uncovered]:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    bounds = sorted(cuts)
    starting: dict[int, list[tuple[int, str]]] = {}
    for start, end, fact in quotes:
        starting.setdefault(start, []).append((end, fact))
    active: list[tuple[int, str]] = []
    out: list[Segment] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        active = [q for q in active if q[0] > a] + starting.get(a, [])
        if active:
            kind, facts = "quote", tuple(f for _, f in active)
        elif any(s <= a < e for s, e in uncovered):
            kind, facts = "uncovered", ()
        elif any(s <= a < e for s, e in excluded):
            kind, facts = "furniture", ()
        else:
            kind, facts = "plain", ()
        if out and out[-1].kind == kind and out[-1].facts == facts:
            out[-1] = Segment(out[-1].text + text[a:b], kind, facts)
        else:
            out.append(Segment(text[a:b], kind, facts))
    return out


def entity_href(evidence: Evidence, term: str, prefix: str | None) -> str:
    """The entity page of a term inside a site (``prefix`` leads to the site's root), else ""."""
    if prefix is None or not is_entity(term) or term not in evidence.entities:
        return ""
    return f"{prefix}entities/{page_name(evidence.entities[term].key)}.html"


def link(evidence: Evidence, term: str, prefix: str | None) -> Link:
    """A term's words, linked to its entity page when inside a site."""
    return Link(evidence.text(term), entity_href(evidence, term, prefix))


def fact_view(evidence: Evidence, fact: Fact, outlet: str, prefix: str | None = None) -> FactView:
    """What the page shows of a fact: labels, never IRIs.

    Args:
        evidence: what was read from the store (labels above all).
        fact: the fact.
        outlet: the article's outlet (the first link of the attribution chain).
        prefix: the path from this page to the site's root, or None outside a site (no links).
    """
    chain = [f"{outlet or 'the article'} (this article)"]
    chain += [name or evidence.text(source) for _, source, name in fact.attribution]
    subjects: dict[str, Statement] = {}
    for s, p, o in fact.triples:
        statement = subjects.get(s)
        if statement is None:
            statement = subjects[s] = Statement(link(evidence, s, prefix))
        if p == _RDF_TYPE:
            statement.types.append(evidence.text(o))
        else:
            statement.values.append((evidence.text(p), link(evidence, o, prefix)))
    for statement in subjects.values():
        statement.types.sort()
        statement.values.sort(key=lambda v: (v[0], v[1].text))
    return FactView(
        id=fact.id,
        quote=fact.quote,
        start=fact.start,
        end=fact.end,
        modality=evidence.text(fact.modality),
        modality_key=fact.modality.rsplit("#", 1)[-1].lower(),
        date=fact.date or "",
        date_note="the article's date" if fact.article_dated else "",
        origin=evidence.text(fact.origin),
        chain=chain,
        subjects=sorted(subjects.values(), key=lambda st: st.subject.text),
    )


def article_page(evidence: Evidence, article: Article, prefix: str | None = None) -> str:
    """The HTML of an article's page.

    Args:
        evidence: what was read from the store.
        article: the article.
        prefix: the path from this page to the site's root (``"../"``), or None for a page of
            its own (``kg viz article``), which links to nothing.

    Returns:
        The HTML text.
    """
    quotes = [(f.start, f.end, f.id) for f in article.facts]
    counted, uncovered = sentence_coverage(
        article.text, [(f.start, f.end) for f in article.facts], article.excluded
    )
    return render_page(
        "article.html.j2",
        styles=[asset("pages.css"), asset("article.css")],
        scripts=[asset("article.js")],
        title=article.title or article.id,
        article=article,
        segments=segments(article.text, quotes, article.excluded),
        facts=[fact_view(evidence, f, article.outlet, prefix) for f in article.facts],
        covered=counted - len(uncovered),
        counted=counted,
        prefix=prefix,
    )


def write_article_page(store, article_id: str, output: Path | str | None = None, build_dir="build") -> Path:
    """Write the page of one article (``kg viz article``), atomically.

    Args:
        store: an open pyoxigraph store of the built graph.
        article_id: the article's id or its number (``000``).
        output: the HTML file to write (default ``BUILD_DIR/article-<id>.html``).
        build_dir: the build folder, for the default output.

    Returns:
        The path written.

    Example:
        >>> from kg.store import open_store
        >>> write_article_page(open_store("build"), "000")
        PosixPath('build/article-000_47059b8c57473c03.html')
    """
    from kg.viz.graph import write_atomic

    evidence, article = read_article(store, article_id)
    path = Path(output) if output else Path(build_dir) / f"article-{article.id}.html"
    return write_atomic(path, article_page(evidence, article))
