"""Candidate facts for the relations that matter: measures' parties, letters, talks and meetings, attribution."""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.authoring.suggest.context import Context
from kg.authoring.suggest.events import KnownEvent, matching_event, state_of

Make = Callable[..., object]
"""kg.authoring.suggest.find's fact maker: (kind, id base, start, end, fields) -> FactSuggestion."""

LETTER_RE = re.compile(r"\bletter\b", re.IGNORECASE)
MEETING_WORDS = {
    "talks": "Talks", "negotiations": "Talks", "discussions": "Talks",
    "meet": "Meeting", "met": "Meeting", "meeting": "Meeting", "summit": "Meeting", "conference": "Meeting",
    "visit": "Visit", "trip": "Visit", "travel": "Visit",
}  # fmt: skip
MEETING_RE = re.compile(r"\b(" + "|".join(MEETING_WORDS) + r")\b")
SOURCE_RE = re.compile(r"\baccording to\s+$|\bciting\s+$", re.IGNORECASE)


def _agents(mentions, ctx: Context, start: int, end: int):
    """Actor mentions (states, people, organisations) inside [start, end), in text order."""
    return [
        m for m in mentions if start <= m.start and m.end <= end and ctx.vocab.is_a(m.type, "Actor")
    ]  # fmt: skip


def _person_or_self(m, mentions, text: str, ctx: Context):
    """A post or a state adjective followed by a name means the person named ("Premier Li Qiang")."""
    if ctx.vocab.is_a(m.type, "Person"):
        return m
    after = [o for o in mentions if o.start >= m.end and o.start - m.end <= 40]
    for o in sorted(after, key=lambda o: o.start):
        gap = text[m.end : o.start]
        if ctx.vocab.is_a(o.type, "Person") and re.fullmatch(r"[\s\w’'-]*", gap) and "," not in gap:
            return o
        if not re.fullmatch(r"[\s\w’'-]*", gap):
            break
    return m


# ---------------------------------------------------------------- trade measures


def measure_roles(ctx: Context, key: str) -> dict[str, set[str]]:
    """imposedBy and target of a measure, as the registry and the other facts give them."""
    roles: dict[str, set[str]] = {}
    entity = ctx.entities.get(key)
    claims = list(entity.claims) if entity else []
    claims += [c for f in ctx.facts if f.subject == key for c in f.claims]
    for c in claims:
        if c.prop in ("imposedBy", "target") and c.value.kind == "entity":
            roles.setdefault(c.prop, set()).add(c.value.value)
    return roles


def ground_measure(
    ctx: Context, key: str, mentions, start: int, end: int
) -> tuple[dict[str, list[str]], list]:
    """Known parties of a measure that the words [start, end) name (a person or agency for their state).

    Returns:
        role -> keys, and the mentions that name them.
    """
    fields: dict[str, list[str]] = {}
    used = []
    for prop, keys in sorted(measure_roles(ctx, key).items()):
        for m in mentions:
            if not (start <= m.start and m.end <= end) or m.key == key:
                continue
            named = m.key if m.key in keys else state_of(m.key, ctx)
            if named in keys and named not in fields.get(prop, []):
                if prop == "target" and named in fields.get("imposedBy", []):
                    continue
                fields.setdefault(prop, []).append(named)
                used.append(m)
    return fields, used


# ---------------------------------------------------------------- letters


