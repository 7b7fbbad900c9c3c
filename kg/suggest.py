"""Annotation assistant: find known entities, candidate new ones and candidate facts in an article.

``kg suggest`` does the clerical part of annotating a new article and leaves every judgement to
the annotator. It links surface forms to the registry (labels and aliases of
``seeds/entities.yaml``, country names from pycountry), flags capitalised names that match
nothing, and proposes facts for a few recognisable patterns (post holders, "X said" / "X told
Y", tariff rates, relative dates). Everything is written as commented-out YAML: candidate facts
at the end of ``seeds/facts/<id>.yaml``, candidate registry entries in
``seeds/entities/<id>.yaml``. Nothing enters the graph until a person uncomments it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.anchor import AnchorFailure, anchor_quote
from kg.errors import KgError, SeedError
from kg.seeds import Entity, Fact, SeedPaths, Source, load_fact_file, load_registry, load_sources
from kg.terms import Vocabulary, vocabulary

MEASURE_WORDS = r"tariffs?|dut(?:y|ies)|lev(?:y|ies)|import tax(?:es)?|taxes"
RATE_RE = re.compile(r"(?<![\w.])(\d{1,4}(?:\.\d+)?)\s?(?:%|per ?cent\b|percent\b)")
MEASURE_RE = re.compile(rf"\b(?:{MEASURE_WORDS})\b", re.IGNORECASE)
SPEECH_VERBS = {
    "said": "Statement", "says": "Statement", "added": "Statement", "stated": "Statement",
    "continued": "Statement", "confirmed": "Statement", "claimed": "Statement",
    "told": "Statement", "tells": "Statement",
    "warned": "Warning", "cautioned": "Warning",
    "reported": "Report",
}  # fmt: skip
"""Verbs that introduce something said, and the event class of what is said."""
SPEECH_RE = re.compile(r"\b(" + "|".join(SPEECH_VERBS) + r")\b")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DATE_RE = re.compile(
    r"\b(?:((?i:on|last|next|this|since|starting|from|by|until))\s+)?(" + "|".join(WEEKDAYS) + r")\b"
    r"|\b(yesterday|today|over the weekend)\b"
)
FUTURE_RE = re.compile(r"\b(?:will|(?:is|are) set to|(?:is|are) expected to (?:begin|start|meet|hold))\b")
"""Words that put a sentence's weekday in the future ("will travel ... Wednesday")."""
TITLE_WORDS = (
    "Minister", "President", "Premier", "Secretary", "Ambassador", "Chancellor", "Governor",
    "Commissioner", "Representative", "Spokesperson", "Spokesman", "Spokeswoman", "Chairman",
    "Chair", "Envoy", "Director", "Senator", "Mayor", "Chief",
)  # fmt: skip
"""Words of a title that comes before a name ("Trade Minister Kenji Moriyama")."""
TITLE_RE = re.compile(r"\b(?:" + "|".join(TITLE_WORDS) + r")\b")
STOP_WORDS = frozenset(
    (
        "a", "an", "the", "this", "that", "these", "those", "there", "here", "however", "but", "and", "or",
        "so", "yet", "despite", "during", "under", "as", "in", "on", "at", "for", "with", "although",
        "though", "when", "while", "after", "before", "if", "it", "its", "he", "she", "they", "we", "i",
        "you", "our", "his", "her", "their", "my", "your", "mr", "mrs", "ms", "dr", "also", "meanwhile",
        "still", "even", "not", "no", "yes", "some", "many", "most", "all", "both", "each", "every",
        "other", "another", "such", "what", "which", "who", "whom", "whose", "where", "why", "how", "than",
        "then", "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday",
    )
)  # fmt: skip
"""Capitalised words that begin sentences or name dates, never entities by themselves."""
EVENT_WORDS = re.compile(r"\b(?:Day|Summit|Conference|Talks|Act|Agreement|Accord|Treaty|Round|Dialogue)\b")
OUTLET_WORDS = re.compile(
    r"\b(?:News|Times|Post|Journal|Herald|Press|TV|Television|Broadcasting|Daily|Tribune|Gazette|Radio)\b"
)
ORG_WORDS = re.compile(
    r"\b(?:Ministry|Department|Commission|Council|Bank|Office|Organi[sz]ation|Union|Association|"
    r"Federation|Corporation|Corp|Inc|Group|Company|Motors|Party|Agency|Bureau|Authority|"
    r"Institute|Forum|Fund|Committee|Parliament|Congress|Senate|Court)\b"
)
_ABBREVIATION_END = re.compile(
    r"(?:\b[A-Z]|\bMr|\bMrs|\bMs|\bDr|\bSt|\bJr|\bNo|\bvs|\bGen|\bGov|\bSen|\bRep)$"
)
_TARGET_BEFORE = re.compile(
    r"\b(?:on|against|targeting|from)\s+(?:(?:all|the|its|their|imports?|goods|exports?|products)\s+(?:from\s+)?)*$"
)
"""What comes right before the state a measure targets: "on China", "on imports from Japan"."""
_NAME_RE = re.compile(r"[A-Z][\w’'\-]*(?:[ ](?:(?:of|for|de|la|von|van|bin|al)[ ])?[A-Z][\w’'\-]*)*")


@dataclass(frozen=True)
class Mention:
    """A surface form of a registry entity at ``text[start:end]``."""

    key: str
    type: str
    start: int
    end: int
    text: str
    via: str  # label | alias | country


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


@dataclass
class WriteResult:
    """What :func:`write_suggestions` appended, and where."""

    fact_file: Path
    entity_file: Path
    facts_written: list[str]
    entities_written: list[str]
    skipped: list[str]


# ---------------------------------------------------------------- context


@dataclass
class _Context:
    vocab: Vocabulary
    entities: dict[str, Entity]
    source: Source
    facts: list[Fact]
    fact_ids: set[str]
    article_no: str


def _load_context(seeds: Path | str, article_id: str) -> _Context:
    paths = SeedPaths(Path(seeds))
    if not paths.root.is_dir():
        raise KgError(f"seeds folder not found: {paths.root}")
    vocab = vocabulary()
    entities, problems = load_registry(paths.registry_files(), vocab)
    if problems:
        raise SeedError(problems)
    sources, _ = load_sources(paths.sources, paths.articles, entities)
    if article_id not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise KgError(
            f"article '{article_id}' is not in {paths.sources} (known: {known}); add it with `kg add`"
        )
    facts: list[Fact] = []
    fact_ids: set[str] = set()
    for path in paths.fact_files():
        # facts that fail validation are skipped: suggestions must work on a half-annotated corpus
        loaded, _, _ = load_fact_file(path, sources, entities, vocab)
        facts += loaded
        fact_ids |= set(re.findall(r"^[#\s]*-?\s*id:\s*([a-z0-9-]+)", path.read_text(encoding="utf-8"), re.M))
    return _Context(vocab, entities, sources[article_id], facts, fact_ids, article_id.split("_")[0])


# ---------------------------------------------------------------- mentions


def _form_pattern(form: str) -> re.Pattern:
    # letters or digits next to a form mean it is part of a longer word ("US" in "USA")
    return re.compile(r"(?<![\w])" + re.escape(form) + r"(?![\w])")


def _in_excluded(start: int, end: int, excluded) -> bool:
    return any(start < ex.end and ex.start < end for ex in excluded)


