"""Finding what an article mentions: registry entities, countries, dates, unknown names, and
candidate facts for a few recognisable patterns (see :mod:`kg.authoring.suggest`)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from kg.authoring.suggest import posts, relations, speakers
from kg.authoring.suggest.context import Context as _Context
from kg.authoring.suggest.context import load_context, surface_forms
from kg.authoring.suggest.events import anchor_event_dates, known_events, matching_event, state_of
from kg.authoring.suggest.mentions import (
    MEASURE_WORDS,
    RATE_RE,
    TITLE_RE,
    TITLE_WORDS,
    derived_forms,
    dispute_references,
    holders_by_post,
    loose_pattern,
    outlet_anaphors,
    rate_mentions,
    title_mentions,
)
from kg.authoring.suggest.model import (
    Actor,
    DateMention,
    EntityCandidate,
    FactSuggestion,
    Ids,
    Mention,
    Suggestions,
    in_excluded,
    make_fact,
    skip_space,
    slug,
)
from kg.seeds.corpus import Entity
from kg.seeds.text import sentences

MEASURE_RE = re.compile(rf"\b(?:{MEASURE_WORDS})\b", re.IGNORECASE)
SPEECH_VERBS = {
    "said": "Statement", "says": "Statement", "added": "Statement", "stated": "Statement",
    "continued": "Statement", "confirmed": "Statement", "claimed": "Statement",
    "told": "Statement", "tells": "Statement",
    "warned": "Warning", "cautioned": "Warning",
    "reported": "Report", "saying": "Statement",
    "announced": "Announcement", "announces": "Announcement", "announcement": "Announcement",
    "asked": "Request", "asks": "Request", "urged": "Request", "urges": "Request",
    "requested": "Request", "seeks": "Request", "sought": "Request",
}  # fmt: skip
"""Verbs that introduce something said, and the event class of what is said."""
SPEECH_RE = re.compile(r"\b(" + "|".join(SPEECH_VERBS) + r")\b", re.IGNORECASE)
ADDRESSED = ("told", "tells", "asked", "asks", "urged", "urges", "requested", "seeks", "sought")
"""Verbs whose object is who was addressed ("told Japan", "urged Japan")."""
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DATE_RE = re.compile(
    r"\b(?:((?i:on|last|next|this|since|starting|from|by|until))\s+)?(" + "|".join(WEEKDAYS) + r")\b"
    r"|\b(yesterday|today|over the weekend)\b"
    r"|\b((?i:earlier this|later this|last|next|this) (?:week|month|year))\b"
)
FUTURE_RE = re.compile(
    r"\b(?:will|(?:is|are) set to|(?:is|are) expected to (?:begin|start|meet|hold)|"
    r"planned for|scheduled for|due (?:on|for)|slated for|set for)\b"
)
"""Words that put a sentence's weekday in the future ("will travel ... Wednesday")."""
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
EVENT_WORDS = re.compile(r"\b(?:Day|Summit|Conference|Talks|Act|Round|Dialogue)\b")
TRADE_AGREEMENT_WORDS = re.compile(r"\b(?:FTA|EPA|Free Trade)\b")
AGREEMENT_WORDS = re.compile(r"\b(?:Agreement|Accord|Treaty|Pact|Partnership|Deal)\b")
REGION_WORDS = re.compile(
    r"(?:\b(?:Western|Eastern|Northern|Southern)\s|Pacific\b|Atlantic\b|\bGulf\b|\bPeninsula\b)"
)
"""Words of a region's name ("Western Pacific", "Indo-Pacific"): a place."""
OUTLET_WORDS = re.compile(
    r"\b(?:News|Times|Post|Journal|Herald|Press|TV|Television|Broadcasting|Daily|Tribune|Gazette|Radio|"
    r"Shimbun|Ilbo|Desk|Wire|Network)\b"
)
OUTLET_BEFORE = re.compile(
    r"\b(?:broadcaster|news ?paper|news agency|news outlet|daily|outlet|network|wire service|tabloid|"
    r"magazine|state media|media)\s+$",
    re.IGNORECASE,
)
"""Words right before a name that make it a news outlet ("Japanese broadcaster NHK")."""
PLACE_WORDS = r"(?:plant|port|airport|station|province|prefecture|city|islands?|strait|sea|bay|base)\b"
PLACE_RE = re.compile(r"\b" + PLACE_WORDS, re.IGNORECASE)
PLACE_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}" + PLACE_WORDS)
"""A place word in a name or just after it ("Hamaoka nuclear plant"): a place, not a person."""
ORG_WORDS = re.compile(
    r"\b(?:Ministry|Department|Commission|Council|Bank|Office|Organi[sz]ation|Union|Association|"
    r"Federation|Corporation|Corp|Inc|Group|Company|Motors|Party|Agency|Bureau|Authority|"
    r"Institute|Forum|Fund|Committee|Parliament|Congress|Senate|Court)\b"
)
_TARGET_BEFORE = re.compile(
    r"\b(?:on|against|targeting|from)\s+(?:(?:all|the|its|their|imports?|goods|exports?|products)\s+(?:from\s+)?)*$"
)
"""What comes right before the state a measure targets: "on China", "on imports from Japan"."""
COMPOUND_AGREEMENT = re.compile(
    r"\s+(?:(?:free\s+)?trade\s+(?:agreement|deal|pact)|agreement|accord|pact|FTA)\b"
)
"""What may follow states joined by hyphens to name an agreement ("South Korea-Japan-China free trade agreement")."""
_NAME_RE = re.compile(r"[A-Z][\w’'\-]*(?:[ ](?:(?:of|for|de|la|von|van|bin|al)[ ])?[A-Z][\w’'\-]*)*")


