"""SPARQL views to networkx graphs: the actor graph, the signed state graph and the measures graph.

What a projection means lives in the views, ``ontology/queries/view-*.rq``: which roles pair into
an edge and with what sign (view-role-pairs), which links count (view-links), who serves whom
(view-memberships). The views are plain scans of the store; this module joins their rows with
dict indexes, so building a projection is linear in the number of rows. The RDF store stays the
single source of truth: every edge keeps the fact IRIs and quotes behind it.

As-of rule: a row about a subject holds from its *since* date, the earlier of its fact's
about-date and the subject's start: the earliest announcement, effective or event date the
facts state for the subject, or about-date of a fact about it whose annotation gives one (not
one falling back to its article's date). A snapshot as of D keeps the rows with since <= D,
comparing ISO text, so a month or a year counts from its first day. Post holders are dated by
their own fact only. Registry links (agencies, nationalities) hold at every date. Facts the
article denies (modality denied) are left out everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.analysis import PROJECTIONS
from kg.errors import KgError
from kg.rdf.namespaces import ID, TDO
from kg.rdf.vocabulary import lineages
from kg.resources import QUERIES_DIR
from kg.seeds.dates import partial_date
from kg.sparql.query import execute

VIEW_PREFIX = "view-"
ACTOR_TYPES = ("State", "Person", "Agency", "Ministry", "Embassy", "Organization")
"""Classes whose instances are actors (news outlets report; they are not actors here)."""
ACTOR_VIEWS = ("roles", "role-pairs", "stances", "links", "memberships", "subject-dates")
"""Views the actor graph reads (besides facts, articles and registry)."""
MEMBERSHIP_RELATIONS = ("heldBy->postIn", "agencyOf", "nationality")
"""Relations that say whom an actor serves; the state graph folds actors along them."""
REGISTRY_WEIGHT = 1
"""Weight of a registry link (agencyOf, nationality): the curated registry counts as one origin."""
AGENT_ROLES = ("speaker", "sender", "imposedBy", "party", "participant")
"""Roles whose actors act for a subject: a link from or to the subject is drawn from or to them."""
TOWARDS_ROLES = ("recipient", "target")
"""A fact's tdo:stance applies to relations towards these roles."""

_TDO = str(TDO._NS)
_ID = str(ID)
_DENIED = _TDO + "Denied"


class AnalysisError(KgError):
    """A projection or analysis was asked for something that does not exist (a view, an actor)."""


# ------------------------------------------------------------------ small helpers


def local_name(iri: str | None) -> str | None:
    """The part of an IRI after its last ``#`` or ``/`` (``tdo:State`` -> ``State``)."""
    if iri is None:
        return None
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1 :]


def sign_of(value: float) -> int:
    """+1, -1 or 0 by the sign of a number."""
    return (value > 0) - (value < 0)


def parse_as_of(as_of: str | dt.date | None) -> str | None:
    """Check an as-of date and return it as ISO text (YYYY, YYYY-MM or YYYY-MM-DD), or None.

    Raises:
        AnalysisError: not a date.
    """
    if as_of is None or as_of == "":
        return None
    try:
        return partial_date(as_of)[0]
    except ValueError as exc:
        raise AnalysisError(str(exc).replace("malformed date", "malformed as-of date")) from None


def as_store(store):
    """An open pyoxigraph store, given a store or a build folder (``"build"``)."""
    if isinstance(store, (str, Path)):
        from kg.store import open_store

        return open_store(store)
    return store


# ------------------------------------------------------------------ views


def view_names() -> list[str]:
    """Names of the views in ontology/queries (``view-roles.rq`` -> ``roles``)."""
    return sorted(p.stem[len(VIEW_PREFIX) :] for p in QUERIES_DIR.glob(f"{VIEW_PREFIX}*.rq"))


def view_query(name: str) -> str:
    """The SPARQL text of view ``name``.

    Raises:
        AnalysisError: there is no such view.
    """
    path = QUERIES_DIR / f"{VIEW_PREFIX}{name}.rq"
    if not path.is_file():
        from kg.seeds.corpus import did_you_mean

        raise AnalysisError(
            f"no view '{name}'{did_you_mean(name, view_names())}; views: {', '.join(view_names())}"
        )
    return path.read_text(encoding="utf-8")


def _run_view(store, name: str) -> list[dict]:
    return execute(store, view_query(name)).values()


VIEW_THREADS = 3
"""Views read at once: the store evaluates queries outside Python's lock."""


def _run_views(store, names: list[str]) -> dict[str, list[dict]]:
    """Several views read concurrently, by name."""
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return {names[0]: _run_view(store, names[0])}
    from concurrent.futures import ThreadPoolExecutor

    # the biggest first, so that the small ones fill in around it
    order = sorted(names, key=lambda n: n != "facts")
    with ThreadPoolExecutor(max_workers=VIEW_THREADS) as pool:
        results = dict(zip(order, pool.map(lambda n: _run_view(store, n), order), strict=True))
    return results


