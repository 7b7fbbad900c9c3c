"""Surface forms the way news writes them: case, plurals, "U.S.", demonyms, capitals, titles and honorifics."""

from __future__ import annotations

import re
from functools import lru_cache

from kg.authoring.suggest.context import Context, surface_forms

MEASURE_WORDS = r"tariffs?|dut(?:y|ies)|lev(?:y|ies)|import tax(?:es)?|taxes|baseline|(?:tariff )?rates?"
"""Words that name a trade measure by its rate ("a 24% levy", "a 10 per cent universal rate")."""
RATE_RE = re.compile(r"(?<![\w.])(\d{1,4}(?:\.\d+)?)\s?(?:%|per ?cent\b|percent\b)")
RATE_PHRASE = re.compile(
    r"(?:\b(?:baseline|universal|blanket)\s+)?"
    + RATE_RE.pattern
    + r"\s+(?:[a-z-]+\s+)?(?:"
    + MEASURE_WORDS
    + r")\b(?:\s+(?:on|for)\s+(?P<on>[\w-]+(?:\s[A-Z][\w-]*)?))?"
)
"""A rate with its measure word, a kind word before and what it is on: "baseline 10% levy",
"25% duty on cars", "24 per cent blanket tariff"."""
OUTLET_NOUN = re.compile(
    r"\bthe\s+((?:[\w-]+\s+)?(?:media outlet|news agency|agency|broadcaster|newspaper|outlet|paper|wire service))\b"
)
"""An outlet named by what it is ("the media outlet", "the Tokyo-based news agency"): the one named before."""
BETWEEN = re.compile(
    r"\b((?:(?:trade|economic|tariffs?|diplomatic)\s+)?(?:war|conflict|tensions|dispute|standoff|showdown|"
    r"relations|relationship|rivalry))\s+between\s+(?:the\s+)?"
)
"""A dispute named by what it is and its parties: "the trade war between Washington and Beijing"."""
HONORIFICS = ("Mr", "Mrs", "Ms", "Dr")
TITLE_SYNONYMS = (("Prime Minister", "Premier"), ("Defense", "Defence"), ("Secretary", "Minister"))
"""Title words that name the same post in different countries' English."""
TITLE_WORDS = (
    "Minister", "President", "Premier", "Secretary", "Ambassador", "Chancellor", "Governor",
    "Commissioner", "Representative", "Spokesperson", "Spokesman", "Spokeswoman", "Chairman",
    "Chair", "Envoy", "Director", "Senator", "Mayor", "Chief",
)  # fmt: skip
"""Words of a title that comes before a name ("Trade Minister Kenji Moriyama")."""
TITLE_RE = re.compile(r"\b(?:" + "|".join(TITLE_WORDS) + r")\b")
TITLE_ONLY = re.compile(
    r"\b(?:(?P<the>[Tt]he)|(?P<owner>[A-Z][\w.]*(?: [A-Z]\w*)?)[’']s)\s+(?P<words>(?:[A-Z][\w.]*\s+|[a-z]+\s+){0,2}?)"
    r"(?P<title>(?i:" + "|".join(TITLE_WORDS) + r"))\b(?!\s+[A-Z])"
)
"""A title without a name: "the president", "the US president", "Japan's trade minister"."""


@lru_cache(maxsize=256)
def state_words(label: str) -> tuple[str, ...]:
    """Demonym, capital and other English names of a state, from countryinfo (empty when unknown).

    Example:
        >>> state_words("South Korea")
        ('South Korean', 'Seoul', 'Republic of Korea')
    """
    from countryinfo import CountryInfo

    try:
        info = CountryInfo(label)
        words = [info.demonym(), info.capital()]
        words += [w for w in info.alt_spellings() if len(w) > 3 and "," not in w and w.isascii()]
    except (KeyError, ValueError, AttributeError, TypeError):
        return ()
    out = []
    for word in words:
        if not word:
            continue
        word = re.sub(r",?\s+D\.C\.$", "", word)  # "Washington D.C." is written "Washington"
        if word != label and word not in out:
            out.append(word)
    return tuple(out)


