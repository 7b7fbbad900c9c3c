"""Events the other facts already know, so a new mention of one is proposed under its existing key."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.authoring.suggest.context import Context

EVENT_NOUNS = re.compile(
    r"\b(speech|interview|post|letter|briefing|press conference|announcement|visit|trip|summit|call)\b",
    re.IGNORECASE,
)
"""Nouns that say what kind of event something said was: a speech is not an interview."""
ROLE_PROPERTIES = ("speaker", "sender", "recipient", "deliveredBy", "participant", "place")
"""Properties of an event whose values say who or where it involves."""


@dataclass
class KnownEvent:
    """A registry event with the roles and dates the hand facts give it."""

    key: str
    type: str
    roles: dict[str, set[str]] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)

    def parties(self, ctx: Context) -> set[str]:
        """Everyone and every state involved, people and agencies also as their state."""
        out: set[str] = set()
        for prop, keys in self.roles.items():
            if prop == "place":
                continue
            out |= keys | {s for k in keys if (s := state_of(k, ctx))}
        return out


def state_of(key: str, ctx: Context) -> str | None:
    """The state an entity is or belongs to (a person's nationality, an agency's state)."""
    entity = ctx.entities.get(key)
    if entity is None:
        return None
    if ctx.vocab.is_a(entity.type, "State"):
        return key
    for claim in entity.claims:
        if claim.prop in ("nationality", "agencyOf", "postIn") and claim.value.kind == "entity":
            return state_of(claim.value.value, ctx) or claim.value.value
    return None


def known_events(ctx: Context) -> list[KnownEvent]:
    """The registry's events with the roles and dates that the context's facts give them."""
    events: dict[str, KnownEvent] = {}
    for fact in ctx.facts:
        entity = ctx.entities.get(fact.subject)
        if entity is None or not ctx.vocab.is_a(entity.type, "Event"):
            continue
        event = events.setdefault(fact.subject, KnownEvent(fact.subject, entity.type))
        for claim in fact.claims:
            if claim.prop in ROLE_PROPERTIES and claim.value.kind == "entity":
                event.roles.setdefault(claim.prop, set()).add(claim.value.value)
        if fact.date is not None:
            event.dates.add(fact.date.value)
    return sorted(events.values(), key=lambda e: e.key)


def _near(dates: set[str], day: str | None, window: int = 7) -> bool:
    """No date on either side, or some known date within ``window`` days (month precision: same month)."""
    if not dates or not day:
        return True
    for known in dates:
        if len(known) == 10 and len(day) == 10:
            gap = abs((dt.date.fromisoformat(known) - dt.date.fromisoformat(day)).days)
            if gap <= window:
                return True
        elif known[:7] == day[:7]:
            return True
    return False


def _kinds(text: str) -> set[str]:
    """The kinds of event the words name ("speech", "interview", ...), lower case."""
    return {w.lower() for w in EVENT_NOUNS.findall(text)}


def matching_event(
    ctx: Context,
    etype: str,
    roles: dict[str, list[str]],
    day: str | None,
    events: list[KnownEvent],
    words: str = "",
) -> KnownEvent | None:
    """The one known event of this type whose roles include everyone named, within a week of the date.

    Roles are compared role by role, a person or agency also standing for their state ("Beijing
    warned" matches a warning whose speaker is China's commerce ministry). When several events
    fit, the one sharing most named parties wins, then one of exactly the proposed type; a tie
    means no match (a new key is proposed). A plain statement or announcement ("X said", no recipient)
    matches only a known one of the same day or of the kind the words name ("in an interview"): people say many things.

    Args:
        ctx: the context (registry and facts).
        etype: the event class proposed (Letter, Statement, Warning, Talks, ...).
        roles: role -> keys named in the text.
        day: the date the text gives the event (YYYY-MM-DD), if any.
        events: :func:`known_events` of the context.
        words: the words that name the event; when the best match's label names another kind of
            event (a speech, not an interview) there is no match.

    Returns:
        The matching event, or None.
    """
    named = {k for keys in roles.values() for k in keys if k}
    if not named & set(ctx.entities):
        return None  # only new names: nothing to recognise a known event by
    scored = []
    for event in events:
        if not (ctx.vocab.is_a(event.type, etype) or ctx.vocab.is_a(etype, event.type)):
            continue
        if not _near(event.dates, day):
            continue
        ok = True
        for prop, keys in roles.items():
            have = event.roles.get(prop, set())
            if prop in ("participant",):
                have = event.parties(ctx)
            widened = have | {s for k in have if (s := state_of(k, ctx))}
            if prop == "participant":  # "Trump attends talks with Japan": he takes part for his state,
                direct = event.roles.get("participant", set())  # in talks whose parties are states
                keys = [s if (s := state_of(k, ctx)) in direct else k for k in keys]
            if not all(k in widened for k in keys if k in ctx.entities):  # a new name is no evidence
                ok = False
        if ok:
            scored.append(((len(named & event.parties(ctx)), event.type == etype), event))
    if not scored:
        return None
    scored.sort(key=lambda x: x[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    best = scored[0][1]
    entity = ctx.entities.get(best.key)
    said, labelled = _kinds(words), _kinds(entity.label if entity else "")
    if said and labelled and not said & labelled:
        return None  # "in a Tuesday speech" is not a known interview
    if (
        etype in ("Statement", "Announcement")
        and len(named) < 2
        and not (said & labelled or (day and day in best.dates))
    ):
        return None  # people say many things: "X said" alone is no evidence of one known statement
    return best


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def anchor_event_dates(facts: list, events: list[KnownEvent], window: int = 7) -> None:
    """A weekday resolved against the article's date, moved to the day of the known event it describes.

    "The announcement planned for Wednesday", in a suggestion proposed under a known event's key:
    when the other facts date that event to a Wednesday within ``window`` days of the day the
    article's date gave, the event's day wins and ``inferred_from`` says so; otherwise the
    article's date stands.

    Args:
        facts: the suggestions (their ``date`` fields are changed in place).
        events: :func:`known_events` of the context.
        window: how far apart (days) the two readings may be.
    """
    dated = {e.key: sorted(d for d in e.dates if len(d) == 10) for e in events}
    for fs in facts:
        date = fs.fields.get("date")
        subject = str(fs.fields.get("subject"))
        if not isinstance(date, dict) or not dated.get(subject) or len(str(date["value"])) != 10:
            continue
        said = re.match(r"'([^']+)'", str(date["inferred_from"]))
        words = said.group(1).lower().split() if said else []
        if not words or words[-1] not in WEEKDAY_NAMES:
            continue
        resolved = dt.date.fromisoformat(str(date["value"]))
        for known in dated[subject]:
            day = dt.date.fromisoformat(known)
            if (
                day != resolved
                and day.weekday() == WEEKDAY_NAMES.index(words[-1])
                and abs((day - resolved).days) <= window
            ):
                fs.fields["date"] = {
                    "value": known,
                    "inferred_from": f"'{said.group(1)}' for {subject}, which other facts date to "
                    f"{WEEKDAY_NAMES[day.weekday()].title()} {known} (the article's date gave {resolved.isoformat()})",
                }
                fs.notes.append(f"the date of {subject} as other facts give it, not the article's")
                break