def view_rows(store, name: str, as_of: str | dt.date | None = None) -> list[dict]:
    """The rows of ``ontology/queries/view-<name>.rq`` as plain dicts, optionally as of a date.

    Values are IRIs and literal lexical forms (strings), None where unbound. Rows with a
    ``fact`` get its about-date as ``date``; rows of denied facts are dropped; with as_of, rows
    are kept by the as-of rule of this module (rows without a fact hold at every date).

    Args:
        store: an open pyoxigraph store, or a build folder.
        name: the view's name, such as ``roles`` or ``measures``.
        as_of: keep only rows holding by this date.

    Returns:
        The rows.

    Example:
        >>> rows = view_rows("build", "roles", as_of="2025-03-31")
        >>> sorted({r["role"] for r in rows})[:3]
        ['imposedBy', 'participant', 'party']
    """
    snap = Snapshot.load(store, as_of)
    return snap.rows(name)


@dataclass
class Snapshot:
    """What every projection needs, read once: facts, registry types, labels, class signs, starts.

    Made by :meth:`load`; holds the store and the as-of date so that :meth:`rows` can filter.
    """

    store: object
    as_of: str | None
    evidence: dict[str, dict]
    types: dict[str, str]
    labels: dict[str, str]
    parents: dict[str, list[str]]
    own_signs: dict[str, int]
    located: dict[str, str]
    _starts: dict[str, str] | None = None
    _cache: dict[str, list[dict]] = field(default_factory=dict)
    _actors: set[str] | None = None
    _lineages: dict[str, tuple[str, ...]] | None = None

    @classmethod
    def load(cls, store, as_of: str | dt.date | None = None, prefetch: Iterable[str] = ()) -> Snapshot:
        """Read the facts (view-facts) and the registry (view-registry) of a store.

        Given a Snapshot, returns it as is when as_of is None or its own date, else the same
        data under as_of.

        Args:
            store: an open pyoxigraph store, a build folder, or a Snapshot.
            as_of: the snapshot's date (see the module docstring).
            prefetch: views to read as well; all views are read concurrently (the store
                evaluates queries outside Python's lock, so this saves time on large graphs).
        """
        if isinstance(store, Snapshot):
            snap = store if as_of is None or store.as_of == parse_as_of(as_of) else store.at(as_of)
            snap.prefetch(prefetch)
            return snap
        as_of = parse_as_of(as_of)
        store = as_store(store)
        fetched = _run_views(store, ["facts", "articles", "registry", *prefetch])
        articles = {r["article"]: r for r in fetched["articles"]}
        evidence = {}
        for r in fetched["facts"]:
            article = articles.get(r["article"], {})
            start = int(r["start"])
            evidence[r["fact"]] = {
                "fact": r["fact"],
                "article": r["article"],
                "article_id": article.get("articleId"),
                "title": article.get("title"),
                "issued": article.get("issued"),
                "quote": r["quote"],
                "start": start,
                "end": start + len(r["quote"]),
                "origin": r["origin"],
                "modality": local_name(r["modality"]),
                "denied": r["modality"] == _DENIED,
                "date": r["date"],
                "article_dated": r["articleDated"] == "true",
            }
        types, labels, parents, own, located = {}, {}, defaultdict(list), {}, {}
        for r in fetched["registry"]:
            if r["entity"]:
                types[r["entity"]] = r["class"]
                if r["label"]:
                    labels[r["entity"]] = r["label"]
                if r["locatedIn"]:
                    located.setdefault(r["entity"], r["locatedIn"])
                continue
            if r["parent"]:
                parents[r["class"]].append(r["parent"])
            if r["sign"] is not None:
                own[r["class"]] = int(r["sign"])
            if r["label"]:
                labels.setdefault(r["class"], r["label"])
        snap = cls(store, as_of, evidence, types, labels, dict(parents), own, located)
        snap._cache.update({name: fetched[name] for name in prefetch})
        return snap

    def prefetch(self, names: Iterable[str]) -> None:
        """Read the views not read yet, concurrently."""
        missing = [n for n in dict.fromkeys(names) if n not in self._cache]
        if missing:
            self._cache.update(_run_views(self.store, missing))

    def at(self, as_of: str | dt.date | None) -> Snapshot:
        """The same data under another as-of date (no store access)."""
        return Snapshot(
            self.store,
            parse_as_of(as_of),
            self.evidence,
            self.types,
            self.labels,
            self.parents,
            self.own_signs,
            self.located,
            self._starts,
            self._cache,
        )

    # -------------------------------------------------------------- ontology lookups

    def ancestors(self, cls: str) -> list[str]:
        """cls and its ancestors, nearest first (breadth first, deterministic)."""
        if self._lineages is None:
            self._lineages = lineages(self.parents)
        return list(self._lineages.get(cls, (cls,)))

    def class_sign(self, cls: str | None) -> int | None:
        """tdo:interactionSign of a class, else of its nearest ancestor that has one."""
        if cls is None:
            return None
        for c in self.ancestors(cls):
            if c in self.own_signs:
                return self.own_signs[c]
        return None

    def is_a(self, entity: str, cls_local: str) -> bool:
        """Whether the entity's registry class is cls_local (a tdo local name) or below it."""
        cls = self.types.get(entity)
        return cls is not None and _TDO + cls_local in self.ancestors(cls)

    def is_actor(self, entity: str) -> bool:
        """Whether the entity's registry class is one of ACTOR_TYPES."""
        if self._actors is None:
            self._actors = {e for e, c in self.types.items() if local_name(c) in ACTOR_TYPES}
        return entity in self._actors

    def label(self, iri: str | None) -> str | None:
        return None if iri is None else self.labels.get(iri, local_name(iri))

    # -------------------------------------------------------------- rows and dates

    def fact_date(self, fact: str | None) -> str | None:
        ev = self.evidence.get(fact or "")
        return ev["date"] if ev else None

    def kept(self, fact: str | None) -> bool:
        """False for facts the article denies."""
        ev = self.evidence.get(fact or "")
        return ev is None or not ev["denied"]

    @property
    def starts(self) -> dict[str, str]:
        """Each subject's start (see the module docstring), from view-subject-dates."""
        if self._starts is None:
            starts: dict[str, str] = {}
            for r in self._fetch("subject-dates"):
                if not self.kept(r["fact"]):
                    continue
                if r["kind"] == "typed":
                    ev = self.evidence.get(r["fact"])
                    date = ev["date"] if ev and not ev["article_dated"] else None
                else:
                    date = r["date"]
                if date and (r["subject"] not in starts or date < starts[r["subject"]]):
                    starts[r["subject"]] = date
            self._starts = starts
        return self._starts

    def since(self, fact: str | None, subject: str | None = None) -> str | None:
        """From when a fact's row about subject holds (None: always)."""
        date = self.fact_date(fact)
        start = self.starts.get(subject) if subject else None
        if date and start:
            return min(date, start)
        return date or start

    def holds(self, fact: str | None, subject: str | None = None) -> bool:
        """Whether a row is in this snapshot: its fact is not denied and it holds by as_of."""
        if not self.kept(fact):
            return False
        if self.as_of is None:
            return True
        since = self.since(fact, subject)
        return since is None or since <= self.as_of

    def _fetch(self, name: str) -> list[dict]:
        if name not in self._cache:
            self._cache[name] = _run_view(self.store, name)
        return self._cache[name]

    def rows(self, name: str) -> list[dict]:
        """Rows of a view, with date added and the as-of rule applied (see view_rows)."""
        out = []
        for r in self._fetch(name):
            if "fact" in r:
                # post holders are dated by their own fact only (see the module docstring)
                subject = (
                    None if name == "memberships" else r.get("subject") or r.get("measure") or r.get("event")
                )
                if not self.holds(r["fact"], subject):
                    continue
                r = {**r, "date": self.fact_date(r["fact"])}
            out.append(r)
        return out

    # -------------------------------------------------------------- evidence

    def quotes(self, facts: Iterable[str]) -> list[dict]:
        """Quote records (fact, article, article_id, quote, start, end, date, modality) of facts."""
        keys = ("fact", "article", "article_id", "quote", "start", "end", "date", "modality")
        return [{k: self.evidence[f][k] for k in keys} for f in facts if f in self.evidence]

    def origins(self, facts: Iterable[str]) -> set[str]:
        """The distinct independent origins of the facts."""
        return {self.evidence[f]["origin"] for f in facts if f in self.evidence}