def find_mentions(text: str, entities: dict[str, Entity], excluded=()) -> list[Mention]:
    """Every occurrence of a registry label or alias, case-sensitive and on word boundaries.

    Nested mentions of other entities are kept ("US" inside "US President": the state is
    mentioned too); a form inside a longer form of the same entity is not ("Trump" inside
    "Donald Trump").

    Args:
        text: the article.
        entities: the registry.
        excluded: ranges of page furniture (objects with ``start`` and ``end``) to skip.

    Returns:
        Mentions sorted by position, longest first at the same start.

    Example:
        >>> from kg.seeds import Entity
        >>> reg = {"japan": Entity("japan", "State", "Japan", ("Tokyo",), None, None, (), "", 0)}
        >>> [(m.key, m.start) for m in find_mentions("Tokyo and Japan", reg)]
        [('japan', 0), ('japan', 10)]
    """
    found: dict[tuple[int, int, str], Mention] = {}
    for entity in entities.values():
        forms = [(entity.label, "label")] + [(a, "alias") for a in entity.aliases]
        for form, via in forms:
            for match in _form_pattern(form).finditer(text):
                start, end = match.span()
                if _in_excluded(start, end, excluded):
                    continue
                found.setdefault(
                    (start, end, entity.key),
                    Mention(entity.key, entity.type, start, end, form, via),
                )
    mentions = sorted(found.values(), key=lambda m: (m.start, -m.end, m.key))
    return _resolve_city_metonyms(text, _drop_same_key_nested(mentions))