def letter_roles(
    text: str, s_start: int, s_end: int, mentions, ctx: Context
) -> tuple[dict[str, list[str]], list]:
    """Sender, recipient and deliverer of a letter named in one sentence.

    "a letter from A to B, delivered by C", "A sent a letter to B", "sent via C", "delivered
    through C": a post or state adjective before a name stands for the person named.
    """
    roles: dict[str, list[str]] = {}
    used = []
    agents = _agents(mentions, ctx, s_start, s_end)

    def after(pattern: str, people_only: bool):
        for match in re.finditer(pattern, text[s_start:s_end]):
            at = s_start + match.end()
            for m in agents:
                if m.start >= at and m.start - at <= 45:
                    m = _person_or_self(m, mentions, text, ctx)
                    if not people_only or ctx.vocab.is_a(m.type, "Person") or ctx.vocab.is_a(m.type, "State"):
                        return m
        return None

    letter = LETTER_RE.search(text, s_start, s_end)
    sender = after(r"\bletter from\s+", True)
    if sender is None:
        sent = re.search(r"\b(?:has |had )?sent a letter\b", text[s_start:s_end])
        if sent:
            before = [m for m in agents if m.end <= s_start + sent.start()]
            if before:
                sender = _person_or_self(before[-1], mentions, text, ctx)
                if not ctx.vocab.is_a(sender.type, "Person"):
                    sender = next((m for m in reversed(before) if ctx.vocab.is_a(m.type, "Person")), sender)
    recipient = after(r"\bletter\b[^.,;]*?\bto\s+(?:his |her |their )?(?:\w+ )?(?:counterpart\s+)?", True)
    deliverer = after(r"\b(?:delivered|sent|passed)\s+(?:by|through|via)\s+(?:the\s+)?", False)
    for prop, m in (("sender", sender), ("recipient", recipient), ("deliveredBy", deliverer)):
        if m is not None and letter is not None:
            roles[prop] = [m.key]
            used.append(m)
    return roles, used


# ---------------------------------------------------------------- talks, meetings, visits


def meeting_roles(
    text: str, s_start: int, s_end: int, word_at: int, mentions, ctx: Context
) -> tuple[dict[str, list[str]], list]:
    """Participants and place of talks, a meeting or a visit named in one sentence.

    Participants: the actors the sentence opens with ("Japan and the United States are ...",
    "Japan is in talks ..."), and those after "with" or "between" near the word; the place: a
    registry place after "in", "to" or "at".
    """
    # the clause the word is in: after an opening quotation mark or "that", up to a closing one
    openers = [m.end() for m in re.finditer(r"[“\"]|\bthat\s", text[s_start:word_at])]
    c_start = s_start + openers[-1] if openers else s_start
    closer = re.compile(r"[”;]").search(text, word_at, s_end)
    c_end = closer.start() if closer else s_end
    agents = [m for m in _agents(mentions, ctx, c_start, c_end) if not ctx.vocab.is_a(m.type, "NewsOutlet")]
    roles: dict[str, list[str]] = {}
    used = []
    lead = []
    for m in agents:
        if m.end > word_at:
            break
        gap = text[(lead[-1].end if lead else c_start) : m.start]
        if (not lead and re.fullmatch(r"[\s“\"]*(?:the\s+)?(?:[A-Z]\w+\s+){0,3}", gap)) or (
            lead and re.fullmatch(r",?\s*(?:and\s+)?(?:the\s+)?", gap)
        ):
            lead.append(m)
        elif lead:
            break
    intro = re.match(
        r"[\s“\"]*(?:During|On|After|Before|Ahead of|While on|At the end of)\b", text[c_start:word_at]
    )
    comma = text.find(",", word_at, c_end)
    if not lead and intro and comma != -1:  # "During a trip to Tokyo on Sunday, Pete Hegseth announced"
        lead = [m for m in agents if comma < m.start <= comma + 45][:1]
    partners = []
    tail = re.compile(r"\b(?:with|between)\s+(?:the\s+)?").search(text, word_at, min(c_end, word_at + 60))
    if tail:
        for m in agents:
            if m.start < tail.end():
                continue
            gap = text[(partners[-1].end if partners else tail.end()) : m.start]
            if re.fullmatch(r",?\s*(?:and\s+)?(?:the\s+)?(?:[A-Z]\w+\s+|\w+\s+officials\s+)?", gap) or (
                not partners and m.start - tail.end() <= 25
            ):
                partners.append(m)
            else:
                break
    verb = re.match(r"(?:meet|met|visit|visited|visits)\s+(?:the\s+)?", text[word_at:c_end])
    if verb and not partners:  # "the first official to meet Trump": who is met
        partners = [m for m in agents if m.start == word_at + verb.end()][:1]
    people = [_person_or_self(m, mentions, text, ctx) for m in lead + partners]
    keys = list(dict.fromkeys(m.key for m in people))
    reported = re.search(r"\bthat\s$", text[max(s_start, c_start - 5) : c_start])
    speakers = [
        m for m in _agents(mentions, ctx, s_start, c_start) if not ctx.vocab.is_a(m.type, "NewsOutlet")
    ]
    if not lead and partners and reported and speakers:
        # "Ishiba told reporters that talks with Washington would continue": the speaker's side talks
        side = _person_or_self(speakers[0], mentions, text, ctx)
        keys.insert(0, state_of(side.key, ctx) or side.key)
        people.insert(0, side)
    if keys:
        roles["participant"] = keys
        used += people
    for m in mentions:
        placed = re.search(r"\b(?:in|to|at)\s+$", text[max(s_start, m.start - 6) : m.start])
        if s_start <= m.start < s_end and ctx.vocab.is_a(m.type, "Place") and placed:
            roles["place"] = [m.key]
            used.append(m)
            break
    return roles, used