def fact_evidence(store) -> dict[str, dict]:
    """Each fact's article, quote, offsets, origin, modality and date (rows of view-facts)."""
    return Snapshot.load(store).evidence


def entity_labels(store) -> dict[str, str]:
    """rdfs:label of every registry entity (and skos:prefLabel of concepts), by IRI."""
    return Snapshot.load(store).labels


def actor_records(snap: Snapshot) -> dict[str, dict]:
    """label, type (local name) and iri of every actor in the registry, by IRI."""
    return {
        e: {"label": snap.label(e), "type": local_name(c), "iri": e}
        for e, c in snap.types.items()
        if local_name(c) in ACTOR_TYPES
    }


# ------------------------------------------------------------------ memberships and folding


def memberships(snap: Snapshot) -> list[dict]:
    """Who serves whom: rows (member, organization, relation, post, fact, date) in the snapshot.

    relation is "heldBy->postIn" (a person holds a post in a state or agency; dated by the
    heldBy fact), "agencyOf" or "nationality" (from the registry, or from a fact).
    """
    post_in: dict[str, set[str]] = defaultdict(set)
    out = []
    rows = snap.rows("memberships")
    for r in rows:
        if r["relation"] == "postIn":
            post_in[r["subject"]].add(r["object"])
    for r in rows:
        if r["relation"] == "heldBy":
            for org in sorted(post_in.get(r["subject"], ())):
                if snap.is_actor(r["object"]) and snap.is_actor(org):
                    out.append(
                        {
                            "member": r["object"],
                            "organization": org,
                            "relation": "heldBy->postIn",
                            "post": r["subject"],
                            "fact": r["fact"],
                            "date": r.get("date"),
                        }
                    )
        elif (
            r["relation"] in ("agencyOf", "nationality")
            and snap.is_actor(r["subject"])
            and snap.is_actor(r["object"])
        ):
            out.append(
                {
                    "member": r["subject"],
                    "organization": r["object"],
                    "relation": r["relation"],
                    "post": None,
                    "fact": r["fact"],
                    "date": r.get("date"),
                }
            )
    out.sort(key=lambda m: (m["member"], m["organization"], m["relation"], m["fact"] or ""))
    return out