def holders_by_post(ctx: Context) -> dict[str, set[str]]:
    """Post key -> the people other facts say hold it."""
    out: dict[str, set[str]] = {}
    for fact in ctx.facts:
        for claim in fact.claims:
            if claim.prop == "heldBy" and claim.value.kind == "entity":
                out.setdefault(fact.subject, set()).add(claim.value.value)
    return out


def derived_forms(ctx: Context) -> dict[str, tuple[str, ...]]:
    """Extra surface forms of registry entities, made from what the context already knows.

    * a state: its demonym and capital ("South Korean", "Seoul"), from countryinfo;
    * a place "City, Region": "City" (which means the state, not the place, except after "in",
      "to", "at": see :func:`kg.authoring.suggest.find.find_mentions`);
    * a post: its forms with title synonyms ("Chinese Premier" -> "Chinese Prime Minister"), and a
      state adjective before its title words ("Economic Revitalization Minister" -> "Japanese ...");
    * a person: an honorific or the title of a post other facts say they hold, before the last
      word of their name ("Mr Bessent", "President Trump");
    * a ministry "Ministry of Commerce of China": "commerce ministry", "Chinese Commerce Ministry".
    """
    from kg.authoring.suggest.events import state_of

    out: dict[str, list[str]] = {}
    holders = holders_by_post(ctx)
    for key, entity in ctx.entities.items():
        forms = surface_forms(ctx, key)
        extra: list[str] = []
        if ctx.vocab.is_a(entity.type, "State"):
            extra += state_words(entity.label)
        elif ctx.vocab.is_a(entity.type, "Place") and "," in entity.label:
            extra.append(entity.label.split(",")[0])  # "Washington, D.C." is written "Washington"
        elif ctx.vocab.is_a(entity.type, "Post"):
            state = state_of(key, ctx)
            demonym = state_words(ctx.entities[state].label)[:1] if state in ctx.entities else ()
            for form in forms:
                for a, b in TITLE_SYNONYMS:
                    for x, y in ((a, b), (b, a)):
                        if re.search(rf"\b{x}\b", form):
                            extra.append(re.sub(rf"\b{x}\b", y, form))
                if demonym and form[:1].isupper() and not form.startswith(demonym[0]):
                    extra.append(f"{demonym[0]} {form}")
            for person in holders.get(key, ()):
                title = entity.label.split()[0]
                names = [n for n in surface_forms(ctx, person) if " " in n] if person in ctx.entities else []
                if title[:1].isupper() and names:
                    out.setdefault(person, []).append(f"{title} {names[0].split()[-1]}")
        elif ctx.vocab.is_a(entity.type, "Person"):
            names = [n for n in forms if " " in n and n[:1].isupper()]
            if names:
                last = names[0].split()[-1]
                extra += [f"{h} {last}" for h in HONORIFICS]
        if ctx.vocab.is_a(entity.type, "Agency"):
            match = re.fullmatch(r"Ministry of (\w+(?: \w+)?) of (.+)", entity.label)
            if match:
                field, state_label = match.groups()
                extra += [f"{field} Ministry", f"Ministry of {field}"]
                extra += [f"{w} {field} Ministry" for w in state_words(state_label)[:1]]
        out.setdefault(key, []).extend(extra)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items() if v}


@lru_cache(maxsize=4096)
def loose_pattern(form: str) -> re.Pattern:
    """How a form is matched: whole words; a form of several words, or a lowercase one, in any case;
    "US" also as "U.S."; a last lowercase word also in the plural or singular.

    Example:
        >>> bool(loose_pattern("US President").search("U.S. president Trump"))
        True
        >>> bool(loose_pattern("US").search("please contact us"))
        False
    """
    words = form.split(" ")
    parts = [re.escape(w) for w in words]
    last = words[-1]
    if re.fullmatch(r"[a-z]{4,}", last) and not re.search(r"(?:ss|us|is|ws|ics)$", last):
        stem = re.sub(r"(?:ies|es|s)$", "", last) if re.search(r"(?:ies|[^s]s)$", last) else last
        if last.endswith("ies") or last.endswith("y"):
            stem = re.sub(r"(?:ies|y)$", "", last)
            parts[-1] = re.escape(stem) + r"(?:y|ies)"
        else:
            parts[-1] = re.escape(stem) + r"(?:e?s)?"
    body = r"\s+".join(parts)
    body = re.sub(r"\bUS\b", r"(?:US|U\\.S\\.)", body.replace(r"U\.S\.", "US"))
    ignore_case = len(words) > 1 or form.islower()
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(r"(?<![\w])" + body + r"(?![\w])", flags)


