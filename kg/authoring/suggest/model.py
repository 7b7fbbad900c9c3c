"""What the assistant proposes (mentions, dates, candidate entries and facts) and how a proposed fact is made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.authoring.suggest.context import Context
from kg.seeds.anchor import AnchorFailure, anchor_quote
from kg.seeds.corpus import Source


@dataclass(frozen=True)
class Mention:
    """A surface form of a registry entity at ``text[start:end]``."""

    key: str
    type: str
    start: int
    end: int
    text: str
    via: str  # label | alias | derived | country | title | rate | anaphor | parties | dateline | new


@dataclass(frozen=True)
class DateMention:
    """A relative date expression resolved against the article's date."""

    start: int
    end: int
    text: str
    value: str
    inferred_from: str


@dataclass
class EntityCandidate:
    """A proposed new registry entry, with the evidence for it."""

    key: str
    type: str
    label: str
    start: int
    end: int
    text: str
    reason: str
    fields: dict[str, str] = field(default_factory=dict)
    type_reason: str = ""


@dataclass
class FactSuggestion:
    """A proposed fact: fields in the fact-file format, anchored at ``text[start:end]``."""

    id: str
    kind: str  # post | statement | rate
    quote: str
    start: int
    end: int
    occurrence: int | None
    fields: dict[str, object]
    needs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Suggestions:
    """Everything ``kg suggest`` found in one article."""

    article_id: str
    mentions: list[Mention]
    candidates: list[EntityCandidate]
    facts: list[FactSuggestion]
    dates: list[DateMention]
    new_mentions: list[Mention] = field(default_factory=list)
    """Every occurrence of a candidate new entity's name (``via="new"``)."""


@dataclass
class Actor:
    """A mention usable as a speaker, holder or imposer: a registry key or a new candidate."""

    key: str
    type: str
    start: int
    end: int
    new: bool


def occurrence(text: str, quote: str, start: int, source: Source) -> int | None:
    """The ``occurrence`` a quote at ``start`` needs (None when it is unique), checked with kg.seeds.anchor."""
    ranges = tuple((ex.start, ex.end) for ex in source.excluded)
    found = anchor_quote(text, quote, None, excluded=ranges)
    if not isinstance(found, AnchorFailure) and found.start == start:
        return None
    n = 1
    while True:
        found = anchor_quote(text, quote, n, excluded=ranges)
        if isinstance(found, AnchorFailure):
            raise AssertionError(f"quote {quote!r} at {start} cannot be anchored")  # a bug, not user input
        if found.start == start:
            return n
        n += 1


class Ids:
    """Fact ids not taken yet: ``new("a005-x")`` gives ``a005-x``, then ``a005-x-2``, ..."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def new(self, base: str) -> str:
        """The base, or the base with the first free number after it; taken from now on."""
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def make_fact(
    ctx: Context, ids: Ids, kind: str, base: str, start: int, end: int, fields: dict
) -> FactSuggestion:
    """A suggestion of the given kind quoting ``text[start:end]`` of the context's article, with a new id."""
    text = ctx.source.text
    quote = text[start:end]
    return FactSuggestion(
        ids.new(base), kind, quote, start, end, occurrence(text, quote, start, ctx.source), fields
    )


def skip_space(text: str, at: int) -> int:
    """The first offset from ``at`` that is not a space."""
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def in_excluded(start: int, end: int, excluded) -> bool:
    """Whether [start, end) overlaps page furniture (ranges with ``start`` and ``end``)."""
    return any(start < ex.end and ex.start < end for ex in excluded)


def slug(text: str) -> str:
    """A registry key made from a name: ``"Yoji Muto"`` -> ``"yoji-muto"``.

    Example:
        >>> slug("Côte d’Ivoire")
        'cote-d-ivoire'
    """
    import unicodedata

    # apostrophes separate words ("d’Ivoire"); accents are dropped, not the letters they sit on
    ascii_text = unicodedata.normalize("NFKD", re.sub(r"[’'`]", "-", text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "entity"