def fold_to_states(actors: dict[str, dict], rows: list[dict]) -> dict[str, str]:
    """The state each actor serves: itself for a state; agency -> state; person -> post -> state.

    A person serves the state of the post they hold (post in a state, or in an agency of a
    state), the one most facts say when there are several, else the state of their nationality.

    Args:
        actors: actor IRI -> {"type": ...}.
        rows: membership rows (member, organization, relation), see :func:`memberships`.

    Returns:
        actor IRI -> state IRI, for the actors that serve a known state.
    """
    states = {a for a, info in actors.items() if info["type"] == "State"}
    agency_state: dict[str, str] = {}
    posts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    nationality: dict[str, str] = {}
    for r in rows:
        member, org, relation = r["member"], r["organization"], r["relation"]
        if relation == "agencyOf" and org in states:
            agency_state.setdefault(member, org)
        elif relation == "nationality" and org in states:
            nationality.setdefault(member, org)
        elif relation == "heldBy->postIn":
            posts[member][org] += 1
    fold = {s: s for s in states}
    fold.update(agency_state)
    for person, orgs in posts.items():
        for org, _count in sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0])):
            state = org if org in states else agency_state.get(org)
            if state:
                fold[person] = state
                break
    for person, state in nationality.items():
        fold.setdefault(person, state)
    return fold


# ------------------------------------------------------------------ the actor graph


def _role_index(snap: Snapshot) -> dict[str, dict[str, dict[str, set[str]]]]:
    """subject -> role -> actor -> facts, from view-roles (places resolved to their state)."""
    index: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    for r in snap.rows("roles"):
        actor = r["actor"]
        if r["role"] == "place":
            actor = _host(snap, actor)
            if actor is None:
                continue
        index[r["subject"]][r["role"]][actor].add(r["fact"])
    return index


def _host(snap: Snapshot, place: str) -> str | None:
    """The state a place stands for: itself when it is a state, else the state it lies in."""
    if snap.is_a(place, "State"):
        return place
    host = snap.located.get(place)
    return host if host and snap.is_a(host, "State") else None


def actor_edges(snap: Snapshot, member_rows: list[dict] | None = None) -> list[tuple[str, str, str, dict]]:
    """Edges (source, target, key, data) of the actor graph, before nodes are added."""
    pairs = [
        (r["role1"], r["role2"], r["relation"], None if r["sign"] is None else int(r["sign"]))
        for r in snap._fetch("role-pairs")
    ]
    stances: dict[tuple[str, str], int] = {}
    for r in snap.rows("stances"):
        stances[(r["fact"], r["subject"])] = int(r["sign"])
    roles = _role_index(snap)
    found: dict[tuple, dict] = {}

    def add(source, target, relation, subject, facts_src, facts_tgt, default_sign, stance_applies):
        if source == target or not (snap.is_actor(source) and snap.is_actor(target)):
            return
        e = found.setdefault((source, target, relation, subject), {"src": set(), "tgt": set(), "signs": {}})
        e["src"] |= facts_src
        e["tgt"] |= facts_tgt
        for fact in facts_src | facts_tgt:
            stance = stances.get((fact, subject)) if stance_applies else None
            e["signs"][fact] = stance if stance is not None else default_sign

    for subject in sorted(roles):
        by_role = roles[subject]
        cls = snap.types.get(subject)
        class_sign = snap.class_sign(cls)
        for role1, role2, relation, fixed in pairs:
            if role1 not in by_role or role2 not in by_role:
                continue
            if role2 == "place" and not snap.is_a(subject, "Visit"):
                continue
            name = relation or local_name(cls) or "related"
            default = next((c for c in (fixed, class_sign) if c is not None), 0)
            for source, facts_src in by_role[role1].items():
                for target, facts_tgt in by_role[role2].items():
                    add(source, target, name, subject, facts_src, facts_tgt, default, role2 in TOWARDS_ROLES)

    for r in snap.rows("links"):
        subject, obj = r["subject"], r["object"]
        sources = _agents(roles, subject) or ({subject} if snap.is_actor(subject) else set())
        targets = _agents(roles, obj) or ({obj} if snap.is_actor(obj) else set())
        for source in sorted(sources):
            for target in sorted(targets):
                add(source, target, r["relation"], subject, {r["fact"]}, {r["fact"]}, int(r["sign"]), True)

    edges = []
    for (source, target, relation, subject), e in found.items():
        both = e["src"] & e["tgt"]
        facts = sorted(both or (e["src"] | e["tgt"]))
        sign = sign_of(sum(e["signs"][f] for f in facts))
        dates = [d for f in facts if (d := snap.since(f, subject))]
        edges.append(
            (
                source,
                target,
                f"{relation} {subject}",
                {
                    "relation": relation,
                    "sign": sign,
                    "date": min(dates) if dates else None,
                    "weight": len(snap.origins(facts)),
                    "facts": facts,
                    "quotes": snap.quotes(facts),
                    "subject": subject,
                    "subject_label": snap.label(subject),
                    "subject_type": local_name(snap.types.get(subject)),
                },
            )
        )
    for m in _membership_edges(member_rows if member_rows is not None else memberships(snap)):
        edges.append(m)
    for i, (s, t, k, d) in enumerate(edges):
        if d["relation"] in MEMBERSHIP_RELATIONS:
            d["quotes"] = snap.quotes(d["facts"])
            d["weight"] = len(snap.origins(d["facts"])) if d["facts"] else REGISTRY_WEIGHT
            d["subject_label"] = snap.label(d["subject"])
            edges[i] = (s, t, k, d)
    edges.sort(key=lambda e: (e[0], e[1], e[2]))
    return edges