def post_title_words(ctx: Context, key: str) -> set[str]:
    """The title words of a post's label and forms, lower case ("president", "minister")."""
    words = " ".join((ctx.entities[key].label, *surface_forms(ctx, key))).lower()
    return {w.lower() for w in TITLE_WORDS if re.search(rf"\b{w.lower()}\b", words)}


def _fits(ctx: Context, key: str, head: str, states: set, qualifiers: list[str]) -> bool:
    """A post has this title word, is in these states and its forms hold these words ("trade")."""
    from kg.authoring.suggest.events import state_of

    forms = " ".join((ctx.entities[key].label, *surface_forms(ctx, key))).lower()
    return (
        head in post_title_words(ctx, key)
        and all(state_of(key, ctx) == s for s in states)
        and all(q.lower() in forms for q in qualifiers)
    )


def title_mentions(
    text: str, mentions: list[tuple[str, int, int]], ctx: Context
) -> list[tuple[str, int, int, str]]:
    """Posts named by a title without a name: "the president" (the post of that title the article
    named last), "the Chinese president", "Japan's trade minister" (the one post of that title in
    that state, among those the article names, else in the registry).

    Args:
        text: the article.
        mentions: (key, start, end) of the registry mentions already found.
        ctx: the context.

    Returns:
        (post key, start, end, words) for each title; spans another post mention covers are skipped.
        A title in a state the registry has no such post for gives ``"new:<label>:<state key>"``
        ("new:President of China:china").
    """
    from kg.authoring.suggest.events import state_of

    posts = [
        (k, s, e)
        for k, s, e in mentions
        if k in ctx.entities and ctx.vocab.is_a(ctx.entities[k].type, "Post")
    ]
    every_post = [k for k, e in ctx.entities.items() if ctx.vocab.is_a(e.type, "Post")]
    out = []
    for match in TITLE_ONLY.finditer(text):
        start, end = match.start("words"), match.end("title")
        if any(s <= match.start("title") and match.end("title") <= e for _, s, e in posts):
            continue  # a post's own form ("US President") already says which
        head = match.group("title").lower()
        states = {
            state_of(k, ctx)
            for k, s, e in mentions
            if match.start() <= s and e <= end and k in ctx.entities and state_of(k, ctx) == k
        }
        qualifiers = [w for w in match.group("words").split() if w[:1].islower()]
        named = [k for k, _, e in posts if e <= match.start() and _fits(ctx, k, head, states, qualifiers)]
        if named:
            key = named[-1]  # the post of that title the article named last
        else:
            known = [k for k in every_post if _fits(ctx, k, head, states, qualifiers)]
            if len(known) == 1 and (states or qualifiers):
                key = known[0]
            elif not known and len(states) == 1:  # "the Chinese president": a post the registry lacks
                (state,) = states
                title = " ".join(w[:1].upper() + w[1:] for w in [*qualifiers, match.group("title")])
                key = f"new:{title} of {ctx.entities[state].label}:{state}"
            else:
                continue
        out.append((key, start, end, text[start:end]))
    return out


def rate_mentions(
    text: str, rates: list[tuple[str, int, int]], mentions: list
) -> list[tuple[str, int, int, str]]:
    """A rate and its measure word as a mention of the known measure a rate suggestion gives it.

    "24% levies" is the measure other facts give 24%; "25% duty on cars" keeps what it is on
    when that is a registry mention ("cars").

    Args:
        text: the article.
        rates: (measure key, start, end) of rate suggestions on registry measures.
        mentions: the registry mentions already found (objects with ``start`` and ``end``).

    Returns:
        (key, start, end, words), one per rate phrase.

    Example:
        >>> text = "Japan faces 24% levies on exports to the U.S."
        >>> rate_mentions(text, [("us-tariff-on-japan", 0, len(text))], [])
        [('us-tariff-on-japan', 12, 22, '24% levies')]
    """
    out = []
    for key, start, end in rates:
        for match in RATE_PHRASE.finditer(text, max(0, start - 12), min(len(text), end + 40)):
            if not start <= match.start(1) < end:
                continue
            stop = match.end()
            on = [m for m in mentions if m.start == match.start("on") and m.end == match.end()]
            adjective = on and on[0].type == "State" and re.match(r"\s+[a-z]", text[match.end() :])
            if match.group("on") and (not on or adjective):
                # what it is on is kept when it is a registry name ("on cars"), not an adjective ("on American goods")
                stop = match.start("on") - len(
                    re.search(r"\s+(?:on|for)\s+$", text[: match.start("on")]).group()
                )
            out.append((key, match.start(), stop, text[match.start() : stop]))
    return out