# ---------------------------------------------------------------- mentions


def form_pattern(form: str) -> re.Pattern:
    # letters or digits next to a form mean it is part of a longer word ("US" in "USA")
    return re.compile(r"(?<![\w])" + re.escape(form) + r"(?![\w])")


def find_mentions(
    text: str, entities: dict[str, Entity], excluded=(), forms: dict[str, tuple[str, ...]] | None = None
) -> list[Mention]:
    """Every occurrence of a registry label or alias on word boundaries (matched as
    :func:`kg.authoring.suggest.mentions.loose_pattern` says: case, plurals, "U.S.").

    Nested mentions of other entities are kept ("US" inside "US President": the state is
    mentioned too); a form inside a longer form of the same entity is not ("Trump" inside
    "Donald Trump").

    Args:
        text: the article.
        entities: the registry.
        excluded: ranges of page furniture (objects with ``start`` and ``end``) to skip.
        forms: the surface forms allowed per key (default: every label and alias).

    Returns:
        Mentions sorted by position, longest first at the same start.

    Example:
        >>> from kg.seeds.corpus import Entity
        >>> reg = {"japan": Entity("japan", "State", "Japan", ("Tokyo",), None, None, (), "", 0)}
        >>> [(m.key, m.start) for m in find_mentions("Tokyo and Japan", reg)]
        [('japan', 0), ('japan', 10)]
    """
    found: dict[tuple[int, int, str], Mention] = {}
    for entity in entities.values():
        allowed = (entity.label, *entity.aliases) if forms is None else forms.get(entity.key, ())
        for form in allowed:
            via = "label" if form == entity.label else "alias" if form in entity.aliases else "derived"
            for match in loose_pattern(form).finditer(text):
                start, end = match.span()
                if in_excluded(start, end, excluded):
                    continue
                found.setdefault(
                    (start, end, entity.key),
                    Mention(entity.key, entity.type, start, end, form, via),
                )
    mentions = sorted(found.values(), key=lambda m: (m.start, -m.end, m.key))
    return _resolve_city_metonyms(text, drop_same_key_nested(mentions))


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


def drop_same_key_nested(mentions: list[Mention]) -> list[Mention]:
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
            patterns.append((label, name, form_pattern(name)))
    return patterns


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
            if (start, end) in covered or in_excluded(start, end, excluded):
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