def _agents(roles, subject: str) -> set[str]:
    by_role = roles.get(subject, {})
    return {a for role in AGENT_ROLES for a in by_role.get(role, {})}


def _membership_edges(rows: list[dict]) -> list[tuple[str, str, str, dict]]:
    grouped: dict[tuple, dict] = {}
    for r in rows:
        key = (r["member"], r["organization"], r["relation"])
        info = grouped.setdefault(key, {"facts": {}, "post": r["post"]})
        if r["fact"]:
            info["facts"][r["fact"]] = r["date"]
    out = []
    for (member, org, relation), info in grouped.items():
        facts = sorted(info["facts"])
        dates = [d for d in info["facts"].values() if d]
        out.append(
            (
                member,
                org,
                f"{relation} {info['post'] or org}",
                {
                    "relation": relation,
                    "sign": 0,
                    "date": min(dates) if dates else None,
                    "weight": REGISTRY_WEIGHT,
                    "facts": facts,
                    "quotes": [],
                    "subject": info["post"],
                    "subject_label": None,
                    "subject_type": "Post" if info["post"] else None,
                },
            )
        )
    return out


def actor_graph(store, as_of: str | dt.date | None = None) -> nx.MultiDiGraph:
    """The actor graph: states, people and agencies joined by what the facts say they did.

    Edges pair the actors in two roles of one subject (view-roles, view-role-pairs), follow
    links between subjects (view-links: opposes, supports, responseTo, retaliatesAgainst) and
    say whom actors serve (view-memberships: posts held, agencies, nationalities). One edge per
    (source, target, relation, subject); its facts are those stating both ends when there are
    any, else those stating either end; its sign is the sign of the sum of its facts' signs.

    Node attributes: ``label``, ``type`` (class local name), ``iri``, ``state`` (the state the
    actor serves, or None). Edge attributes: ``relation``, ``sign`` (+1, -1, 0), ``date`` (since
    when, ISO text or None), ``weight`` (independent origins of its facts; registry links weigh
    1), ``facts`` (fact IRIs), ``quotes`` (dicts with fact, article, article_id, quote, start,
    end, date, modality), ``subject``, ``subject_label`` and ``subject_type`` (the event,
    measure or post behind it, or None).

    Args:
        store: an open pyoxigraph store, a build folder, or a Snapshot.
        as_of: keep only what was announced or in force by this date.

    Returns:
        A MultiDiGraph; node ids are entity IRIs, edge keys ``"<relation> <subject>"``.

    Example:
        >>> g = actor_graph("build", as_of="2025-04-22")
        >>> g.nodes["https://w3id.org/trade-dispute/id/japan"]["type"]
        'State'
    """
    snap = Snapshot.load(store, as_of, prefetch=ACTOR_VIEWS)
    member_rows = memberships(snap)
    edges = actor_edges(snap, member_rows)
    actors = actor_records(snap)
    fold = fold_to_states(actors, member_rows)
    graph = nx.MultiDiGraph(as_of=snap.as_of, projection="actors")
    # nodes in sorted order so that every algorithm sees the same graph on every run
    for node in sorted({n for s, t, _, _ in edges for n in (s, t)}):
        info = actors.get(
            node, {"label": snap.label(node), "type": local_name(snap.types.get(node)), "iri": node}
        )
        graph.add_node(node, **info, state=fold.get(node))
    for source, target, key, data in edges:
        graph.add_edge(source, target, key=key, **data)
    return graph


# ------------------------------------------------------------------ the signed state graph