def outlet_anaphors(text: str, outlets: list[tuple[str, int, int]]) -> list[tuple[str, int, int, str]]:
    """ "the media outlet", "the Tokyo-based news agency": the news outlet the article named last.

    Args:
        text: the article.
        outlets: (key, start, end) of the news outlet mentions, in text order.

    Returns:
        (key, start, end, words) for each such phrase after an outlet was named.

    Example:
        >>> text = "Kyodo News reported it. The letter was sent, the media outlet reported."
        >>> outlet_anaphors(text, [("kyodo-news", 0, 10)])
        [('kyodo-news', 49, 61, 'media outlet')]
    """
    out = []
    for match in OUTLET_NOUN.finditer(text):
        before = [key for key, _, end in outlets if end <= match.start()]
        if before and not any(s <= match.start(1) < e for _, s, e in outlets):
            out.append((before[-1], match.start(1), match.end(1), match.group(1)))
    return out


def _parties(ctx: Context) -> dict[str, set[str]]:
    """Dispute key -> the parties the context's facts give it."""
    out: dict[str, set[str]] = {}
    for fact in ctx.facts:
        entity = ctx.entities.get(fact.subject)
        if entity is None or not ctx.vocab.is_a(entity.type, "Dispute"):
            continue
        for claim in fact.claims:
            if claim.prop == "party" and claim.value.kind == "entity":
                out.setdefault(fact.subject, set()).add(claim.value.value)
    return out


def dispute_references(text: str, mentions: list, ctx: Context) -> list[tuple[str, int, int, str]]:
    """ "the trade war between Washington and Beijing": the one known dispute whose parties (other
    facts) are the two states named, the words before "between" its mention.

    Args:
        text: the article.
        mentions: registry mentions (objects with key, start, end), states among them.
        ctx: the context.

    Returns:
        (dispute key, start, end, words); several disputes with those parties and none whose forms
        share a word with the phrase give nothing.
    """
    from kg.authoring.suggest.events import state_of

    parties = _parties(ctx)
    out = []
    for match in BETWEEN.finditer(text):
        after = sorted(
            (m for m in mentions if match.end() <= m.start <= match.end() + 60), key=lambda m: m.start
        )
        states = []
        for m in after:
            gap = text[(states[-1][1] if states else match.end()) : m.start]
            if states and not re.fullmatch(r"\s*(?:,|and)\s*(?:the\s+)?", gap):
                break
            state = state_of(m.key, ctx)
            if state == m.key and (not states or m.start >= states[-1][1]):
                states.append((state, m.end))
        named = {s for s, _ in states}
        if len(named) != 2:
            continue
        fits = [k for k, p in parties.items() if p == named]
        words = set(match.group(1).lower().split())
        if len(fits) > 1:
            fits = [k for k in fits if words & set(" ".join(surface_forms(ctx, k)).lower().split())]
        if len(fits) == 1:
            out.append((fits[0], match.start(1), match.end(1), match.group(1)))
    for key, start, _, words in list(out):  # later, "the trade war" is the same one
        again = re.compile(r"\bthe\s+(?:ongoing\s+|current\s+)?(" + re.escape(words.lower()) + r")\b", re.I)
        for match in again.finditer(text, start + 1):
            if not any(s <= match.start(1) < e for _, s, e, _ in out):
                out.append((key, match.start(1), match.end(1), match.group(1)))
    return sorted(out, key=lambda r: r[1])