# ---------------------------------------------------------------- attribution


def sentence_sources(text: str, s_start: int, s_end: int, mentions, ctx: Context) -> list[object]:
    """The attribution chain a sentence gives: "according to X", "X reported", "told X", "citing officials".

    Returns:
        Registry keys of the named sources, nearest first, then ``{"anonymous": words}`` for
        unnamed ones ("citing multiple Japanese government officials").
    """
    chain: list[object] = []
    sentence = text[s_start:s_end]
    for m in mentions:
        if not (s_start <= m.start and m.end <= s_end) or not ctx.vocab.is_a(m.type, "Actor"):
            continue
        before = text[max(s_start, m.start - 30) : m.start]
        after = text[m.end : m.end + 12]
        outlet = ctx.vocab.is_a(m.type, "NewsOutlet")
        according = re.search(
            r"\baccording to\s+(?:the\s+|a\s+)?(?:\w+’s\s+|\w+'s\s+)?$", before
        ) or re.search(
            r"\baccording to\s+(?:a|an|the)\s+(?:\w+\s+){1,2}(?:obtained|published|released|seen|reported)\s+by\s+(?:the\s+)?$",
            text[max(s_start, m.start - 60) : m.start],
        )  # "according to a transcript obtained by the Associated Press"
        reported = re.match(r"\s+(?:news agency\s+)?(?:reported|reports|said)\b", after)
        told = re.search(
            r"\b(?:told|interview with|said|reported)\s+(?:the\s+)?$", before
        )  # "..., said the agency"
        possessive = re.match(r"[’']s\b", text[m.end : m.end + 3])
        state = ctx.vocab.is_a(m.type, "State")  # "according to Japanese officials": unnamed sources
        named = according and not state and not possessive
        if (named or (outlet and (reported or told))) and m.key not in chain:
            chain.append(m.key)
    unnamed = (
        r"((?:a |an )?(?:[\w-]+\s+){0,4}?(?:sources?|officials?|officers?|people|diplomats?|insiders?))\b"
    )
    citing = re.search(r"\bciting\s+" + unnamed, sentence)
    if chain and citing:
        chain.append({"anonymous": citing.group(1)})
    according = re.search(r"\baccording to\s+" + unnamed, sentence)
    if according and not citing:
        chain.append({"anonymous": according.group(1)})
    return chain


# ---------------------------------------------------------------- putting them together


def _scalar(values: list[str]) -> object:
    return values[0] if len(values) == 1 else values


def _span(items, *extra: tuple[int, int]) -> tuple[int, int]:
    spans = [(m.start, m.end) for m in items] + list(extra)
    return min(s for s, _ in spans), max(e for _, e in spans)