def _episodes(subjects: Iterable[str], links: dict[str, set[str]]) -> list[list[str]]:
    """Group subjects into episodes: connected components of the partOf/reason links among them.

    Only links whose two ends are both in ``subjects`` count, so two interactions of a pair are
    never joined through a third thing outside the pair.
    """
    members = set(subjects)
    seen: set[str] = set()
    groups = []
    for start in sorted(members):
        if start in seen:
            continue
        seen.add(start)
        group, stack = [], [start]
        while stack:
            s = stack.pop()
            group.append(s)
            for other in links.get(s, ()):
                if other in members and other not in seen:
                    seen.add(other)
                    stack.append(other)
        groups.append(sorted(group))
    return groups


def state_graph(store, as_of: str | dt.date | None = None, actors: nx.MultiDiGraph | None = None) -> nx.Graph:
    """The signed state graph: people and agencies folded into the states they serve.

    Every non-membership edge of the actor graph between actors serving two different states
    counts for that pair. Aggregation rule, per pair of states:

    1. The interactions (subjects) of the pair are grouped into *episodes*: subjects linked by
       tdo:partOf or tdo:reason, both between the same pair, are one episode (a letter and the
       request it carries; tensions and the disputes given as their reasons).
    2. A subject's sign is the sign of the sum of its relations' signs; an episode's sign is the
       sign of the sum of its subjects' signs; its weight is the number of independent origins
       of its facts.
    3. The pair's score is the sum over episodes of sign x weight; the edge's ``sign`` is the
       sign of the score (0 when cooperation and conflict weigh the same).

    Edge attributes: ``sign``, ``score``, ``weight`` (independent origins of all its facts),
    ``facts``, ``quotes``, ``relations``, ``cooperation`` / ``conflict`` / ``neutral`` (episodes
    of each sign) and ``episodes`` (subjects, labels, sign, weight, relations, facts of each).

    Args:
        store: an open pyoxigraph store, a build folder, or a Snapshot.
        as_of: keep only what was announced or in force by this date.
        actors: an actor graph already built with the same as_of (saves rebuilding it).

    Returns:
        An undirected nx.Graph whose nodes are state IRIs (attributes label, type, iri).

    Example:
        >>> g = state_graph("build")
        >>> japan, china = (str(ID[k]) for k in ("japan", "china"))
        >>> g.edges[japan, china]["sign"]
        1
    """
    snap = Snapshot.load(store, as_of, prefetch=() if actors is not None else (*ACTOR_VIEWS, "episode-links"))
    actors = actors if actors is not None else actor_graph(snap, snap.as_of)
    links: dict[str, set[str]] = defaultdict(set)
    for r in snap.rows("episode-links"):
        links[r["subject"]].add(r["other"])
        links[r["other"]].add(r["subject"])

    # pair -> subject -> {"relations": {relation: [signs]}, "facts": set}
    pairs: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    for u, v, data in actors.edges(data=True):
        if data["relation"] in MEMBERSHIP_RELATIONS:
            continue
        su, sv = actors.nodes[u].get("state"), actors.nodes[v].get("state")
        if not su or not sv or su == sv:
            continue
        pair = (su, sv) if su < sv else (sv, su)
        subject = pairs[pair].setdefault(data["subject"], {"relations": defaultdict(list), "facts": set()})
        subject["relations"][data["relation"]].append(data["sign"])
        subject["facts"].update(data["facts"])

    graph = nx.Graph(as_of=snap.as_of, projection="states")
    for pair in sorted(pairs):
        for state in pair:
            if state not in graph:
                graph.add_node(state, label=snap.label(state), type="State", iri=state)
        graph.add_edge(*pair, **_pair_summary(pairs[pair], links, snap))
    return graph


def _pair_summary(subjects: dict[str, dict], links: dict[str, set[str]], snap: Snapshot) -> dict:
    summary = []
    score = 0
    for members in _episodes(subjects, links):
        subject_signs = []
        relations: set[str] = set()
        facts: set[str] = set()
        for s in members:
            rel = subjects[s]["relations"]
            relations.update(rel)
            subject_signs.append(sign_of(sum(sign_of(sum(v)) for v in rel.values())))
            facts.update(subjects[s]["facts"])
        sign = sign_of(sum(subject_signs))
        weight = len(snap.origins(facts))
        score += sign * weight
        summary.append(
            {
                "subjects": members,
                "labels": [snap.label(s) for s in members],
                "sign": sign,
                "weight": weight,
                "relations": sorted(relations),
                "facts": sorted(facts),
            }
        )
    all_facts = sorted({f for ep in summary for f in ep["facts"]})
    return {
        "sign": sign_of(score),
        "score": score,
        "weight": len(snap.origins(all_facts)),
        "facts": all_facts,
        "quotes": snap.quotes(all_facts),
        "relations": sorted({r for ep in summary for r in ep["relations"]}),
        "cooperation": sum(1 for ep in summary if ep["sign"] > 0),
        "conflict": sum(1 for ep in summary if ep["sign"] < 0),
        "neutral": sum(1 for ep in summary if ep["sign"] == 0),
        "episodes": summary,
    }


