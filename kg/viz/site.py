"""``kg site``: a static, offline site of the built graph, one page per entity and per article.

``index.html`` finds an entity by typing part of its label or of an alias; each entity page
(``entities/<key>.html``) gives its type, what the registry says of it, its posts and their
holders, its trade measures on a small timeline, a small ego graph, the disagreements about it
side by side and every claim about it (as subject or as value) with its independent origins and
the quotes behind it, each quote linking to its place in the article page
(``articles/<id>.html``, made by :mod:`kg.viz.article`). Everything is read in a few bulk queries
(:mod:`kg.viz.evidence`) and joined with dict indexes; pages are written to a temporary folder
that replaces the previous site in one rename, and the same store gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import KgError
from kg.rdf.vocabulary import vocabulary
from kg.viz.article import Link, article_page, entity_href, link, page_name
from kg.viz.evidence import Evidence, Fact, PageError, is_entity, read_everything
from kg.viz.page import asset, render_page

_TDO = "https://w3id.org/trade-dispute/ontology#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_WIKIDATA = "http://www.wikidata.org/entity/"
MARKER = ".kg-site"
"""A file every site holds: ``kg site`` replaces a folder only when it finds this in it."""

MAX_QUOTES = 5
"""Quotes listed under one claim; the rest are counted (every one is on its article's page)."""

EGO_NEIGHBOURS = 12
"""Neighbours drawn in an entity's ego graph: those of most independent origins."""

MEASURE_ROLES = {
    "imposedBy": "imposes it",
    "target": "is its target",
    "beneficiary": "benefits from it",
    "excludes": "is excluded from it",
}
"""How an entity takes part in a trade measure, by the property linking the measure to it."""

TIMELINE_PROPERTIES = ("rate", "status", "announcedOn", "effectiveFrom")
"""What a measure's timeline marks: each fact stating one of these, at its date."""

TIMELINE_MEASURES = 40
"""Measures drawn on one entity's timeline at most (those of most dated facts); each measure's
own page draws its facts. A state of a 10,000-fact corpus takes part in hundreds of measures."""

TIMELINE_POINTS = 200
"""Dated facts listed under one entity's timeline at most (the latest)."""


@dataclass
class SiteResult:
    """Where the site was written and how many pages it holds."""

    path: Path
    entities: int
    articles: int


@dataclass(frozen=True)
class QuoteView:
    text: str
    href: str
    article: str
    modality: str


@dataclass
class ClaimView:
    """One claim as an entity page lists it."""

    subject: Link
    property: str
    value: Link
    articles: int
    origins: int
    facts: int
    as_fact: bool
    modalities: list[str]
    rate_kinds: list[str]
    quotes: list[QuoteView]
    more: int
    sources: list[QuoteView] = field(default_factory=list)  # the first quote of each article


@dataclass
class MeasureView:
    measure: Link
    role: str
    imposers: list[Link]
    targets: list[Link]
    rates: list[ClaimView]
    statuses: list[ClaimView]


@dataclass
class TimelinePoint:
    date: str
    measure: str  # its label
    what: str
    modality: str
    quote: QuoteView
    row: str = ""  # the measure's IRI: two measures may share a label


@dataclass
class Timeline:
    rows: list[tuple[str, str]]  # (IRI, label) of each measure drawn
    points: list[TimelinePoint]
    svg: dict | None
    measures: int = 0  # measures with a dated fact, drawn or not
    total: int = 0  # dated facts, listed or not


@dataclass
class PostView:
    post: Link
    post_in: list[Link]
    holder: ClaimView | None


@dataclass
class DisagreementView:
    subject: Link
    property: str
    kind: str
    reason: str
    values: list[ClaimView]


@dataclass
class EntityPage:
    """Everything an entity page shows."""

    label: str
    key: str
    type: str
    types: list[str]
    aliases: list[str]
    registry: list[tuple[str, Link]]
    named_by_registry: list[tuple[Link, str]]
    posts: list[PostView]
    measures: list[MeasureView]
    timeline: Timeline
    disagreements: list[DisagreementView]
    about: list[ClaimView]
    naming: list[ClaimView]
    articles: list[tuple[Link, str, int]]
    ego: dict
    claims: int = 0


class Site:
    """The indexes every page of a site is made from, built once from the evidence."""

    def __init__(self, evidence: Evidence, prefix: str = "../"):
        self.ev = evidence
        self.prefix = prefix
        self.claim_facts = evidence.claim_facts()
        self.by_subject: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.by_object: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for triple in sorted(evidence.claims):
            if triple[1] == _RDF_TYPE:
                continue
            self.by_subject[triple[0]].append(triple)
            if is_entity(triple[2]):
                self.by_object[triple[2]].append(triple)
        self.named_by_registry: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for entity, statements in sorted(evidence.registry.items()):
            for p, o in statements:
                if is_entity(o):
                    self.named_by_registry[o].append((entity, p))
        self.disagreements: dict[str, list] = defaultdict(list)
        for d in evidence.disagreements:
            for s in {c[0] for c in d.claims}:
                self.disagreements[s].append(d)
        self.mentions: dict[str, Counter] = defaultdict(Counter)
        for fact in evidence.facts.values():
            for term in {t for s, _, o in fact.triples for t in (s, o) if is_entity(t)}:
                self.mentions[term][fact.article] += 1
        self._claims: dict[tuple[str, str, str], ClaimView] = {}  # a claim shows the same on every page
        self._quotes: dict[str, QuoteView] = {}
        lineage = vocabulary().lineage
        self.lineage = {
            cls: tuple(lineage(cls.rsplit("#", 1)[-1]))
            for e in evidence.entities.values()
            for cls in e.classes
        }

    # ------------------------------------------------------------------ small pieces

    def is_a(self, entity: str, root: str) -> bool:
        record = self.ev.entities.get(entity)
        return bool(record) and any(root in self.lineage.get(c, ()) for c in record.classes)

    def link(self, term: str) -> Link:
        return link(self.ev, term, self.prefix)

    def article_href(self, fact: Fact) -> str:
        article = self.ev.articles.get(fact.article)
        name = page_name(article.id) if article else fact.article.rsplit("/", 1)[-1]
        return f"{self.prefix}articles/{name}.html#fact-{fact.id}"

    def quote(self, fact: Fact) -> QuoteView:
        view = self._quotes.get(fact.iri)
        if view is None:
            article = self.ev.articles.get(fact.article)
            view = self._quotes[fact.iri] = QuoteView(
                fact.quote,
                self.article_href(fact),
                article.id if article else fact.article.rsplit("/", 1)[-1],
                self.ev.text(fact.modality),
            )
        return view

    def claim(self, triple: tuple[str, str, str]) -> ClaimView:
        view = self._claims.get(triple)
        if view is None:
            view = self._claims[triple] = self._claim(triple)
        return view

    def _claim(self, triple: tuple[str, str, str]) -> ClaimView:
        c = self.ev.claims[triple]
        facts = self.claim_facts.get(triple, [])
        facts = sorted(
            facts,
            key=lambda f: (self.ev.articles[f.article].id if f.article in self.ev.articles else "", f.start),
        )
        kinds = set()
        if triple[1] == _TDO + "rate":
            marker = (triple[0], _TDO + "rateKind")
            for f in facts:
                kinds.update(self.ev.text(o) for s, p, o in f.triples if (s, p) == marker)
        return ClaimView(
            subject=self.link(triple[0]),
            property=self.ev.text(triple[1]),
            value=self.link(triple[2]),
            articles=c.articles,
            origins=c.origins,
            facts=c.facts,
            as_fact=c.as_fact,
            modalities=sorted({self.ev.text(f.modality) for f in facts}),
            rate_kinds=sorted(kinds),
            quotes=[self.quote(f) for f in facts[:MAX_QUOTES]],
            more=max(0, len(facts) - MAX_QUOTES),
            sources=[self.quote(f) for f in {f.article: f for f in reversed(facts)}.values()][::-1],
        )

    def _order(self, views: list[ClaimView], by_value: bool) -> list[ClaimView]:
        other = (lambda v: v.value.text) if by_value else (lambda v: v.subject.text)
        return sorted(views, key=lambda v: (v.property, -v.origins, other(v)))

    # ------------------------------------------------------------------ sections

    def posts(self, entity: str) -> list[PostView]:
        posts = set()
        if self.is_a(entity, "Post"):
            posts.add(entity)
        posts.update(e for e, p in self.named_by_registry.get(entity, ()) if p == _TDO + "postIn")
        held = [t for t in self.by_object.get(entity, ()) if t[1] == _TDO + "heldBy"]
        posts.update(t[0] for t in held)
        out = []
        for post in sorted(posts, key=lambda p: self.ev.text(p)):
            where = [self.link(o) for p, o in self.ev.registry.get(post, ()) if p == _TDO + "postIn"]
            holders = [t for t in self.by_subject.get(post, ()) if t[1] == _TDO + "heldBy"]
            if not holders:
                out.append(PostView(self.link(post), where, None))
            for t in holders:
                out.append(PostView(self.link(post), where, self.claim(t)))
        return out

    def measures(self, entity: str) -> list[tuple[str, MeasureView]]:
        """The trade measures the entity is, imposes, is targeted by..., with their IRIs."""
        found: dict[str, list[str]] = defaultdict(list)
        if self.is_a(entity, "TradeMeasure"):
            found[entity].append("this measure")
        for s, p, _ in self.by_object.get(entity, ()):
            role = MEASURE_ROLES.get(p.rsplit("#", 1)[-1])
            if role and self.is_a(s, "TradeMeasure") and role not in found[s]:
                found[s].append(role)
        out = []
        for measure, roles in sorted(found.items(), key=lambda m: (self.ev.text(m[0]), m[0])):
            about = self.by_subject.get(measure, ())
            out.append(
                (
                    measure,
                    MeasureView(
                        measure=self.link(measure),
                        role=", ".join(roles),
                        imposers=[self.link(o) for s, p, o in about if p == _TDO + "imposedBy"],
                        targets=[self.link(o) for s, p, o in about if p == _TDO + "target"],
                        rates=[self.claim(t) for t in about if t[1] == _TDO + "rate"],
                        statuses=[self.claim(t) for t in about if t[1] == _TDO + "status"],
                    ),
                )
            )
        return out

    def timeline(self, measures: list[tuple[str, MeasureView]]) -> Timeline:
        points = []
        wanted = {_TDO + p: p for p in TIMELINE_PROPERTIES}
        for iri, view in measures:
            for triple in self.by_subject.get(iri, ()):
                prop = wanted.get(triple[1])
                if not prop:
                    continue
                what = f"{self.ev.text(triple[1])} {self.ev.text(triple[2])}"
                for f in self.claim_facts.get(triple, ()):
                    if f.date:
                        modality = self.ev.text(f.modality)
                        quote = self.quote(f)
                        points.append(TimelinePoint(f.date, view.measure.text, what, modality, quote, iri))
        points.sort(key=lambda p: (p.date, p.measure, p.row, p.what, p.quote.article, p.quote.href))
        per_measure = Counter(p.row for p in points)
        drawn = set(sorted(per_measure, key=lambda m: (-per_measure[m], m))[:TIMELINE_MEASURES])
        rows = [(iri, m.measure.text) for iri, m in measures if iri in drawn]
        total = len(points)
        points = [p for p in points if p.row in drawn][-TIMELINE_POINTS:]
        svg = timeline_svg(rows, points) if points else None
        return Timeline(rows, points, svg, len(per_measure), total)

    def disagreements_of(self, entity: str, measures: list[str]) -> list[DisagreementView]:
        out = []
        seen = set()
        for subject in [entity, *measures]:
            for d in self.disagreements.get(subject, ()):
                if d.iri in seen:
                    continue
                seen.add(d.iri)
                values = [self.claim(t) for t in d.claims if t in self.ev.claims]
                values.sort(key=lambda v: v.value.text)
                first = d.claims[0]
                out.append(
                    DisagreementView(self.link(first[0]), self.ev.text(first[1]), d.kind, d.reason, values)
                )
        return out

    def ego(self, entity: str) -> dict:
        weights: Counter = Counter()
        relations: dict[str, set[str]] = defaultdict(set)
        for s, p, o in self.by_subject.get(entity, ()):
            if is_entity(o) and o in self.ev.entities and o != entity:
                weights[o] += self.ev.claims[(s, p, o)].origins
                relations[o].add(self.ev.text(p))
        for s, p, o in self.by_object.get(entity, ()):
            if s in self.ev.entities and s != entity:
                weights[s] += self.ev.claims[(s, p, o)].origins
                relations[s].add(self.ev.text(p))
        ranked = sorted(weights, key=lambda n: (-weights[n], self.ev.text(n), n))
        shown = ranked[:EGO_NEIGHBOURS]
        return ego_svg(
            self.ev,
            entity,
            [(n, weights[n], ", ".join(sorted(relations[n]))) for n in shown],
            len(ranked) - len(shown),
            self.prefix,
        )

    def entity_page(self, entity: str) -> EntityPage:
        record = self.ev.entities[entity]
        ev = self.ev
        measures = self.measures(entity)
        about = self._order([self.claim(t) for t in self.by_subject.get(entity, ())], by_value=True)
        naming = self._order([self.claim(t) for t in self.by_object.get(entity, ())], by_value=False)
        registry = []
        for p, o in ev.registry.get(entity, ()):
            if o.startswith(_WIKIDATA):
                qid = o[len(_WIKIDATA) :]
                registry.append((ev.text(p), Link(qid, f"https://www.wikidata.org/wiki/{qid}")))
            else:
                registry.append((ev.text(p), self.link(o)))
        named = [(self.link(e), ev.text(p)) for e, p in self.named_by_registry.get(entity, ())]
        named.sort(key=lambda x: (x[1], x[0].text))
        articles = []
        for article, n in sorted(self.mentions.get(entity, Counter()).items(), key=lambda x: x[0]):
            a = ev.articles.get(article)
            if a is not None:
                articles.append((Link(a.id, f"{self.prefix}articles/{page_name(a.id)}.html"), a.title, n))
        types = [ev.text(c) for c in record.classes]
        return EntityPage(
            label=record.label or record.key,
            key=record.key,
            type=types[0] if types else "",
            types=types,
            aliases=record.aliases,
            registry=registry,
            named_by_registry=named,
            posts=self.posts(entity),
            measures=[m for _, m in measures],
            timeline=self.timeline(measures),
            disagreements=self.disagreements_of(entity, [iri for iri, _ in measures]),
            about=about,
            naming=naming,
            articles=articles,
            ego=self.ego(entity),
            claims=len(about) + len(naming),
        )


# ---------------------------------------------------------------------------------------------
# drawings (data for the templates, which write the SVG)


def _day(date: str) -> int:
    """The ordinal of the first day a date of year, month or day precision covers."""
    parts = [int(p) for p in date[:10].split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1).toordinal()


TIMELINE_WIDTH = 720
TIMELINE_LABEL = 210
TIMELINE_ROW = 26


def timeline_svg(rows: list[tuple[str, str]], points: list[TimelinePoint]) -> dict:
    """Coordinates of a small timeline: a row per measure, a dot per dated fact, a date axis.

    Example:
        >>> q = QuoteView("q", "#", "000", "asserted")
        >>> svg = timeline_svg([("m", "M")], [TimelinePoint("2025-04-01", "M", "rate 24", "asserted", q, "m")])
        >>> svg["width"], [(d["x"], d["y"]) for d in svg["dots"]], [t["text"] for t in svg["ticks"]]
        (720, [(465.0, 30)], ['2025-04-01'])
    """
    days = [_day(p.date) for p in points]
    first, last = min(days), max(days)
    left, right = TIMELINE_LABEL + 20, TIMELINE_WIDTH - 20
    span = max(last - first, 1)

    def x(day: int) -> float:
        if last == first:
            return round((left + right) / 2, 1)
        return round(left + (right - left) * (day - first) / span, 1)

    row_of = {iri: i for i, (iri, _) in enumerate(rows)}
    dots = [
        {
            "x": x(day),
            "y": 30 + TIMELINE_ROW * row_of[p.row],
            "title": f"{p.date} \u00b7 {p.measure}: {p.what} ({p.modality}) \u00b7 {p.quote.article}",
            "href": p.quote.href,
            "modality": p.modality,
        }
        for p, day in zip(points, days, strict=True)
        if p.row in row_of
    ]
    height = 30 + TIMELINE_ROW * len(rows) + 16
    tick_days = sorted({first, last} | ({(first + last) // 2} if last - first > 60 else set()))
    ticks = [
        {
            "x": x(d),
            "text": dt.date.fromordinal(d).isoformat(),
            "anchor": "start"
            if d == first and len(tick_days) > 1
            else "end"
            if d == last and len(tick_days) > 1
            else "middle",
        }
        for d in tick_days
    ]
    return {
        "width": TIMELINE_WIDTH,
        "height": height,
        "axis": height - 14,
        "left": left,
        "right": right,
        "rows": [{"y": 30 + TIMELINE_ROW * i, "text": _cut(name, 30)} for i, (_, name) in enumerate(rows)],
        "dots": dots,
        "ticks": ticks,
    }


EGO_WIDTH = 700
EGO_HEIGHT = 380


@cache
def _star_layout(neighbours: int) -> tuple[tuple[float, float], ...]:
    """Positions of a node (0) and its neighbours (1..n) by networkx's shell layout, the centre
    alone in the first shell, scaled so that the farthest node is at distance 1. The layout of
    a star depends only on its size, so it is computed once per size."""
    import networkx as nx

    graph = nx.star_graph(neighbours)
    shells = [[0], list(range(1, neighbours + 1))] if neighbours else [[0]]
    pos = nx.shell_layout(graph, nlist=shells, scale=1.0)
    reach = max(float(abs(complex(*pos[n]))) for n in graph) or 1.0
    return tuple((float(pos[n][0]) / reach, float(pos[n][1]) / reach) for n in range(neighbours + 1))


def ego_svg(
    evidence: Evidence, entity: str, neighbours: list[tuple[str, int, str]], hidden: int, prefix: str
) -> dict:
    """Coordinates of an ego graph (the entity in the middle, its neighbours on a circle, placed by
    networkx's shell layout), each node linking to its page."""

    from kg.viz.graph import category_of

    pos = _star_layout(len(neighbours))
    cx, cy, rx, ry = EGO_WIDTH / 2, EGO_HEIGHT / 2, EGO_WIDTH / 2 - 185, EGO_HEIGHT / 2 - 40
    index = {entity: 0} | {n: i + 1 for i, (n, _, _) in enumerate(neighbours)}

    def place(node):
        x, y = pos[index[node]]
        return round(cx + rx * x, 1), round(cy + ry * y, 1)

    def node(n: str, center: bool = False) -> dict:
        record = evidence.entities.get(n)
        cls = record.classes[0].rsplit("#", 1)[-1] if record and record.classes else ""
        x, y = place(n)
        r = 13 if center else 8
        if center or abs(x - cx) < 20:  # at the middle or above or below it: the label under the node
            tx, ty, anchor = x, y + r + 13, "middle"
        else:  # left or right: the label outwards, so that labels do not cross the lines
            tx, ty, anchor = (x + r + 4, y + 4, "start") if x > cx else (x - r - 4, y + 4, "end")
        return {
            "x": x,
            "y": y,
            "r": r,
            "tx": round(tx, 1),
            "ty": round(ty, 1),
            "anchor": anchor,
            "color": category_of(cls).color,
            "text": _cut(evidence.text(n), 30 if center else 24),
            "title": f"{evidence.text(n)} ({evidence.text(record.classes[0]) if record and record.classes else ''})",
            "href": "" if center else entity_href(evidence, n, prefix),
        }

    cx0, cy0 = place(entity)
    top = max((w for _, w, _ in neighbours), default=1)
    edges = []
    for n, weight, relations in neighbours:
        x, y = place(n)
        edges.append(
            {
                "x1": cx0,
                "y1": cy0,
                "x2": x,
                "y2": y,
                "width": round(1 + 4 * weight / top, 1),
                "title": f"{relations} \u00b7 {weight} independent origin(s)",
            }
        )
    return {
        "width": EGO_WIDTH,
        "height": EGO_HEIGHT,
        "edges": edges,
        "nodes": [node(entity, True)] + [node(n) for n, _, _ in neighbours],
        "hidden": hidden,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# ---------------------------------------------------------------------------------------------
# pages


def entity_html(site: Site, entity: str) -> str:
    """The HTML of one entity's page."""
    page = site.entity_page(entity)
    return render_page(
        "entity.html.j2",
        styles=[asset("pages.css"), asset("site.css")],
        title=f"{page.label} \u2014 {page.type}" if page.type else page.label,
        page=page,
        prefix=site.prefix,
    )


def index_html(evidence: Evidence) -> str:
    """The HTML of the index: the search, the entities by type and the articles."""
    entries = []
    by_type: dict[str, list[Link]] = defaultdict(list)
    for e in evidence.entities.values():
        kind = evidence.text(e.classes[0]) if e.classes else ""
        href = f"entities/{page_name(e.key)}.html"
        label = e.label or e.key
        entries.append([label, e.aliases, kind, href, e.key])
        by_type[kind].append(Link(label, href))
    entries.sort(key=lambda x: (x[0].lower(), x[4]))
    groups = [
        (kind, sorted(links, key=lambda x: (x.text.lower(), x.href)))
        for kind, links in sorted(by_type.items())
    ]
    articles = sorted(evidence.articles.values(), key=lambda a: a.id)
    return render_page(
        "index.html.j2",
        styles=[asset("pages.css"), asset("site.css")],
        scripts=[asset("search.js")],
        title="Trade-dispute knowledge graph",
        entries=entries,
        groups=groups,
        articles=[
            (Link(a.id, f"articles/{page_name(a.id)}.html"), a.title, a.issued, a.outlet, len(a.facts))
            for a in articles
        ],
        counts={"entities": len(evidence.entities), "articles": len(articles), "facts": len(evidence.facts)},
    )


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that is not a site kg made (a typo must not delete a folder)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise KgError(f"{out} is a file: --out takes a folder")
    if not (out / MARKER).is_file() and any(out.iterdir()):
        raise KgError(f"{out} exists and is not a site kg made (no {MARKER} in it): choose another --out")


def _replace_folder(new: Path, out: Path) -> None:
    """Put the folder new in place of out (a previous site, or nothing), in one rename each."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)


def _write_pages(tmp: Path, site: Site, share: int = 0, shares: int = 1) -> None:
    """Write every shares-th page, starting at the share-th: article pages, then entity pages."""
    evidence = site.ev
    pages = [("articles", a.id, a) for a in sorted(evidence.articles.values(), key=lambda a: a.id)]
    pages += [("entities", evidence.entities[iri].key, iri) for iri in sorted(evidence.entities)]
    for folder, key, what in pages[share::shares]:
        html = article_page(evidence, what, prefix="../") if folder == "articles" else entity_html(site, what)
        (tmp / folder / f"{page_name(key)}.html").write_text(html, encoding="utf-8")


def _write_pages_quietly(tmp: Path, site: Site, share: int, shares: int) -> None:
    """A worker process's share: any failure (an interrupt too) is its exit code, never a traceback;
    the parent says what went wrong."""
    try:
        _write_pages(tmp, site, share, shares)
    except BaseException:
        sys.exit(1)


def _write_pages_in_parallel(tmp: Path, site: Site, jobs: int) -> None:
    """Write the pages in jobs processes: this one and jobs - 1 forked children, which inherit
    what was read instead of receiving a copy. Each page depends on the evidence alone, so the
    bytes do not depend on which process writes it. Where fork is missing, one process writes all."""
    import multiprocessing

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _write_pages(tmp, site)
        return
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_write_pages_quietly, args=(tmp, site, k, jobs), daemon=True)
        for k in range(1, jobs)
    ]
    for child in children:
        child.start()
    try:
        _write_pages(tmp, site, 0, jobs)
    except BaseException:
        for child in children:
            child.terminate()
        raise
    finally:
        for child in children:
            child.join()
    failed = [c.exitcode for c in children if c.exitcode != 0]
    if failed:
        raise KgError(f"writing the pages failed in a worker process (exit code {failed[0]})")


DEFAULT_JOBS = 2
"""Processes writing pages: rendering is pure Python, so a second process halves the time on two
cores (or, on a shared machine, doubles the share of the processors the site gets)."""


def write_site(store, out: Path | str = "build/site", jobs: int = DEFAULT_JOBS) -> SiteResult:
    """Write the site of the built store: index, entity pages and article pages.

    Args:
        store: an open pyoxigraph store of the built graph.
        out: the folder to write (replaced as a whole; created with its parents).
        jobs: processes writing pages (1: this one alone).

    Returns:
        Where it went and how many pages it holds.

    Raises:
        KgError: out exists and is not a site kg made.

    Example:
        >>> from kg.store import open_store
        >>> result = write_site(open_store("build"), "build/site")
        >>> result.entities, result.articles, sorted(p.name for p in result.path.iterdir())
        (119, 5, ['.kg-site', 'articles', 'entities', 'index.html'])
    """
    import gc

    out = Path(out)
    _check_out(out)
    gc.disable()  # millions of rows become objects that all live to the end: nothing to collect
    try:
        evidence = read_everything(store)
    finally:
        gc.enable()
    if not evidence.entities:
        raise PageError("the build holds no entities: nothing to write")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    gc.freeze()  # and no collection walks them again while the pages are made
    try:
        (tmp / "entities").mkdir()
        (tmp / "articles").mkdir()
        _write_pages_in_parallel(tmp, Site(evidence), jobs)
        (tmp / "index.html").write_text(index_html(evidence), encoding="utf-8")
        (tmp / MARKER).write_text(
            "written by kg site; kg site replaces this folder as a whole\n", encoding="utf-8"
        )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes the folder private
        _check_out(out)  # again: another kg site may have written meanwhile
        _replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()
    return SiteResult(out, len(evidence.entities), len(evidence.articles))