def relation_facts(
    ctx: Context,
    make: Make,
    mentions: list,
    top: list,
    spans: list[tuple[int, int]],
    date_of: Callable[[tuple[int, int]], dict | None],
    rate_facts: list,
    events: list[KnownEvent],
) -> list:
    """Candidate facts for measures' parties, letters, and talks, meetings and visits, sentence by sentence.

    An event that matches one the other facts know (:func:`kg.authoring.suggest.events.matching_event`) is
    proposed under its key; otherwise under a new key listed in the suggestion's ``needs``.

    Args:
        ctx: the context.
        make: makes an anchored FactSuggestion from (kind, id base, start, end, fields).
        mentions: every registry mention (nested ones too), and new names as mentions.
        top: mentions not inside a longer one.
        spans: the article's sentences (page furniture left out).
        date_of: the date field of a sentence span (a relative date in it), or None.
        rate_facts: the rate suggestions already made (their measures get parties here).
        events: the known events.

    Returns:
        The new FactSuggestions.
    """
    text = ctx.source.text
    no = ctx.article_no
    out = []
    last_letter: str | None = None
    for s_start, s_end in spans:
        date = date_of((s_start, s_end))
        day = date["value"] if date else None
        # ------------------------------------------------ measures: the parties the sentence names
        anchors: dict[str, tuple[int, int]] = {}
        for m in top:
            if s_start <= m.start < s_end and ctx.vocab.is_a(m.type, "TradeMeasure"):
                anchors.setdefault(m.key, (m.start, m.end))
        for fs in rate_facts:
            if s_start <= fs.start < s_end:
                anchors.setdefault(str(fs.fields["subject"]), (fs.start, fs.end))
        for key, (a_start, a_end) in anchors.items():
            window = (max(s_start, a_start - 120), min(s_end, a_end + 120))
            roles, used = ground_measure(ctx, key, mentions, *window)
            if not roles:
                continue
            start, end = _span(used, (a_start, a_end))
            fields = {"subject": key, "type": ctx.entities[key].type if key in ctx.entities else "Tariff"}
            fields |= {prop: _scalar(v) for prop, v in roles.items()}
            fs = make("measure", f"a{no}-{key}-parties", start, end, fields)
            fs.notes.append("parties the other facts give this measure, named in these words")
            out.append(fs)
        # ------------------------------------------------ letters
        if LETTER_RE.search(text, s_start, s_end):
            roles, used = letter_roles(text, s_start, s_end, mentions, ctx)
            if roles:
                event = matching_event(ctx, "Letter", roles, day, events)
                definite = re.search(r"\b[Tt]he letter\b", text[s_start:s_end])
                needs = []
                if event is not None:
                    key, note = event.key, f"the registry's letter {event.key}: same {', '.join(roles)}"
                elif definite and last_letter:
                    key, note = last_letter, "'the letter': the letter of an earlier sentence"
                else:
                    who = "-".join(
                        roles.get("sender", []) + ["letter"] + [f"to-{r}" for r in roles.get("recipient", [])]
                    )
                    key, note = f"{who}-{no}", "a new letter: no known letter has these sender and recipient"
                    needs.append(key)
                last_letter = key
                letter_at = LETTER_RE.search(text, s_start, s_end)
                start, end = _span(used, letter_at.span())
                fields = {"subject": key, "type": "Letter"} | {p: _scalar(v) for p, v in roles.items()}
                if date:
                    fields["date"] = date
                fs = make("letter", f"a{no}-{key}", start, end, fields)
                fs.needs += needs
                fs.notes.append(note)
                out.append(fs)
        # ------------------------------------------------ talks, meetings, visits
        seen: set[tuple] = (
            set()
        )  # one suggestion per kind and parties: "talks ... negotiations" in one clause
        for word in MEETING_RE.finditer(text, s_start, s_end):
            etype = MEETING_WORDS[word.group(1)]
            roles, used = meeting_roles(text, s_start, s_end, word.start(), mentions, ctx)
            participants = roles.get("participant", [])
            if len(participants) + len(roles.get("place", [])) < 2 or (etype, *participants) in seen:
                continue
            seen.add((etype, *participants))
            event = matching_event(ctx, etype, {"participant": participants}, day, events)
            needs = []
            if event is not None:
                key, note = event.key, f"the registry's {event.type.lower()} {event.key}: same participants"
            else:
                key = "-".join(p.split("-")[-1] for p in participants[:3]) + f"-{etype.lower()}-{no}"
                note = f"a new {etype.lower()}: no known one has these participants within a week"
                needs.append(key)
            start, end = _span(used, word.span())
            fields = {"subject": key, "type": etype if event is None else ctx.entities[key].type}
            fields |= {p: _scalar(v) for p, v in roles.items()}
            if date:
                fields["date"] = date
            fs = make("meeting", f"a{no}-{key}", start, end, fields)
            fs.needs += needs
            fs.notes.append(note)
            out.append(fs)
    return out