# ------------------------------------------------------------------ the measures graph


MEASURE_LINKS = {"target": 1, "beneficiary": 1, "excludes": -1}
"""Measure properties that give an imposer -> actor edge, and how they turn the class sign."""


def measure_records(rows: list[dict], snap: Snapshot | None = None) -> dict[str, dict]:
    """Assemble the long rows of view-measures into one record per measure.

    Args:
        rows: view-measures rows (fact, measure, property, value, date; modality optional).
        snap: keeps only subjects whose registry class is a trade measure, and labels values;
            without it every row's subject counts (class from a ``class`` column if present).

    Returns:
        measure IRI -> {"class", "imposers" ({actor: facts}), "links" (relation -> {actor:
        facts}), "rates" (list of {date, rate, rate_kind, fact, modality}), "statuses" (list
        of {date, status, fact}), "products" ({iri: label}), "scope", "announced", "effective",
        "suspends" and "retaliates_against" ({measure: facts}), "duration", "facts" ({fact: date})}.
    """
    records: dict[str, dict] = {}
    per_fact: dict[tuple[str, str], dict] = {}
    label = snap.label if snap else local_name
    for r in rows:
        measure = r["measure"]
        if snap is not None and not snap.is_a(measure, "TradeMeasure"):
            continue
        m = records.get(measure)
        if m is None:
            cls = snap.types.get(measure) if snap else r.get("class")
            m = records[measure] = {
                "class": local_name(cls),
                "imposers": {},
                "links": {k: {} for k in MEASURE_LINKS},
                "rates": [],
                "statuses": [],
                "products": {},
                "scope": None,
                "announced": None,
                "effective": None,
                "suspends": {},
                "retaliates_against": {},
                "duration": None,
                "facts": {},
            }
        prop, value, fact, date = r["property"], r["value"], r["fact"], r.get("date")
        m["facts"][fact] = date
        modality = snap.evidence.get(fact, {}).get("modality") if snap else local_name(r.get("modality"))
        entry = per_fact.setdefault((measure, fact), {"date": date, "modality": modality})
        if prop == "imposedBy":
            m["imposers"].setdefault(value, []).append(fact)
        elif prop in MEASURE_LINKS:
            m["links"][prop].setdefault(value, []).append(fact)
        elif prop == "rate":
            entry["rate"] = float(value)
        elif prop == "rateKind":
            entry["rate_kind"] = label(value)
        elif prop == "status":
            m["statuses"].append({"date": date, "status": label(value), "fact": fact})
        elif prop == "affectsProduct":
            m["products"][value] = label(value)
        elif prop == "scope":
            m["scope"] = m["scope"] or value
        elif prop in ("announcedOn", "effectiveFrom"):
            key = "announced" if prop == "announcedOn" else "effective"
            m[key] = min(m[key] or value, value)
        elif prop in ("suspends", "retaliatesAgainst"):
            key = "suspends" if prop == "suspends" else "retaliates_against"
            m[key].setdefault(value, []).append(fact)
        elif prop == "duration":
            m["duration"] = value
    for (measure, fact), entry in per_fact.items():
        if "rate" in entry:
            rate = entry["rate"]
            records[measure]["rates"].append(
                {
                    "date": entry["date"],
                    "rate": int(rate) if rate.is_integer() else rate,
                    "rate_kind": entry.get("rate_kind"),
                    "fact": fact,
                    "modality": entry["modality"],
                }
            )
    for m in records.values():
        m["rates"].sort(key=lambda x: (x["date"] or "", x["fact"]))
        m["statuses"].sort(key=lambda x: (x["date"] or "", x["fact"]))
    return records


def latest_rate(rates: list[dict]) -> dict | None:
    """The rate of the latest date; on one date a baseline (or unqualified) rate before a maximum."""
    if not rates:
        return None
    last = rates[-1]["date"]
    same_day = [r for r in rates if r["date"] == last]
    order = {"baseline": 0, None: 1, "additional": 2, "maximum": 3}
    return sorted(same_day, key=lambda r: (order.get(r["rate_kind"], 4), r["fact"]))[0]