def resolve_date(
    expression: str, article_date: dt.date, future: bool = False
) -> tuple[dt.date | str, str] | None:
    """The day a relative expression means in an article of the given date.

    ``on Tuesday`` is the latest Tuesday on or before the article's date (news reports the past),
    or the next one from that date when ``future`` (the sentence speaks of what will happen);
    ``last Wednesday`` is strictly before, ``next Friday`` strictly after.

    Args:
        expression: e.g. ``"on Tuesday"``, ``"last Wednesday"``, ``"yesterday"``, ``"last week"``,
            ``"next month"``, ``"earlier this year"`` (a period gives ``YYYY-MM`` or ``YYYY`` text).
        article_date: the article's publication date.
        future: the sentence is about the future.

    Returns:
        (date, how it was resolved), or None when the expression is not understood.

    Example:
        >>> resolve_date("last Wednesday", dt.date(2025, 3, 31))[0]
        datetime.date(2025, 3, 26)
    """
    words = expression.lower().split()
    if words[-1] in ("week", "month", "year"):
        return _resolve_period(words, article_date)
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


def _resolve_period(words: list[str], article_date: dt.date) -> tuple[dt.date | str, str] | None:
    """ "last week", "next month", "earlier this year": the month or year they fall in (a week
    spanning two months gives only the year), with the days it covers."""
    unit, shift = words[-1], {"last": -1, "next": 1}.get(words[0], 0)
    if unit == "year":
        return str(article_date.year + shift), f"the year {article_date.year + shift}"
    if unit == "month":
        month = article_date.month + shift
        year, month = article_date.year + (month - 1) // 12, (month - 1) % 12 + 1
        return f"{year:04d}-{month:02d}", f"the month {year:04d}-{month:02d}"
    monday = article_date - dt.timedelta(days=article_date.weekday()) + dt.timedelta(weeks=shift)
    sunday = monday + dt.timedelta(days=6)
    days = f"the week {monday.isoformat()} to {sunday.isoformat()}"
    if monday.month == sunday.month:
        return monday.isoformat()[:7], days
    return str(monday.year) if monday.year == sunday.year else None, days


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
    for s_start, s_end in [(s.start, s.end) for s in sentences(text)]:
        sentence = text[s_start:s_end]
        future = bool(FUTURE_RE.search(sentence))
        for match in DATE_RE.finditer(sentence):
            start, end = s_start + match.start(), s_start + match.end()
            if in_excluded(start, end, excluded):
                continue
            resolved = resolve_date(match.group(), article_date, future)
            if resolved is None:
                continue
            day, how = resolved
            weekday = WEEKDAYS[article_date.weekday()][:3]
            out.append(
                DateMention(
                    start, end, match.group(), day if isinstance(day, str) else day.isoformat(),
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
    if TRADE_AGREEMENT_WORDS.search(name):
        return "TradeAgreement", "a trade agreement word in the name"
    if AGREEMENT_WORDS.search(name):
        return "Agreement", "an agreement word in the name"
    if EVENT_WORDS.search(name):
        return "Event", "an event word in the name"
    if REGION_WORDS.search(name):
        return "Place", "a region word in the name"
    if OUTLET_WORDS.search(name) or OUTLET_BEFORE.search(before):
        return "NewsOutlet", "an outlet word in or before the name"
    if ORG_WORDS.search(name) or name.endswith(" House"):
        return "Organization", "an organisation word in the name"
    if PLACE_RE.search(name) or PLACE_AFTER.match(after):
        return "Place", "a place word in or after the name"
    if title_before:
        return "Person", "a title before the name"
    if re.search(r"\baccording to\s+$", before):
        return "Organization", "a source after 'according to': check it"
    if re.search(r"\b(?:in|at|near|from|to)\s+$", before):
        return "Place", "after 'in', 'at', 'near', 'from' or 'to'"
    if re.match(r"\s+(?:said|says|claimed|posted|wrote|told|tells|added|warned)\b", after):
        if re.search(r"\bon\s+$", before):
            return "Platform", "'on' it before a speech verb: where something was said"
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
    spans = [(s.start, s.end) for s in sentences(text)]
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
        if re.search(r"\w-[A-Z]", match.group()) and pieces and pieces != [match.span()]:
            # "Korea-China-Japan FTA" is one name, not "Korea-" and "FTA"; "South Korea-Japan-China"
            # alone (no piece left over) only names states
            pieces = [match.span()]
        agreement = COMPOUND_AGREEMENT.match(text, match.end())
        if re.search(r"\w-[A-Z]", match.group()) and not pieces and agreement:
            # "a South Korea-Japan-China free trade agreement": the states name the agreement
            start, end = match.start(), agreement.end()
            name, key = text[start:end], slug(text[start:end])
            if key not in known and key not in candidates and not in_excluded(start, end, excluded):
                etype = "TradeAgreement" if re.search(r"trade|FTA", agreement.group()) else "Agreement"
                candidates[key] = EntityCandidate(
                    key, etype, name, start, end, name, "states joined by hyphens before an agreement word",
                    type_reason=f'"{agreement.group().strip()}"',
                )  # fmt: skip
            continue
        for p_start, p_end in pieces:
            start, end = _strip_name(text, p_start, p_end)
            while start < end and text[start].isspace():
                start += 1
            name = text[start:end]
            if len(name) < 2 or not name[0].isupper() or in_excluded(start, end, excluded):
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
                field = re.match(r" (?:of|for) [A-Z][\w-]*", text[rest_start:end])
                if field:  # "Secretary of Defense Pete Hegseth": the field belongs to the title
                    rest_start += field.end()
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
                adjective = re.search(r"(?:an|ese|ish|ian|ic|al|ist)$", word) and re.match(
                    r" [^A-Z]", text[end : end + 2]
                )
                adjective = adjective or any(s == skip_space(text, end) for s, _ in covered)
                if adjective and not re.match(r"\s+(?:said|says|told|added|warned)\b", text[end : end + 12]):
                    continue  # an adjective ("the Asian countries"), not a name
            if any(ch.isdigit() for ch in name):
                continue
            key = slug(name)
            if key in known or key in candidates:
                continue
            etype, why = _guess_type(
                name, text[max(0, start - 40) : start], text[end : end + 30], title_before
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


def find_dateline(
    text: str, mentions: list[Mention], excluded=(), entities: dict[str, Entity] | None = None
) -> Mention | EntityCandidate | None:
    """The dateline: a line of one to three capitalised words alone ("ANKARA") is where the story
    was filed, a place: the registry's place of that name, else a candidate new one.

    Example:
        >>> find_dateline("Title\\n\\nANKARA\\n\\nChina has asked Japan.", []).label
        'Ankara'
    """
    for match in re.finditer(r"^([A-Z][A-Z’'.-]+(?: [A-Z][A-Z’'.-]+){0,2})[ \t]*$", text, re.M):
        start, end = match.span(1)
        if in_excluded(start, end, excluded) or any(m.start < end and start < m.end for m in mentions):
            continue
        label = match.group(1).title()
        for entity in (entities or {}).values():
            if entity.type == "Place" and entity.label == label:
                return Mention(entity.key, entity.type, start, end, match.group(1), "dateline")
        if len(label) > 3:  # "AA", "TV": not a place
            return EntityCandidate(
                slug(label),
                "Place",
                label,
                start,
                end,
                match.group(1),
                "a dateline",
                type_reason="a dateline",
            )
    return None


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


def _statement_facts(ctx, ids, actors, actors_at, dates, events_by_speaker) -> list[FactSuggestion]:
    text = ctx.source.text
    holders = holders_by_post(ctx)
    events = known_events(ctx)
    out = []
    counters: dict[str, int] = {}
    excluded = ctx.source.excluded
    for s_start, s_end in [(s.start, s.end) for s in sentences(text)]:
        if in_excluded(s_start, s_end, excluded):
            continue
        sentence = text[s_start:s_end]
        for verb in SPEECH_RE.finditer(sentence):
            v_start, v_end = s_start + verb.start(), s_start + verb.end()
            agents = [a for a in actors if _is_agent(a, ctx)]
            if verb.group(1).lower() == "announcement":  # "Trump's announcement of ...": whose it is
                owner = speakers.possessor(text, s_start, v_start, actors)
                if owner is not None and ctx.vocab.is_a(owner.type, "Post"):
                    people = holders.get(owner.key, set())  # "the president's": who holds it
                    owner = (
                        Actor(next(iter(people)), "Person", owner.start, owner.end, False)
                        if len(people) == 1
                        else None
                    )
                speaker = owner
            elif verb.group(1) == "saying":  # "X has taken a firm stance, saying ...": X said it
                participle = speakers.PARTICIPLE.search(text, max(s_start, v_start - 3), v_end)
                speaker = (
                    speakers.sentence_subject(text, s_start, v_start, agents, _is_agent_of(ctx))
                    if participle
                    else None
                )
            else:
                speaker = _speaker_before(text, v_start, agents, s_start)
            if speaker is None and re.search(r"[,”\"]\s*$", text[s_start:v_start]):
                speaker = _speaker_after(text, v_end, actors_at)  # "..., said the news agency"
            if speaker is None:  # "he cautioned": the person named last
                speaker = speakers.antecedent(
                    text, v_start, agents, lambda a: ctx.vocab.is_a(a.type, "Person")
                )
            if speaker is None or not _is_agent(speaker, ctx):
                continue
            word = verb.group(1).lower()  # "Seeks" in a headline
            etype = SPEECH_VERBS[word]
            if etype == "Statement" and ctx.vocab.is_a(speaker.type, "NewsOutlet"):
                etype = "Report"  # "..., said the news agency": what an outlet says is its report
            fields: dict[str, object] = {}
            recipient = None
            if word in ADDRESSED:
                recipient = _holder_or_self(actors_at.get(skip_space(text, v_end)), actors_at, text)
                if recipient is not None and ctx.vocab.is_a(recipient.type, "State"):
                    # "told Japanese Defense Minister Gen Nakatani": the person after the title
                    title = re.match(
                        r"\s+(?:[A-Z][a-z]+\s+){0,3}?(?:" + TITLE_RE.pattern + r")\s+", text[recipient.end :]
                    )
                    if title:
                        recipient = actors_at.get(recipient.end + title.end(), recipient)
                if recipient is not None and (not _is_agent(recipient, ctx) or recipient.key == speaker.key):
                    recipient = None
            date = _date_field((s_start, s_end), dates)
            roles = {"speaker": [speaker.key]} | ({"recipient": [recipient.key]} if recipient else {})
            known_event = matching_event(ctx, etype, roles, date["value"] if date else None, events, sentence)
            if known_event is not None:
                event_key = known_event.key
                etype = ctx.entities[event_key].type
            else:
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
            if date:
                fields["date"] = date
            fs = make_fact(
                ctx,
                ids,
                "statement",
                f"a{ctx.article_no}-{speaker.key}-{word}",
                s_start,
                s_end,
                fields,
            )
            fs.needs += [a.key for a in (speaker, recipient) if a is not None and a.new]
            known = events_by_speaker.get(speaker.key, [])
            if known_event is not None:
                fs.notes.append(
                    f"the registry's event {event_key}: same type and {', '.join(roles)} within a week"
                    " (other facts); not a new event"
                )
            else:
                fs.needs.insert(0, event_key)
            if known and known_event is None:
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


def _is_agent(actor: Actor, ctx: _Context) -> bool:
    return ctx.vocab.is_a(actor.type, "Actor")


def _is_agent_of(ctx: _Context):
    return lambda actor: _is_agent(actor, ctx)


def _holder_or_self(actor: Actor | None, actors_at: dict[int, Actor], text: str) -> Actor | None:
    if actor is None:
        return None
    if actor.type == "Post":
        holder = actors_at.get(skip_space(text, actor.end))
        return holder if holder is not None and holder.type == "Person" else None
    return actor


def _speaker_before(text: str, verb_start: int, actors: list[Actor], sentence_start: int) -> Actor | None:
    """The actor right before a speech verb ("Mr Bessent said", "Beijing warned on Monday", "Mr Trump
    on Truth Social claimed": the medium between them is not the speaker)."""
    best = None
    for a in actors:
        if not (sentence_start <= a.start and a.end <= verb_start):
            continue
        if re.search(
            r"\b(?:through|via|in|from|with|to|of|for|at|on)\s+(?:the\s+)?$",
            text[max(0, a.start - 12) : a.start],
        ):
            continue  # "The letter, delivered through the embassy, urged": an object, not who urged
        gap = text[a.end : verb_start]
        adjacent = re.fullmatch(r"\s*(?:,\s*)?", gap) or re.fullmatch(
            r"\s+(?:(?:has|have|had)\s+)?(?:\w+ly\s+)?(?:on \w+|on (?:[A-Z][\w’'-]*\s+){1,3}|in a \w+ \w+)?\s*",
            gap,
        )
        if adjacent and (best is None or a.end > best.end or (a.end == best.end and a.start < best.start)):
            best = a
    return best


def _speaker_after(text: str, verb_end: int, actors_at: dict[int, Actor]) -> Actor | None:
    at = skip_space(text, verb_end)
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


def _measure_rates(key: str, ctx: _Context) -> set[str]:
    """The rates other facts give a measure."""
    return {c.value.value for f in ctx.facts if f.subject == key for c in f.claims if c.prop == "rate"}


def _known_rate_kind(key: str, number: str, ctx: _Context) -> str | None:
    """The rate kind other facts give this measure at this rate, when they agree on one."""
    kinds = set()
    for fact in ctx.facts:
        values = {c.prop: c.value.value for c in fact.claims}
        if fact.subject == key and values.get("rate") == number and "rateKind" in values:
            kinds.add(values["rateKind"])
    return kinds.pop().lower() if len(kinds) == 1 else None


def _rate_facts(ctx, ids, top, actors) -> list[FactSuggestion]:
    text = ctx.source.text
    out = []
    for s_start, s_end in [(s.start, s.end) for s in sentences(text)]:
        if in_excluded(s_start, s_end, ctx.source.excluded):
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
            states = [m for m in inside if state_of(m.key, ctx)]
            if target is None and not products and not states:
                continue  # a rate near no state and no product: not a measure we can place
            before = re.split(r",|;| and |\d", text[max(s_start, r_start - 30) : r_start])[-1]
            kind = _rate_kind(before + " " + text[r_end : r_end + 12])
            measures = [
                m for m in inside if ctx.vocab.is_a(m.type, "TradeMeasure")
                and m.start <= r_end + 30 and r_start - 30 <= m.end
            ]  # fmt: skip
            known_here = _measure_for(number, target.key if target else None, ctx)
            # "a 10% universal rate and 25% duty on cars": the 25% belongs to the measure other
            # articles give 25%, not to the nearby name of a measure they give another rate
            elsewhere = known_here and not any(m.key in known_here for m in measures)
            if measures and elsewhere and any(_measure_rates(m.key, ctx) for m in measures):
                measures = []
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
            if subject in ctx.entities and "imposedBy" not in fields:
                imposers = relations.measure_roles(ctx, subject).get("imposedBy", set())
                if len(imposers) == 1:
                    fields["imposedBy"] = next(iter(imposers))
                    notes.append(f"the imposer other facts give {subject}")
            start, end = min(s for s, _ in used), max(e for _, e in used)
            if imposer_span and imposer_span[0] > r_end and imposer_span[1] == end:
                end = _clause_end(text, end, s_end)  # "..., which Trump threatened": keep the verb
            record: dict[str, object] = {"subject": subject, "type": mtype, **fields}
            record["rate"] = float(number) if "." in number else int(number)
            kind = kind or _known_rate_kind(subject, number, ctx)
            if kind:
                record["rateKind"] = kind
            fs = make_fact(
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


def _unify_new_measures(facts: list[FactSuggestion], ids: Ids, article_no: str) -> list[FactSuggestion]:
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


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


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
        if state_of(m.key, ctx) != m.key:
            continue
        before = text[max(start, m.start - 40) : m.start]
        if re.search(_TARGET_BEFORE, before):
            return m
    return None


def _imposer(inside: list[Mention], target: Mention | None, rate_at: int, ctx: _Context) -> Mention | None:
    """The nearest other state (or person or agency of one) in the sentence: who imposes the measure."""
    best = None
    for m in inside:
        state = state_of(m.key, ctx)
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
        >>> s = suggest("000_47059b8c57473c03")
        >>> sorted({m.key for m in s.mentions})[:3]
        ['akazawa-ryosei', 'ambassador-of-china-to-japan', 'ankara']
    """
    return suggest_in(load_context(seeds, article_id))


def suggest_in(ctx: _Context) -> Suggestions:
    """Find mentions, candidate new entities, dates and candidate facts in the article of a context.

    Args:
        ctx: the registry, surface forms and facts to learn from, and the article.

    Returns:
        The Suggestions.
    """
    article_id = ctx.source.article_id
    text, excluded = ctx.source.text, ctx.source.excluded
    derived = derived_forms(ctx)
    forms = {k: surface_forms(ctx, k) + derived.get(k, ()) for k in ctx.entities}
    mentions = find_mentions(text, ctx.entities, excluded, forms)
    country_mentions, new_states = find_countries(text, ctx.entities, mentions, excluded)
    mentions = sorted(mentions + country_mentions, key=lambda m: (m.start, -m.end, m.key))
    titles = title_mentions(text, [(m.key, m.start, m.end) for m in mentions], ctx)
    titles = [t for t in titles if not in_excluded(t[1], t[2], excluded)]
    mentions += [
        Mention(k, ctx.entities[k].type, s, e, t, "title") for k, s, e, t in titles if k in ctx.entities
    ]
    for key, start, end, words in dispute_references(text, mentions, ctx):
        # the parties say which dispute: not another one whose name the same words match
        mentions = [
            m for m in mentions if not (m.start < end and start < m.end and ctx.vocab.is_a(m.type, "Dispute"))
        ]
        mentions.append(Mention(key, ctx.entities[key].type, start, end, words, "parties"))
    outlets = [(m.key, m.start, m.end) for m in mentions if ctx.vocab.is_a(m.type, "NewsOutlet")]
    anaphors = [a for a in outlet_anaphors(text, outlets) if not in_excluded(a[1], a[2], excluded)]
    mentions += [Mention(k, ctx.entities[k].type, s, e, t, "anaphor") for k, s, e, t in anaphors]
    mentions.sort(key=lambda m: (m.start, -m.end, m.key))
    known = set(ctx.entities)
    names = find_unknown_names(text, mentions, excluded, known | {c.key for c in new_states})
    candidates = new_states + names + posts.title_posts(titles, {c.key for c in names}, ctx)
    dateline = find_dateline(text, mentions, excluded, ctx.entities)
    if isinstance(dateline, Mention):
        mentions = sorted([*mentions, dateline], key=lambda m: (m.start, -m.end, m.key))
    elif dateline is not None and dateline.key not in {c.key for c in candidates}:
        candidates.append(dateline)
    candidates_by_start = {c.start: c for c in candidates}
    date = ctx.source.date
    article_date = dt.date.fromisoformat(date.value) if date and len(date.value) == 10 else None
    dates = find_dates(text, article_date, excluded)

    top = _top_level(mentions)
    actors = [Actor(m.key, m.type, m.start, m.end, False) for m in top]
    actors += [Actor(c.key, c.type, c.start, c.end, True) for c in candidates]
    actors_at = {}
    for a in sorted(actors, key=lambda a: a.end - a.start):
        actors_at[a.start] = a
    _type_persons(candidates, top, text, ctx)
    new_posts = posts.new_posts(text, top, candidates_by_start, ctx, candidates)
    new_posts |= posts.field_posts(text, top, candidates_by_start, candidates, excluded)
    for a in actors:
        if a.new:
            a.type = next(c.type for c in candidates if c.key == a.key)

    events_by_speaker: dict[str, set[str]] = {}
    for fact in ctx.facts:
        for claim in fact.claims:
            if claim.prop == "speaker" and fact.subject in ctx.entities:
                events_by_speaker.setdefault(claim.value.value, set()).add(fact.subject)

    ids = Ids(ctx.fact_ids)
    facts = posts.post_facts(ctx, ids, top, actors_at, new_posts)
    facts += _statement_facts(ctx, ids, actors, actors_at, dates, events_by_speaker)
    rates = _unify_new_measures(_rate_facts(ctx, ids, top, actors), ids, ctx.article_no)
    facts += rates
    known_rates = [
        (str(f.fields["subject"]), f.start, f.end) for f in rates if f.fields["subject"] in ctx.entities
    ]
    have = {(m.key, m.start, m.end) for m in mentions}
    for key, start, end, words in rate_mentions(text, known_rates, mentions):
        if (key, start, end) not in have:  # "24% tariffs" may be a registry form already
            mentions.append(Mention(key, ctx.entities[key].type, start, end, words, "rate"))
    mentions.sort(key=lambda m: (m.start, -m.end, m.key))
    spans = [sp for sp in [(s.start, s.end) for s in sentences(text)] if not in_excluded(*sp, excluded)]
    as_mentions = mentions + [Mention(c.key, c.type, c.start, c.end, c.text, "new") for c in candidates]
    as_mentions.sort(key=lambda m: (m.start, -m.end, m.key))

    def make(kind: str, base: str, start: int, end: int, fields: dict) -> FactSuggestion:
        return make_fact(ctx, ids, kind, base, start, end, fields)

    facts += relations.relation_facts(
        ctx, make, as_mentions, _top_level(as_mentions), spans,
        lambda sp: _date_field(sp, dates), rates, known_events(ctx),
    )  # fmt: skip
    relations.add_attribution(facts, spans, as_mentions, ctx)
    anchor_event_dates(facts, known_events(ctx))
    facts.sort(key=lambda f: (f.start, f.end, f.id))
    extra = _event_and_measure_candidates(facts, candidates, ctx)
    new_mentions = _new_entity_mentions(text, candidates, mentions, excluded)
    return Suggestions(article_id, mentions, candidates + extra, facts, dates, new_mentions)


def _new_entity_mentions(
    text: str, candidates: list[EntityCandidate], mentions: list[Mention], excluded
) -> list[Mention]:
    """Every occurrence of each candidate's name that no registry mention covers."""
    out: dict[tuple[int, int], Mention] = {}
    for c in sorted(candidates, key=lambda c: -(c.end - c.start)):
        for match in form_pattern(c.text).finditer(text):
            start, end = match.span()
            if in_excluded(start, end, excluded) or any(s < end and start < e for s, e in out):
                continue
            if any(m.start <= start and end <= m.end for m in mentions):
                continue
            out[(start, end)] = Mention(c.key, c.type, start, end, c.text, "new")
    return sorted(out.values(), key=lambda m: (m.start, m.end))


def _type_persons(candidates: list[EntityCandidate], top: list[Mention], text: str, ctx: _Context) -> None:
    """A new name right after a registry post is a person; a nationality word before gives nationality."""
    for c in candidates:
        for m in top:
            if ctx.vocab.is_a(m.type, "Post") and skip_space(text, m.end) == c.start:
                c.type, c.type_reason = "Person", f'follows the post "{m.text}"'
        if c.type == "Person":
            before = [
                m
                for m in top
                if m.end <= c.start and c.start - m.end <= 40 and ctx.entities[m.key].type == "State"
            ]
            if before and re.fullmatch(r"[\s\w]*", text[before[-1].end : c.start]):
                c.fields.setdefault("nationality", before[-1].key)


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
            what = str(fs.fields["type"]).lower()
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
        elif fs.kind in ("letter", "meeting"):
            etype = str(fs.fields["type"])
            roles = _as_list(fs.fields.get("sender") or fs.fields.get("participant"))
            who = ", ".join(labels.get(str(k), str(k)) for k in roles)
            out.append(
                EntityCandidate(
                    subject, etype, f"{etype} of {who} in article {ctx.source.article_id}",
                    fs.start, fs.end, fs.quote, f"the event of suggestion {fs.id}",
                )
            )  # fmt: skip
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