OUTLET_ANAPHOR = re.compile(
    r"\bthe\s+(?:[\w-]+\s+)?(?:media outlet|news agency|agency|broadcaster|newspaper|outlet|paper)\s+"
    r"(?:reported|reports|said|says)\b"
)
"""'the media outlet reported', 'said the Tokyo-based news agency': the outlet named before."""
REPORTEDLY = re.compile(r"\breportedly\b")


def article_sources(
    text: str, spans: list[tuple[int, int]], mentions: list, ctx: Context
) -> list[list[object]]:
    """The attribution chain of each sentence, with what the article says of the same report elsewhere.

    * "the media outlet reported", "the news agency said": the news outlet the article named last;
    * one outlet, one report: when the article says once that an outlet cites unnamed sources
      ("Kyodo reported, citing government officials"), every chain it starts gets them;
    * "reportedly" with no source of its own: the chain of the article's one reporting outlet.
    """
    chains = []
    last_outlet = None
    for s_start, s_end in spans:
        chain = sentence_sources(text, s_start, s_end, mentions, ctx)
        anaphor = OUTLET_ANAPHOR.search(text, s_start, s_end)
        if anaphor and last_outlet and last_outlet not in chain:
            chain.insert(0, last_outlet)
            citing = re.search(
                r"\bciting\s+((?:[\w-]+\s+){0,4}?(?:sources?|officials?|people|diplomats?))\b",
                text[anaphor.end() : s_end],
            )
            if citing and not any(isinstance(c, dict) for c in chain):
                chain.append({"anonymous": citing.group(1)})
        for m in mentions:
            if s_start <= m.start < s_end and ctx.vocab.is_a(m.type, "NewsOutlet"):
                last_outlet = m.key
        chains.append(chain)
    outlets = {
        c[0]
        for c in chains
        if c
        and isinstance(c[0], str)
        and ctx.entities.get(c[0]) is not None
        and ctx.vocab.is_a(ctx.entities[c[0]].type, "NewsOutlet")
    }
    unnamed: dict[str, list[object]] = {}
    for chain in chains:
        if chain and isinstance(chain[0], str) and chain[0] in outlets:
            unnamed.setdefault(chain[0], []).extend(c for c in chain[1:] if isinstance(c, dict))
    for i, chain in enumerate(chains):
        if not chain and len(outlets) == 1 and REPORTEDLY.search(text, *spans[i]):
            chain.append(next(iter(outlets)))
        if len(chain) == 1 and isinstance(chain[0], str) and unnamed.get(chain[0]):
            chain.append(unnamed[chain[0]][0])
    return chains


def add_attribution(facts: list, spans: list[tuple[int, int]], mentions: list, ctx: Context) -> None:
    """Give the facts of a sentence the attribution chain the article states for it (not to the report
    itself): see :func:`article_sources`. What a person says or warns in the sentence ("Bessent
    confirmed that talks will be held") is attributed to them too, after the outlets that relay it
    (not what they announce or request: the article states that as its own)."""
    text = ctx.source.text
    for (s_start, s_end), chain in zip(spans, article_sources(text, spans, mentions, ctx), strict=True):
        inside = [fs for fs in facts if s_start <= fs.start and fs.end <= s_end and fs.kind != "post"]
        said_by = [
            str(fs.fields["speaker"]) for fs in inside
            if fs.kind == "statement" and fs.fields.get("type") in ("Statement", "Warning") and isinstance(fs.fields.get("speaker"), str)
            and fs.fields["speaker"] in ctx.entities and ctx.vocab.is_a(ctx.entities[fs.fields["speaker"]].type, "Person")
        ]  # fmt: skip
        named = {c for c in chain if isinstance(c, str)}
        for fs in inside:
            if named & {str(v) for v in _values(fs.fields.get("speaker"))}:
                continue  # "Kyodo reported": the report is Kyodo's own, not attributed to it
            own = chain
            if fs.kind not in ("statement",) and len(set(said_by)) == 1 and said_by[0] not in chain:
                own = [*chain, said_by[0]]
            if own:
                fs.fields.setdefault("attribution", own)


def _values(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])