def measures_graph(store, as_of: str | dt.date | None = None) -> nx.MultiDiGraph:
    """The measures graph: imposer -> target of each trade measure, with rate, status and products.

    One edge per (measure, relation, imposer, actor) where relation is ``target``,
    ``beneficiary`` (an import quota's beneficiary) or ``excludes`` (a state left out of a
    pause). Measures without any target (a universal baseline tariff) are listed in
    ``graph.graph["untargeted"]``.

    Edge attributes: ``measure``, ``label``, ``type`` (class local name), ``relation``, ``sign``
    (class sign; reversed for ``excludes``), ``rate`` and ``rate_kind`` (latest stated),
    ``rates`` (every stated rate with date and fact), ``status`` (latest), ``products`` (labels),
    ``date`` (since when), ``weight`` (independent origins), ``facts``, ``quotes``,
    ``retaliates_against`` and ``suspends`` (measure IRIs).

    Args:
        store: an open pyoxigraph store, a build folder, or a Snapshot.
        as_of: keep only what was announced or in force by this date.

    Returns:
        A MultiDiGraph; node ids are actor IRIs (attributes label, type, iri).

    Example:
        >>> g = measures_graph("build")
        >>> [d["rate"] for _, _, d in g.edges(data=True) if d["label"] == "China's tariffs on US goods"]
        [125]
    """
    snap = Snapshot.load(store, as_of, prefetch=("measures", "subject-dates"))
    records = measure_records(snap.rows("measures"), snap)
    actors = actor_records(snap)
    graph = nx.MultiDiGraph(as_of=snap.as_of, projection="measures", untargeted=[])
    edges = []
    for measure in sorted(records):
        m = records[measure]
        facts = sorted(m["facts"])
        dates = [d for f in facts if (d := snap.since(f, measure))]
        # rates and statuses change over time: each counts from its own fact's date, not the
        # measure's start, so a snapshot shows the rate and status of its day
        rates = [r for r in m["rates"] if not snap.as_of or (r["date"] or "") <= snap.as_of]
        statuses = [r for r in m["statuses"] if not snap.as_of or (r["date"] or "") <= snap.as_of]
        latest = latest_rate(rates) or {}
        base = {
            "measure": measure,
            "label": snap.label(measure),
            "type": m["class"],
            "rates": rates,
            "rate": latest.get("rate"),
            "rate_kind": latest.get("rate_kind"),
            "status": statuses[-1]["status"] if statuses else None,
            "products": sorted(m["products"].values()),
            "scope": m["scope"],
            "announced": m["announced"],
            "effective": m["effective"],
            "date": min(dates) if dates else None,
            "retaliates_against": sorted(m["retaliates_against"]),
            "suspends": sorted(m["suspends"]),
        }
        linked = [(rel, actor) for rel in MEASURE_LINKS for actor in sorted(m["links"][rel])]
        if not linked:
            graph.graph["untargeted"].append({**base, "imposers": sorted(m["imposers"]), "facts": facts})
            continue
        class_sign = snap.class_sign(snap.types.get(measure)) or 0
        for imposer in sorted(m["imposers"]):
            for rel, actor in linked:
                if actor == imposer:
                    continue
                # facts stating this imposer or this actor, as for the actor graph
                edge_facts = sorted(set(m["imposers"][imposer]) | set(m["links"][rel][actor]))
                data = dict(base)
                data.update(
                    relation=rel,
                    sign=class_sign * MEASURE_LINKS[rel],
                    weight=len(snap.origins(edge_facts)),
                    facts=edge_facts,
                    quotes=snap.quotes(edge_facts),
                )
                edges.append((imposer, actor, f"{rel} {measure}", data))
    for node in sorted({n for s, t, _, _ in edges for n in (s, t)}):
        graph.add_node(
            node,
            **actors.get(
                node, {"label": snap.label(node), "type": local_name(snap.types.get(node)), "iri": node}
            ),
        )
    for s, t, key, data in edges:
        graph.add_edge(s, t, key=key, **data)
    return graph


# ------------------------------------------------------------------ finding actors


def resolve_actor(graph: nx.Graph, key: str) -> str:
    """The node of graph named by a registry key, an IRI, or a label (any case).

    Raises:
        AnalysisError: no node matches (with the closest key or label as a hint).

    Example:
        >>> resolve_actor(actor_graph("build"), "pete-hegseth")
        'https://w3id.org/trade-dispute/id/pete-hegseth'
    """
    text = key.strip()
    for candidate in (text, _ID + text):
        if candidate in graph:
            return candidate
    by_label = {str(d.get("label", "")).casefold(): n for n, d in graph.nodes(data=True)}
    if text.casefold() in by_label:
        return by_label[text.casefold()]
    from kg.seeds.corpus import did_you_mean

    keys = [n[len(_ID) :] for n in graph if str(n).startswith(_ID)]
    hint = did_you_mean(text, keys) or did_you_mean(
        text, [d.get("label", "") for _, d in graph.nodes(data=True)]
    )
    raise AnalysisError(f"no actor '{key}' in the graph{hint}")


def projection(store, view: str = "actor", as_of: str | dt.date | None = None) -> nx.Graph:
    """The projection ``--view`` names: the actor graph, the signed state graph or the measures graph.

    Example:
        >>> graph = projection("build", "state")
        >>> graph.number_of_nodes(), graph.number_of_edges()
        (4, 6)
    """
    builders = {"actor": actor_graph, "state": state_graph, "measures": measures_graph}
    if view not in builders:
        raise AnalysisError(f"no projection '{view}' (choose from {', '.join(PROJECTIONS)})")
    return builders[view](store, as_of=as_of)