def _resolve_city_metonyms(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name that is both a state's alias and a place ("Tokyo") means the place after "to", "in",
    "at", "from" or before "-based", and the state otherwise (the ontology's metonym rule)."""
    by_span: dict[tuple[int, int], list[Mention]] = {}
    for m in mentions:
        by_span.setdefault((m.start, m.end), []).append(m)
    drop: set[tuple[int, int, str]] = set()
    for (start, end), group in by_span.items():
        places = [m for m in group if m.type == "Place"]
        states = [m for m in group if m.type == "State"]
        if not places or not states:
            continue
        as_place = re.search(
            r"\b(?:to|in|at|from|near|visit(?:s|ed|ing)?)\s+$", text[max(0, start - 12) : start]
        )
        as_place = as_place or text.startswith("-based", end)
        for m in states if as_place else places:
            drop.add((m.start, m.end, m.key))
    return [m for m in mentions if (m.start, m.end, m.key) not in drop]


def _drop_same_key_nested(mentions: list[Mention]) -> list[Mention]:
    """ "Trump" inside "Donald Trump" is the same mention of the same entity: keep the longer."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for m in mentions:
        spans.setdefault(m.key, []).append((m.start, m.end))
    return [
        m for m in mentions
        if not any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in spans[m.key])
    ]  # fmt: skip


@lru_cache(maxsize=1)
def _country_patterns() -> list[tuple[str, str, re.Pattern]]:
    import pycountry

    patterns = []
    for country in pycountry.countries:
        label = getattr(country, "common_name", None) or country.name
        names = {country.name, label, getattr(country, "official_name", None)}
        for name in sorted(n for n in names if n and "," not in n):
            patterns.append((label, name, _form_pattern(name)))
    return patterns


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


def find_countries(
    text: str, entities: dict[str, Entity], mentions: list[Mention], excluded=()
) -> tuple[list[Mention], list[EntityCandidate]]:
    """Country names (from pycountry) in the text: registry states, or candidate new states.

    Args:
        text: the article.
        entities: the registry.
        mentions: the registry mentions already found (a country name inside one is skipped).
        excluded: ranges of page furniture.

    Returns:
        Extra mentions of registry states under their ISO names, and candidate new states.
    """
    states = {e.label: e.key for e in entities.values() if e.type == "State"}
    for e in entities.values():
        if e.type == "State":
            states.update({a: e.key for a in e.aliases})
    covered = {(m.start, m.end) for m in mentions}
    extra: list[Mention] = []
    candidates: dict[str, EntityCandidate] = {}
    for label, name, pattern in _country_patterns():
        for match in pattern.finditer(text):
            start, end = match.span()
            if (start, end) in covered or _in_excluded(start, end, excluded):
                continue
            if any(m.start <= start and end <= m.end for m in mentions):
                continue
            key = states.get(label) or states.get(name)
            if key:
                extra.append(Mention(key, "State", start, end, name, "country"))
            else:
                candidates.setdefault(
                    slug(label),
                    EntityCandidate(
                        slug(label),
                        "State",
                        label,
                        start,
                        end,
                        name,
                        "country name (ISO 3166, pycountry)",
                    ),
                )
    return extra, list(candidates.values())


# ---------------------------------------------------------------- sentences and dates


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at line breaks and at . ! ? before a space.

    Example:
        >>> t = "Mr Trump spoke. The U.S. Treasury agreed.\\nNext line"
        >>> [t[s:e] for s, e in sentences(t)]
        ['Mr Trump spoke.', 'The U.S. Treasury agreed.', 'Next line']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.!?][\"”’)\]]*(?=\s)|\n", text):
        if match.group() != "\n" and _ABBREVIATION_END.search(
            text[max(0, match.start() - 4) : match.start()]
        ):
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def resolve_date(expression: str, article_date: dt.date, future: bool = False) -> tuple[dt.date, str] | None:
    """The day a relative expression means in an article of the given date.

    ``on Tuesday`` is the latest Tuesday on or before the article's date (news reports the past),
    or the next one from that date when ``future`` (the sentence speaks of what will happen);
    ``last Wednesday`` is strictly before, ``next Friday`` strictly after.

    Args:
        expression: e.g. ``"on Tuesday"``, ``"last Wednesday"``, ``"yesterday"``.
        article_date: the article's publication date.
        future: the sentence is about the future.

    Returns:
        (date, how it was resolved), or None when the expression is not understood.

    Example:
        >>> resolve_date("last Wednesday", dt.date(2025, 3, 31))[0]
        datetime.date(2025, 3, 26)
    """
    words = expression.lower().split()
    if words == ["yesterday"]:
        return article_date - dt.timedelta(days=1), "the day before"
    if words == ["today"]:
        return article_date, "the same day"
    if words[-1] == "weekend":
        back = (article_date.weekday() - 6) % 7
        return article_date - dt.timedelta(days=back), "the Sunday of the latest weekend"
    names = [w.lower() for w in WEEKDAYS]
    if words[-1] not in names:
        return None
    wanted = names.index(words[-1])
    modifier = words[0] if len(words) > 1 else ""
    back = (article_date.weekday() - wanted) % 7
    ahead = (wanted - article_date.weekday()) % 7
    day = WEEKDAYS[wanted]
    if modifier == "last":
        return article_date - dt.timedelta(days=back or 7), f"the {day} before it"
    if modifier == "next":
        return article_date + dt.timedelta(days=ahead or 7), f"the {day} after it"
    if future or modifier in ("starting", "from", "by", "until"):
        return article_date + dt.timedelta(days=ahead), f"the sentence looks ahead: the next {day} from it"
    return article_date - dt.timedelta(days=back), f"the latest {day} up to it"


def find_dates(text: str, article_date: dt.date | None, excluded=()) -> list[DateMention]:
    """Relative dates ("on Tuesday", "last Wednesday", "yesterday") resolved against the article's date.

    Args:
        text: the article.
        article_date: its date (day precision); without one nothing can be resolved.
        excluded: ranges of page furniture.

    Returns:
        The resolved dates, each with an ``inferred_from`` sentence in the style of the seeds.
    """
    if article_date is None:
        return []
    out: list[DateMention] = []
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        future = bool(FUTURE_RE.search(sentence))
        for match in DATE_RE.finditer(sentence):
            start, end = s_start + match.start(), s_start + match.end()
            if _in_excluded(start, end, excluded):
                continue
            resolved = resolve_date(match.group(), article_date, future)
            if resolved is None:
                continue
            day, how = resolved
            weekday = WEEKDAYS[article_date.weekday()][:3]
            out.append(
                DateMention(
                    start, end, match.group(), day.isoformat(),
                    f"'{match.group()}' in an article dated {weekday} {article_date.isoformat()}: {how}",
                )
            )  # fmt: skip
    return out


# ---------------------------------------------------------------- unknown names


def _strip_name(text: str, start: int, end: int) -> tuple[int, int]:
    name = text[start:end]
    for suffix in ("’s", "'s", "’", "'"):
        if name.endswith(suffix):
            end -= len(suffix)
            name = name[: -len(suffix)]
    words = name.split(" ")
    while words and words[0].lower() in STOP_WORDS:
        start += len(words[0]) + 1
        words.pop(0)
    while words and words[-1].lower() in STOP_WORDS:
        end -= len(words[-1]) + 1
        words.pop()
    return start, max(start, end)


def _guess_type(name: str, before: str, after: str, title_before: bool) -> tuple[str, str]:
    import pycountry

    if len(name) >= 4:
        try:
            pycountry.countries.lookup(name)
            return "State", "a country name (pycountry)"
        except LookupError:
            pass
    if EVENT_WORDS.search(name):
        return "Event", "an event word in the name"
    if OUTLET_WORDS.search(name):
        return "NewsOutlet", "an outlet word in the name"
    if ORG_WORDS.search(name):
        return "Organization", "an organisation word in the name"
    if title_before:
        return "Person", "a title before the name"
    if re.search(r"\b(?:in|at|near|from|to)\s+$", before):
        return "Place", "after 'in', 'at', 'near', 'from' or 'to'"
    if re.match(r"\s+(?:said|says|told|tells|added|warned)\b", after):
        return "Person", "followed by a speech verb"
    if name.isupper():
        return "Organization", "an acronym"
    if 2 <= len(name.split()) <= 4:
        return "Person", "two to four capitalised words"
    return "Organization", "no better clue: check it"


def find_unknown_names(
    text: str, mentions: list[Mention], excluded=(), known: set[str] = frozenset()
) -> list[EntityCandidate]:
    """Capitalised names that match no registry entry: candidate new entities.

    A single capitalised word at the start of a sentence counts only if it is also capitalised
    somewhere mid-sentence (otherwise it is just a sentence starting); title words (Minister,
    President, ...) are split off the name they precede.

    Args:
        text: the article.
        mentions: registry mentions (names overlapping them are not candidates).
        excluded: ranges of page furniture.
        known: keys already in the registry, never proposed again.

    Returns:
        Candidates, one per key, at their first occurrence.
    """
    covered = sorted((m.start, m.end) for m in mentions)
    spans = sentences(text)
    sentence_starts = [s for s, _ in spans]

    def sentence_at(offset: int) -> int:
        import bisect

        i = bisect.bisect_right(sentence_starts, offset) - 1
        return sentence_starts[i] if i >= 0 else 0

    mid_sentence_words: set[str] = set()
    for match in re.finditer(r"(?<=[a-z0-9,;] )[A-Z][\w’'\-]*", text):
        mid_sentence_words.add(match.group())
    candidates: dict[str, EntityCandidate] = {}
    for match in _NAME_RE.finditer(text):
        pieces = _split_at_covered(match.start(), match.end(), covered)
        for p_start, p_end in pieces:
            start, end = _strip_name(text, p_start, p_end)
            while start < end and text[start].isspace():
                start += 1
            name = text[start:end]
            if len(name) < 2 or not name[0].isupper() or _in_excluded(start, end, excluded):
                continue
            if _is_headline(text, start, sentence_at):
                continue  # title case makes every word look like a name
            title = TITLE_RE.search(name)
            title_before = bool(
                re.search(r"(?:" + TITLE_RE.pattern + r")\s+$", text[max(0, start - 30) : start])
            )
            if title:
                # "Trade Minister Yoji Muto": the name is what follows the title word
                rest_start = start + title.end()
                while rest_start < end and text[rest_start] == " ":
                    rest_start += 1
                if rest_start >= end:
                    continue
                start, name, title_before = rest_start, text[rest_start:end], True
            words = name.split()
            if all(w.isupper() and len(w) > 1 for w in words) and len(words) > 2:
                continue  # a shouted headline, not a name
            if len(words) == 1:
                word = words[0]
                if word.lower() in STOP_WORDS or word in TITLE_WORDS or "’" in word or "'" in word:
                    continue
                opens = re.fullmatch(r"[\s“\"‘'(\[]*", text[sentence_at(start) : start]) is not None
                if (opens or text[max(0, start - 2) : start] == ": ") and word not in mid_sentence_words:
                    continue  # a sentence (or quotation, or subtitle) starting
                adjective = re.search(r"(?:an|ese|ish|ian|ic|al)$", word) and re.match(
                    r" [a-z]", text[end : end + 2]
                )
                if adjective and not re.match(r"\s+(?:said|says|told|added|warned)\b", text[end : end + 12]):
                    continue  # an adjective ("the Asian countries"), not a name
            if any(ch.isdigit() for ch in name):
                continue
            key = slug(name)
            if key in known or key in candidates:
                continue
            etype, why = _guess_type(
                name, text[max(0, start - 40) : start], text[end : end + 12], title_before
            )
            candidates[key] = EntityCandidate(
                key,
                etype,
                name,
                start,
                end,
                name,
                "capitalised name matching no registry entry",
                type_reason=why,
            )
    return list(candidates.values())


def _is_headline(text: str, at: int, sentence_at) -> bool:
    start = sentence_at(at)
    end = text.find("\n", at)
    line = text[start : end if end != -1 else len(text)]
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if len(w) > 3]
    if len(words) < 3 or line.rstrip().endswith((".", "”", '"')):
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.6


def _split_at_covered(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(start, end)]
    for c_start, c_end in covered:
        if c_end <= start or c_start >= end:
            continue
        nxt = []
        for p_start, p_end in pieces:
            if c_end <= p_start or c_start >= p_end:
                nxt.append((p_start, p_end))
                continue
            if c_start > p_start:
                nxt.append((p_start, c_start))
            if c_end < p_end:
                nxt.append((c_end, p_end))
        pieces = nxt
    return [(s, e) for s, e in pieces if e - s > 1]


# ---------------------------------------------------------------- candidate facts


def _top_level(mentions: list[Mention]) -> list[Mention]:
    """Mentions not inside a longer one; at the same span the first key wins."""
    out: list[Mention] = []
    for m in mentions:
        if any(
            o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start) for o in mentions
        ):
            continue
        if any(o.start == m.start and o.end == m.end for o in out):
            continue
        out.append(m)
    return out


@dataclass
class _Actor:
    """A mention usable as a speaker, holder or imposer: a registry key or a new candidate."""

    key: str
    type: str
    start: int
    end: int
    new: bool


def _state_of(key: str, ctx: _Context) -> str | None:
    entity = ctx.entities.get(key)
    if entity is None:
        return None
    if ctx.vocab.is_a(entity.type, "State"):
        return key
    for claim in entity.claims:
        if claim.prop in ("nationality", "agencyOf") and claim.value.kind == "entity":
            return claim.value.value
    return None


def _occurrence(text: str, quote: str, start: int, source: Source) -> int | None:
    """The ``occurrence`` a quote at ``start`` needs (None when it is unique), checked with kg.anchor."""
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


class _Ids:
    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def new(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _date_field(sentence_span: tuple[int, int], dates: list[DateMention]) -> dict | None:
    for d in dates:
        if sentence_span[0] <= d.start and d.end <= sentence_span[1]:
            return {"value": d.value, "inferred_from": d.inferred_from}
    return None


def _quoted_content(sentence: str) -> str | None:
    parts = re.findall(r"“([^”]{3,})”|\"([^\"]{3,})\"", sentence)
    words = [a or b for a, b in parts]
    if not words:
        return None
    return max(words, key=len).strip().rstrip(",")


def _make(
    ctx: _Context, ids: _Ids, kind: str, base: str, start: int, end: int, fields: dict
) -> FactSuggestion:
    text = ctx.source.text
    quote = text[start:end]
    return FactSuggestion(
        ids.new(base), kind, quote, start, end, _occurrence(text, quote, start, ctx.source), fields
    )


def _post_facts(ctx, ids, top, actors_at, new_post_for) -> list[FactSuggestion]:
    text = ctx.source.text
    out = []
    for m in top:
        if not ctx.vocab.is_a(m.type, "Post"):
            continue
        holder = actors_at.get(_skip_space(text, m.end))
        if holder is None or holder.type != "Person":
            continue
        fs = _make(ctx, ids, "post", f"a{ctx.article_no}-{m.key}", m.start, holder.end,
                   {"subject": m.key, "type": "Post", "heldBy": holder.key})  # fmt: skip
        if holder.new:
            fs.needs.append(holder.key)
        out.append(fs)
    for post_key, (start, holder) in new_post_for.items():
        fs = _make(ctx, ids, "post", f"a{ctx.article_no}-{post_key}", start, holder.end,
                   {"subject": post_key, "type": "Post", "heldBy": holder.key})  # fmt: skip
        fs.needs += [post_key] + ([holder.key] if holder.new else [])
        out.append(fs)
    return out


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def _statement_facts(ctx, ids, actors, actors_at, dates, events_by_speaker) -> list[FactSuggestion]:
    text = ctx.source.text
    out = []
    counters: dict[str, int] = {}
    excluded = ctx.source.excluded
    for s_start, s_end in sentences(text):
        if _in_excluded(s_start, s_end, excluded):
            continue
        sentence = text[s_start:s_end]
        for verb in SPEECH_RE.finditer(sentence):
            v_start, v_end = s_start + verb.start(), s_start + verb.end()
            speaker = _speaker_before(text, v_start, actors, s_start)
            if speaker is None and re.search(r"[,”\"]\s*$", text[s_start:v_start]):
                speaker = _speaker_after(text, v_end, actors_at)  # "..., said the news agency"
            if speaker is None or not _is_agent(speaker, ctx):
                continue
            word = verb.group(1)
            etype = SPEECH_VERBS[word]
            fields: dict[str, object] = {}
            recipient = None
            if word in ("told", "tells"):
                recipient = _holder_or_self(actors_at.get(_skip_space(text, v_end)), actors_at, text)
                if recipient is not None and (not _is_agent(recipient, ctx) or recipient.key == speaker.key):
                    recipient = None
            n = counters[speaker.key + etype] = counters.get(speaker.key + etype, 0) + 1
            suffix = "" if n == 1 else f"-{n}"
            event_key = f"{speaker.key}-{etype.lower()}-{ctx.article_no}{suffix}"
            fields["subject"] = event_key
            fields["type"] = etype
            fields["speaker"] = speaker.key
            if recipient is not None:
                fields["recipient"] = recipient.key
            content = _quoted_content(sentence)
            if content:
                fields["content"] = content
            date = _date_field((s_start, s_end), dates)
            if date:
                fields["date"] = date
            fs = _make(
                ctx,
                ids,
                "statement",
                f"a{ctx.article_no}-{speaker.key}-{word}",
                s_start,
                s_end,
                fields,
            )
            fs.needs.append(event_key)
            fs.needs += [a.key for a in (speaker, recipient) if a is not None and a.new]
            known = events_by_speaker.get(speaker.key, [])
            if known:
                fs.notes.append(
                    "if this is an event the registry already has, use its key as subject instead of a new one: "
                    + ", ".join(sorted(known))
                )
            out.append(fs)
    return out


def _clause_end(text: str, at: int, limit: int) -> int:
    """End of the clause containing offset ``at``: the next comma, semicolon or full stop."""
    match = re.compile(r"[,;.]").search(text, at, limit)
    return match.start() if match else limit


def _is_agent(actor: _Actor, ctx: _Context) -> bool:
    return ctx.vocab.is_a(actor.type, "Actor")


def _holder_or_self(actor: _Actor | None, actors_at: dict[int, _Actor], text: str) -> _Actor | None:
    if actor is None:
        return None
    if actor.type == "Post":
        holder = actors_at.get(_skip_space(text, actor.end))
        return holder if holder is not None and holder.type == "Person" else None
    return actor


def _speaker_before(text: str, verb_start: int, actors: list[_Actor], sentence_start: int) -> _Actor | None:
    """The actor right before a speech verb ("Mr Bessent said", "Beijing warned on Monday")."""
    best = None
    for a in actors:
        if not (sentence_start <= a.start and a.end <= verb_start):
            continue
        gap = text[a.end : verb_start]
        adjacent = re.fullmatch(r"\s*(?:,\s*)?", gap) or re.fullmatch(r"\s+(?:on \w+|in a \w+ \w+)\s*", gap)
        if adjacent and (best is None or a.end > best.end or (a.end == best.end and a.start < best.start)):
            best = a
    return best


def _speaker_after(text: str, verb_end: int, actors_at: dict[int, _Actor]) -> _Actor | None:
    at = _skip_space(text, verb_end)
    if text.startswith("the ", at):
        at += 4
    return actors_at.get(at)


def _measure_for(rate: str, target: str | None, ctx: _Context) -> list[str]:
    """Registry measures that facts already give this rate (and target, when known)."""
    by_measure: dict[str, dict[str, set[str]]] = {}
    for fact in ctx.facts:
        for claim in fact.claims:
            by_measure.setdefault(fact.subject, {}).setdefault(claim.prop, set()).add(claim.value.value)
    hits = []
    for key, props in sorted(by_measure.items()):
        entity = ctx.entities.get(key)
        if entity is None or not ctx.vocab.is_a(entity.type, "TradeMeasure"):
            continue
        if rate in props.get("rate", ()) and (target is None or target in props.get("target", {target})):
            hits.append(key)
    return hits


def _rate_facts(ctx, ids, top, actors) -> list[FactSuggestion]:
    text = ctx.source.text
    out = []
    for s_start, s_end in sentences(text):
        if _in_excluded(s_start, s_end, ctx.source.excluded):
            continue
        sentence = text[s_start:s_end]
        for rate_match in RATE_RE.finditer(sentence):
            r_start, r_end = s_start + rate_match.start(), s_start + rate_match.end()
            number = rate_match.group(1)
            measure_words = [
                (s_start + m.start(), s_start + m.end()) for m in MEASURE_RE.finditer(sentence)
                if abs((s_start + m.start()) - r_end) <= 50 or abs(r_start - (s_start + m.end())) <= 50
            ]  # fmt: skip
            if not measure_words:
                continue
            inside = [m for m in top if s_start <= m.start and m.end <= s_end]
            window_end = min(s_end, max(r_end, max(e for _, e in measure_words)) + 40)
            window_start = max(s_start, min(r_start, min(s for s, _ in measure_words)) - 40)
            target = _target(text, inside, window_start, window_end, ctx)
            products = [
                m
                for m in inside
                if ctx.vocab.is_a(m.type, "Product") and window_start <= m.start < window_end
            ]
            states = [m for m in inside if _state_of(m.key, ctx)]
            if target is None and not products and not states:
                continue  # a rate near no state and no product: not a measure we can place
            before = re.split(r",|;| and |\d", text[max(s_start, r_start - 30) : r_start])[-1]
            kind = _rate_kind(before + " " + text[r_end : r_end + 12])
            measures = [
                m for m in inside if ctx.vocab.is_a(m.type, "TradeMeasure")
                and m.start <= r_end + 30 and r_start - 30 <= m.end
            ]  # fmt: skip
            used: list[tuple[int, int]] = [(r_start, r_end)]
            fields: dict[str, object] = {}
            notes: list[str] = []
            needs: list[str] = []
            imposer_span = None
            if measures:
                measure = min(measures, key=lambda m: abs(m.start - r_start))
                subject, mtype = measure.key, measure.type
                used.append((measure.start, measure.end))
                notes.append(f'the registry measure named by "{measure.text}"')
            else:
                known = _measure_for(number, target.key if target else None, ctx)
                if known:
                    subject, mtype = known[0], ctx.entities[known[0]].type
                    notes.append(f"other articles give {subject} this rate" + (
                        f" (so do: {', '.join(known[1:])})" if len(known) > 1 else ""))  # fmt: skip
                    used.append(min(measure_words, key=lambda w: abs(w[0] - r_start)))
                else:
                    imposer = _imposer(inside, target, r_start, ctx)
                    product = min(products, key=lambda m: abs(m.start - r_start)) if products else None
                    subject = "-".join(
                        x for x in (
                            _short(imposer.key) if imposer else None, "tariff-on",
                            target.key if target else None, product.key if product else None,
                        ) if x
                    )  # fmt: skip
                    mtype = "Tariff"
                    if subject in ctx.entities:
                        notes.append(f"{subject} is already in the registry")
                    else:
                        needs.append(subject)
                    used.append(min(measure_words, key=lambda w: abs(w[0] - r_start)))
                    if imposer is not None:
                        fields["imposedBy"] = imposer.key
                        imposer_span = (imposer.start, imposer.end)
                        used.append(imposer_span)
                    if target is not None:
                        fields["target"] = target.key
                        used.append((target.start, target.end))
                    if product is not None:
                        fields["affectsProduct"] = product.key
                        used.append((product.start, product.end))
                    if re.search(r"\bthreat", sentence):
                        fields["status"] = "threatened"
            start, end = min(s for s, _ in used), max(e for _, e in used)
            if imposer_span and imposer_span[0] > r_end and imposer_span[1] == end:
                end = _clause_end(text, end, s_end)  # "..., which Trump threatened": keep the verb
            record: dict[str, object] = {"subject": subject, "type": mtype, **fields}
            record["rate"] = float(number) if "." in number else int(number)
            if kind:
                record["rateKind"] = kind
            fs = _make(
                ctx,
                ids,
                "rate",
                f"a{ctx.article_no}-{subject}-rate-{number.replace('.', '-')}",
                start,
                end,
                record,
            )
            fs.needs, fs.notes = needs, notes
            out.append(fs)
    return out


def _unify_new_measures(facts: list[FactSuggestion], ids: _Ids, article_no: str) -> list[FactSuggestion]:
    """Same rate, same product, same imposer in one article: one new measure, named by the most
    specific suggestion ("30% steel tariff" in the headline, "30% tariff on Japanese steel" below)."""
    groups: dict[tuple, list[FactSuggestion]] = {}
    for fs in facts:
        if fs.needs:
            f = fs.fields
            groups.setdefault((f["rate"], f.get("affectsProduct"), f.get("imposedBy")), []).append(fs)
    for group in groups.values():
        best = max(group, key=lambda fs: (len(fs.fields), -fs.start))
        for fs in group:
            if fs is best:
                continue
            fs.notes.append(f"same measure as suggestion {best.id} (same rate, product and imposer)")
            fs.fields["subject"] = best.fields["subject"]
            fs.id = ids.new(
                f"a{article_no}-{best.fields['subject']}-rate-{str(fs.fields['rate']).replace('.', '-')}"
            )
            fs.needs = list(best.needs)
    return facts


def _short(key: str) -> str:
    return {"united-states": "us"}.get(key, key)


def _rate_kind(context: str) -> str | None:
    low = context.lower()
    if re.search(r"up to|as high as|as much as|maximum", low):
        return "maximum"
    if re.search(r"baseline|universal", low):
        return "baseline"
    if re.search(r"additional|extra|further|on top", low):
        return "additional"
    return None


def _target(text: str, inside: list[Mention], start: int, end: int, ctx: _Context) -> Mention | None:
    """The state a measure is aimed at: the first state mentioned after "on", "against" or "from"."""
    for m in inside:
        if not (start <= m.start < end):
            continue
        if _state_of(m.key, ctx) != m.key:
            continue
        before = text[max(start, m.start - 40) : m.start]
        if re.search(_TARGET_BEFORE, before):
            return m
    return None


def _imposer(inside: list[Mention], target: Mention | None, rate_at: int, ctx: _Context) -> Mention | None:
    """The nearest other state (or person or agency of one) in the sentence: who imposes the measure."""
    best = None
    for m in inside:
        state = _state_of(m.key, ctx)
        if state is None or (target is not None and state == target.key):
            continue
        if best is None or abs(m.start - rate_at) < abs(best[0].start - rate_at):
            best = (m, state)
    if best is None:
        return None
    m, state = best
    return Mention(state, "State", m.start, m.end, m.text, m.via)


# ---------------------------------------------------------------- the whole article


def suggest(article_id: str, seeds: Path | str = "seeds") -> Suggestions:
    """Find mentions, candidate new entities, dates and candidate facts in one article.

    Args:
        article_id: an article of sources.yaml, e.g. ``005_0123456789abcdef``.
        seeds: the seeds folder.

    Returns:
        The Suggestions (nothing is written; see :func:`write_suggestions`).

    Raises:
        KgError: the article is not recorded in sources.yaml.
        SeedError: the registry cannot be read.

    Example:
        >>> s = suggest("000_47059b8c57473c03")              # doctest: +SKIP
        >>> sorted({m.key for m in s.mentions})[:3]           # doctest: +SKIP
        ['akazawa-ryosei', 'ambassador-of-china-to-japan', 'anadolu-agency']
    """
    ctx = _load_context(seeds, article_id)
    text, excluded = ctx.source.text, ctx.source.excluded
    mentions = find_mentions(text, ctx.entities, excluded)
    country_mentions, new_states = find_countries(text, ctx.entities, mentions, excluded)
    mentions = sorted(mentions + country_mentions, key=lambda m: (m.start, -m.end, m.key))
    known = set(ctx.entities)
    names = find_unknown_names(text, mentions, excluded, known | {c.key for c in new_states})
    candidates = new_states + names
    candidates_by_start = {c.start: c for c in candidates}
    date = ctx.source.date
    article_date = dt.date.fromisoformat(date.value) if date and len(date.value) == 10 else None
    dates = find_dates(text, article_date, excluded)

    top = _top_level(mentions)
    actors = [_Actor(m.key, m.type, m.start, m.end, False) for m in top]
    actors += [_Actor(c.key, c.type, c.start, c.end, True) for c in candidates]
    actors_at = {}
    for a in sorted(actors, key=lambda a: a.end - a.start):
        actors_at[a.start] = a
    _type_persons(candidates, top, text, ctx)
    new_posts = _new_posts(text, top, candidates_by_start, ctx, candidates)
    for a in actors:
        if a.new:
            a.type = next(c.type for c in candidates if c.key == a.key)

    events_by_speaker: dict[str, set[str]] = {}
    for fact in ctx.facts:
        for claim in fact.claims:
            if claim.prop == "speaker" and fact.subject in ctx.entities:
                events_by_speaker.setdefault(claim.value.value, set()).add(fact.subject)

    ids = _Ids(ctx.fact_ids)
    facts = _post_facts(ctx, ids, top, actors_at, new_posts)
    facts += _statement_facts(ctx, ids, actors, actors_at, dates, events_by_speaker)
    facts += _unify_new_measures(_rate_facts(ctx, ids, top, actors), ids, ctx.article_no)
    facts.sort(key=lambda f: (f.start, f.end, f.id))
    extra = _event_and_measure_candidates(facts, candidates, ctx)
    return Suggestions(article_id, mentions, candidates + extra, facts, dates)


def _type_persons(candidates: list[EntityCandidate], top: list[Mention], text: str, ctx: _Context) -> None:
    """A new name right after a registry post is a person; a nationality word before gives nationality."""
    for c in candidates:
        for m in top:
            if ctx.vocab.is_a(m.type, "Post") and _skip_space(text, m.end) == c.start:
                c.type, c.type_reason = "Person", f'follows the post "{m.text}"'
        if c.type == "Person":
            before = [
                m
                for m in top
                if m.end <= c.start and c.start - m.end <= 40 and ctx.entities[m.key].type == "State"
            ]
            if before and re.fullmatch(r"[\s\w]*", text[before[-1].end : c.start]):
                c.fields.setdefault("nationality", before[-1].key)


def _new_posts(text, top, candidates_by_start, ctx, candidates) -> dict[str, tuple[int, _Actor]]:
    """ "Japanese Trade Minister Yoji Muto": a new post in a known state, held by the name after it."""
    out: dict[str, tuple[int, _Actor]] = {}
    for m in top:
        if ctx.entities[m.key].type != "State":
            continue
        after = re.match(r" ((?:[A-Z][a-z]+ ){0,3}(?:" + TITLE_RE.pattern + r")) ", text[m.end : m.end + 80])
        if not after:
            continue
        holder_start = m.end + after.end()
        holder = candidates_by_start.get(holder_start)
        if holder is None:
            continue
        title = after.group(1)
        state_label = ctx.entities[m.key].label
        post_key = f"{slug(title)}-of-{m.key}"
        if post_key in ctx.entities:
            continue
        label = f"{title} of {state_label}"
        candidates.append(
            EntityCandidate(
                post_key, "Post", label, m.start, holder_start - 1, text[m.start : holder_start - 1],
                "a title after a known state, before a name", {"postIn": m.key},
            )
        )  # fmt: skip
        holder.type, holder.type_reason = "Person", f'holds "{text[m.start : holder_start - 1]}"'
        holder.fields.setdefault("nationality", m.key)
        out[post_key] = (m.start, _Actor(holder.key, "Person", holder.start, holder.end, True))
    return out


def _event_and_measure_candidates(facts, candidates, ctx) -> list[EntityCandidate]:
    """Registry entries the suggested facts need: new statements and new measures."""
    have = {c.key for c in candidates} | set(ctx.entities)
    labels = {c.key: c.label for c in candidates} | {k: e.label for k, e in ctx.entities.items()}
    out = []
    for fs in sorted(facts, key=lambda fs: (-len(fs.fields), fs.start)):
        subject = str(fs.fields["subject"])
        if subject in have:
            continue
        have.add(subject)
        if fs.kind == "statement":
            speaker = str(fs.fields["speaker"])
            who = labels.get(speaker, speaker)
            what = {"Statement": "statement", "Warning": "warning", "Report": "report"}[
                str(fs.fields["type"])
            ]
            label = f"{who}'s {what} in article {ctx.source.article_id}"
            n = re.search(rf"-{ctx.article_no}-(\d+)$", subject)
            if n:
                label += f" ({n.group(1)})"
            out.append(
                EntityCandidate(
                    subject,
                    str(fs.fields["type"]),
                    label,
                    fs.start,
                    fs.end,
                    fs.quote,
                    f"the event of suggestion {fs.id}",
                )
            )
        elif fs.kind == "rate":
            parts = []
            if "imposedBy" in fs.fields:
                parts.append(ctx.entities[str(fs.fields["imposedBy"])].label)
            parts.append("tariff")
            if "affectsProduct" in fs.fields:
                parts.append("on " + ctx.entities[str(fs.fields["affectsProduct"])].label)
            if "target" in fs.fields:
                parts.append(
                    ("from " if "affectsProduct" in fs.fields else "on ")
                    + ctx.entities[str(fs.fields["target"])].label
                )
            out.append(
                EntityCandidate(
                    subject,
                    "Tariff",
                    " ".join(parts),
                    fs.start,
                    fs.end,
                    fs.quote,
                    f"the measure of suggestion {fs.id}",
                )
            )
    return out


# ---------------------------------------------------------------- writing and accepting

SUGGESTION_MARK = "kg suggest"
FACTS_EMPTY_HINT = '  # becomes "facts:" once you accept a suggestion below'


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z][\w -]*[\w]|[a-z]", text) and "  " not in text
    if plain and text.lower() not in {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}:
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def fact_yaml(fs: FactSuggestion) -> list[str]:
    """The YAML lines of one suggested fact (uncommented), as they go into a fact file's list.

    Example:
        >>> fs = FactSuggestion("a005-x", "post", "US President Donald Trump", 0, 25, None,
        ...     {"subject": "president-of-the-united-states", "type": "Post", "heldBy": "donald-trump"})
        >>> print("\\n".join(fact_yaml(fs)))
          - id: a005-x
            quote: "US President Donald Trump"
            subject: president-of-the-united-states
            type: Post
            heldBy: donald-trump
    """
    lines = [f"  - id: {fs.id}", f"    quote: {json.dumps(fs.quote, ensure_ascii=False)}"]
    if fs.occurrence is not None:
        lines.append(f"    occurrence: {fs.occurrence}")
    for name, value in fs.fields.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_yaml_scalar(v)}" for k, v in value.items())
            lines.append(f"    {name}: {{{inner}}}")
        else:
            lines.append(f"    {name}: {_yaml_scalar(value)}")
    return lines


def entity_yaml(c: EntityCandidate) -> list[str]:
    """The YAML lines of one candidate registry entry (uncommented)."""
    type_note = f"  # guessed: {c.type_reason}" if c.type_reason else ""
    lines = [
        f"{c.key}:",
        f"  type: {c.type}{type_note}",
        f"  label: {json.dumps(c.label, ensure_ascii=False)}",
    ]
    lines += [f"  {k}: {_yaml_scalar(v)}" for k, v in c.fields.items()]
    return lines


def _comment(lines: list[str]) -> list[str]:
    return [("# " + line) if line else "#" for line in lines]


def entity_file_path(seeds: Path | str, article_id: str) -> Path:
    """Where candidate registry entries for an article go: ``seeds/entities/<id>.yaml``."""
    return Path(seeds) / "entities" / f"{article_id}.yaml"


def write_suggestions(s: Suggestions, seeds: Path | str = "seeds") -> WriteResult:
    """Append the suggestions, commented out, to the article's fact file and entity-candidate file.

    Suggestions whose id (or candidate key) is already in those files, commented or not, are
    skipped, so running ``kg suggest`` twice adds nothing the second time.

    Args:
        s: what :func:`suggest` found.
        seeds: the seeds folder.

    Returns:
        A WriteResult naming what was appended.
    """
    paths = SeedPaths(Path(seeds))
    fact_file = paths.facts / f"{s.article_id}.yaml"
    entity_file = entity_file_path(seeds, s.article_id)
    if not fact_file.exists():
        fact_file.write_text(f"article: {s.article_id}\nfacts: []\n", encoding="utf-8")
    fact_text = fact_file.read_text(encoding="utf-8")
    entity_text = entity_file.read_text(encoding="utf-8") if entity_file.exists() else ""
    registry_text = "\n".join(p.read_text(encoding="utf-8") for p in paths.registry_files() if p.exists())
    skipped: list[str] = []
    new_facts = []
    for fs in s.facts:
        # the head comment of a suggestion stays when it is accepted: same kind and span = same one
        if re.search(rf"^[#\s]*# {fs.kind}: .* at {fs.start}-{fs.end}$", fact_text, re.M):
            skipped.append(fs.id)
        else:
            new_facts.append(fs)
    new_entities = []
    for c in s.candidates:
        if re.search(rf"^[#\s]*{re.escape(c.key)}:", entity_text + "\n" + registry_text, re.M):
            skipped.append(c.key)
        else:
            new_entities.append(c)

    if new_facts:
        block = [
            "",
            f"# ================================================================ {SUGGESTION_MARK}",
        ]
        block += [
            f"# Suggested by `kg suggest {s.article_id}`. Nothing below is in the graph: accept a",
            '# suggestion by removing the "# " in front of each of its lines (keep the indentation),',
            '# then change "facts: []" above to "facts:" if it still says so. A suggestion that names',
            f"# new registry entries needs them uncommented too, in {display(entity_file)}.",
            "# Or accept from the command line: kg suggest " + s.article_id + " --accept <id>",
            "# Check with `kg check`; delete the suggestions you reject.",
            "#",
        ]
        block += _mention_summary(s)
        for fs in new_facts:
            block.append("#")
            head = f'  # {fs.kind}: "{_short_quote(fs.quote)}" at {fs.start}-{fs.end}'
            lines = [head]
            if fs.needs:
                lines.append(f"  # needs new registry entries: {', '.join(fs.needs)}")
            lines += [f"  # {note}" for note in fs.notes]
            lines += fact_yaml(fs)
            block += _comment(lines)
        text = fact_text if fact_text.endswith("\n") else fact_text + "\n"
        text = re.sub(r"^facts:\s*\[\]\s*(#.*)?$", "facts: []" + FACTS_EMPTY_HINT, text, count=1, flags=re.M)
        _atomic_write(fact_file, text + "\n".join(block) + "\n")
    if new_entities:
        entity_file.parent.mkdir(parents=True, exist_ok=True)
        block = []
        if not entity_text:
            block += [
                f"# Candidate registry entries for article {s.article_id}, proposed by `kg suggest`.",
                '# Nothing here is in the registry until you uncomment it (remove the "# " before each',
                "# line of an entry). Before accepting one, search seeds/entities.yaml for the same thing",
                "# under another name: if it is there, add this surface form to its aliases instead.",
                "# Types marked 'guessed' need checking; add wikidata only when confirmed.",
            ]
        for c in new_entities:
            block.append("")
            block += _comment(
                [f'# {c.reason}: "{_short_quote(c.text)}" at {c.start}-{c.end}', *entity_yaml(c)]
            )
        text = entity_text if entity_text.endswith("\n") or not entity_text else entity_text + "\n"
        _atomic_write(entity_file, text + "\n".join(block) + "\n")
    return WriteResult(
        fact_file, entity_file, [f.id for f in new_facts], [c.key for c in new_entities], skipped
    )


def display(path: Path) -> str:
    """A path shown relative to the working directory when below it."""
    from kg.seeds import display_path

    return display_path(path)


def _short_quote(quote: str, limit: int = 90) -> str:
    quote = quote.replace("\n", " ")
    return quote if len(quote) <= limit else quote[: limit - 3] + "..."


def _mention_summary(s: Suggestions) -> list[str]:
    lines = ["# Registry entities mentioned (key: surface form at start-end):"]
    by_key: dict[str, list[Mention]] = {}
    for m in s.mentions:
        by_key.setdefault(m.key, []).append(m)
    for key in sorted(by_key):
        spots = ", ".join(f'"{m.text}" {m.start}-{m.end}' for m in by_key[key][:6])
        more = f", ... ({len(by_key[key])} in all)" if len(by_key[key]) > 6 else ""
        lines.append(f"#   {key}: {spots}{more}")
    if s.candidates:
        lines.append("# Candidate new entities (commented out in the entity file):")
        lines += [
            f'#   {c.key} ({c.type}): "{_short_quote(c.text, 60)}" {c.start}-{c.end}' for c in s.candidates
        ]
    if s.dates:
        lines.append("# Relative dates resolved against the article's date:")
        lines += [f'#   "{d.text}" {d.start}-{d.end} -> {d.value}' for d in s.dates]
    return lines


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def accept_suggestions(
    article_id: str, ids: list[str] | None = None, seeds: Path | str = "seeds"
) -> list[str]:
    """Uncomment suggested facts (all when ``ids`` is None) and the registry entries they need.

    Args:
        article_id: the article whose fact file holds the suggestions.
        ids: suggestion ids to accept; None accepts every suggestion still commented out.
        seeds: the seeds folder.

    Returns:
        The fact ids and registry keys that were uncommented.

    Raises:
        KgError: an id is not among the commented-out suggestions.
    """
    fact_file = SeedPaths(Path(seeds)).facts / f"{article_id}.yaml"
    entity_file = entity_file_path(seeds, article_id)
    if not fact_file.exists():
        raise KgError(f"no fact file {display(fact_file)}: run `kg suggest {article_id}` first")
    lines = fact_file.read_text(encoding="utf-8").split("\n")
    blocks = _commented_blocks(lines, r"#   - id: ([a-z0-9-]+)\s*$", "#     ", "#   # ")
    wanted = list(blocks) if ids is None else ids
    missing = [i for i in wanted if i not in blocks]
    if missing:
        raise KgError(
            f"not a commented-out suggestion in {display(fact_file)}: {', '.join(missing)}"
            f" (pending: {', '.join(blocks) or 'none'})"
        )
    accepted: list[str] = []
    needs: list[str] = []
    for fid in wanted:
        first, last = blocks[fid]
        for i in range(first, last):
            lines[i] = _uncomment(lines[i])
            need = re.match(r"\s*# needs new registry entries: (.*)$", lines[i])
            if need:
                needs += [k.strip() for k in need.group(1).split(",")]
        accepted.append(fid)
    if accepted:
        text = "\n".join(lines)
        text = re.sub(r"^facts:\s*\[\]\s*(#.*)?$", "facts:", text, count=1, flags=re.M)
        _atomic_write(fact_file, text)
    if needs and entity_file.exists():
        elines = entity_file.read_text(encoding="utf-8").split("\n")
        eblocks = _commented_blocks(elines, r"# ([a-z0-9-]+):\s*$", "#   ", "# # ")
        for key in dict.fromkeys(needs):
            if key in eblocks:
                first, last = eblocks[key]
                for i in range(first, last):
                    elines[i] = _uncomment(elines[i])
                accepted.append(key)
        _atomic_write(entity_file, "\n".join(elines))
    return accepted


def accept_entities(article_id: str, keys: list[str], seeds: Path | str = "seeds") -> list[str]:
    """Uncomment candidate registry entries by key (for names no accepted fact needs)."""
    entity_file = entity_file_path(seeds, article_id)
    elines = entity_file.read_text(encoding="utf-8").split("\n") if entity_file.exists() else []
    eblocks = _commented_blocks(elines, r"# ([a-z0-9-]+):\s*$", "#   ", "# # ")
    missing = [k for k in keys if k not in eblocks]
    if missing:
        raise KgError(f"not a commented-out candidate in {display(entity_file)}: {', '.join(missing)}")
    for key in keys:
        first, last = eblocks[key]
        for i in range(first, last):
            elines[i] = _uncomment(elines[i])
    _atomic_write(entity_file, "\n".join(elines))
    return list(keys)


def _uncomment(line: str) -> str:
    return line[2:] if line.startswith("# ") else line


def _commented_blocks(lines: list[str], head: str, body: str, preface: str) -> dict[str, tuple[int, int]]:
    """Line ranges of commented-out entries: preface comments, the head line and its body lines."""
    blocks: dict[str, tuple[int, int]] = {}
    for i, line in enumerate(lines):
        match = re.match(head, line)
        if not match:
            continue
        first = i
        while first > 0 and lines[first - 1].startswith(preface):
            first -= 1
        last = i + 1
        while last < len(lines) and lines[last].startswith(body):
            last += 1
        blocks[match.group(1)] = (first, last)
    return blocks


# ---------------------------------------------------------------- measuring against hand annotations


@dataclass
class Evaluation:
    """How well suggestions agree with the hand annotations of the annotated articles."""

    expected: int
    """Mentions the annotations imply: a registry entity a fact references, named inside its quote."""
    found: int
    """Of those, how many suggest found at the same offsets."""
    judged: int
    """Suggested mentions lying inside at least one fact's quote (the ones the annotations can judge)."""
    confirmed: int
    """Of those, how many name an entity that a fact covering them references."""
    mentions: int
    """All suggested mentions, including those outside every quote."""
    facts_suggested: int
    facts_matching: int
    """Suggested facts that agree with a hand fact: overlapping quote and a shared property value."""
    missed: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.confirmed / self.judged if self.judged else 1.0

    @property
    def fact_precision(self) -> float:
        return self.facts_matching / self.facts_suggested if self.facts_suggested else 1.0


def _fact_keys(fact: Fact) -> set[str]:
    keys = {fact.subject} | {c.value.value for c in fact.claims if c.value.kind == "entity"}
    return keys | {step.key for step in fact.attribution if step.key}


def annotated_mentions(fact: Fact, text: str, entities: dict[str, Entity]) -> set[tuple[str, int, int]]:
    """(key, start, end) of every label or alias of an entity the fact references, inside its quote.

    Args:
        fact: a hand-annotated fact.
        text: its article.
        entities: the registry.

    Returns:
        The mentions the annotation implies (a form inside a longer form of the same entity is
        one mention, as in :func:`find_mentions`).
    """
    start, end = fact.anchor.start, fact.anchor.end
    out: list[Mention] = []
    for key in sorted(_fact_keys(fact)):
        entity = entities.get(key)
        if entity is None:
            continue
        for form in (entity.label, *entity.aliases):
            for match in _form_pattern(form).finditer(text, start, end):
                if match.end() <= end:
                    out.append(Mention(key, entity.type, match.start(), match.end(), form, "label"))
    return {(m.key, m.start, m.end) for m in _drop_same_key_nested(out)}


def _fact_agrees(fs: FactSuggestion, fact: Fact) -> bool:
    if fs.end <= fact.anchor.start or fact.anchor.end <= fs.start:
        return False
    hand = {(c.prop, c.value.value.lower()) for c in fact.claims}
    mine = {
        (k, str(v).lower()) for k, v in fs.fields.items() if k not in ("subject", "type", "date", "content")
    }
    if fs.kind == "statement":
        return ("speaker", str(fs.fields["speaker"])) in hand
    return fs.fields["subject"] == fact.subject and bool(hand & mine)


def evaluate(seeds: Path | str = "seeds") -> Evaluation:
    """Run :func:`suggest` on every annotated article and compare with the hand annotations.

    Args:
        seeds: the seeds folder (must load without problems).

    Returns:
        Mention recall and precision, and the share of suggested facts that agree with a hand fact.

    Example:
        >>> e = evaluate("seeds")                                   # doctest: +SKIP
        >>> round(e.recall, 3), round(e.precision, 3)               # doctest: +SKIP
        (1.0, 0.9)
    """
    from kg.seeds import load_corpus

    corpus = load_corpus(seeds)
    expected_n = found_n = judged = confirmed = total = fact_n = fact_ok = 0
    missed: list[tuple[str, str, int, int]] = []
    for article_id, source in sorted(corpus.sources.items()):
        facts = [f for f in corpus.facts if f.article_id == article_id]
        if not facts:
            continue
        s = suggest(article_id, seeds)
        found = {(m.key, m.start, m.end) for m in s.mentions}
        expected: set[tuple[str, int, int]] = set()
        for fact in facts:
            expected |= annotated_mentions(fact, source.text, corpus.entities)
        expected_n += len(expected)
        found_n += len(expected & found)
        missed += [(article_id, *m) for m in sorted(expected - found)]
        total += len(found)
        for key, start, end in found:
            covering = [f for f in facts if f.anchor.start <= start and end <= f.anchor.end]
            if covering:
                judged += 1
                confirmed += any(key in _fact_keys(f) for f in covering)
        fact_n += len(s.facts)
        fact_ok += sum(any(_fact_agrees(fs, f) for f in facts) for fs in s.facts)
    return Evaluation(expected_n, found_n, judged, confirmed, total, fact_n, fact_ok, missed)
