"""Posts and their holders: "Chinese Premier Li Qiang", "his Japanese counterpart X", "President Trump", new posts."""

from __future__ import annotations

import re

from kg.authoring.suggest.context import Context
from kg.authoring.suggest.events import state_of
from kg.authoring.suggest.mentions import TITLE_RE, TITLE_SYNONYMS, holders_by_post, post_title_words
from kg.authoring.suggest.model import (
    Actor,
    EntityCandidate,
    FactSuggestion,
    in_excluded,
    make_fact,
    skip_space,
    slug,
)


def post_facts(ctx, ids, top, actors_at, new_post_for) -> list[FactSuggestion]:
    text = ctx.source.text
    out = []
    holders = holders_by_post(ctx)
    for m in top:
        if not ctx.vocab.is_a(m.type, "Post"):
            continue
        holder = actors_at.get(skip_space(text, m.end))
        if holder is None or holder.type != "Person":
            definite = m.via == "title" or re.search(r"\b[Tt]he\s+$", text[max(0, m.start - 4) : m.start])
            if definite and len(holders.get(m.key, ())) == 1:  # "the president": who holds it now
                (person,) = holders[m.key]
                fs = make_fact(ctx, ids, "post", f"a{ctx.article_no}-{m.key}", m.start, m.end,
                           {"subject": m.key, "type": "Post", "heldBy": person})  # fmt: skip
                fs.notes.append(f"a title without a name: the holder other facts give {m.key}")
                out.append(fs)
            continue
        fs = make_fact(ctx, ids, "post", f"a{ctx.article_no}-{m.key}", m.start, holder.end,
                   {"subject": m.key, "type": "Post", "heldBy": holder.key})  # fmt: skip
        if holder.new:
            fs.needs.append(holder.key)
        out.append(fs)
    out += _counterpart_facts(ctx, ids, top, actors_at)
    out += _title_before_name_facts(ctx, ids, top, holders)
    for post_key, (start, holder) in new_post_for.items():
        fs = make_fact(ctx, ids, "post", f"a{ctx.article_no}-{post_key}", start, holder.end,
                   {"subject": post_key, "type": "Post", "heldBy": holder.key})  # fmt: skip
        fs.needs += [post_key] + ([holder.key] if holder.new else [])
        out.append(fs)
    return out


def _title_before_name_facts(ctx, ids, top, holders) -> list[FactSuggestion]:
    """ "President Donald Trump": a title word alone before the name of someone other facts say holds
    the post of that title."""
    text = ctx.source.text
    held: dict[str, list[str]] = {}
    for post, people in holders.items():
        for person in people:
            held.setdefault(person, []).append(post)
    out = []
    for m in top:
        title = re.search(r"(?<![\w’'])(" + TITLE_RE.pattern + r")\s+$", text[max(0, m.start - 30) : m.start])
        if not title or not ctx.vocab.is_a(m.type, "Person") or m.key not in held:
            continue
        start = m.start - (len(text[max(0, m.start - 30) : m.start]) - title.start(1))
        if any(o.end > start - 2 and o.end <= m.start and ctx.vocab.is_a(o.type, "Post") for o in top):
            continue  # "US President Donald Trump": the post's own mention gives the fact
        posts = [
            p for p in held[m.key] if p in ctx.entities and title.group(1).lower() in post_title_words(ctx, p)
        ]
        if len(posts) != 1:
            continue
        fs = make_fact(ctx, ids, "post", f"a{ctx.article_no}-{posts[0]}", start, m.end,
                   {"subject": posts[0], "type": "Post", "heldBy": m.key})  # fmt: skip
        fs.notes.append(f'"{title.group(1)}" before the name: the post other facts say {m.key} holds')
        out.append(fs)
    return out


def _title(label: str) -> str:
    """The title of a post's label, one spelling for synonyms: "Premier of China" -> "prime minister"."""
    title = label.split(" of ")[0].lower()
    for a, b in TITLE_SYNONYMS:
        title = re.sub(rf"\b{b.lower()}\b", a.lower(), title)
    return title


def _counterpart_facts(ctx, ids, top, actors_at) -> list[FactSuggestion]:
    """ "Chinese Prime Minister Li Qiang to his Japanese counterpart Shigeru Ishiba": the registry post
    of the same title in the other state, held by the person named."""
    text = ctx.source.text
    out = []
    for m in top:
        after = re.match(r"\s+counterparts?\s+", text[m.end : m.end + 20])
        if not after or state_of(m.key, ctx) != m.key:
            continue
        holder = actors_at.get(m.end + after.end())
        before = [
            o for o in top if o.end <= m.start and m.start - o.end <= 120 and ctx.vocab.is_a(o.type, "Post")
        ]
        if holder is None or holder.type != "Person" or not before:
            continue
        title = _title(ctx.entities[before[-1].key].label)
        posts = [
            k for k, e in ctx.entities.items()
            if ctx.vocab.is_a(e.type, "Post") and state_of(k, ctx) == m.key and _title(e.label) == title
        ]  # fmt: skip
        if len(posts) != 1:
            continue
        fs = make_fact(ctx, ids, "post", f"a{ctx.article_no}-{posts[0]}", m.start, holder.end,
                   {"subject": posts[0], "type": "Post", "heldBy": holder.key})  # fmt: skip
        fs.notes.append(
            f'"counterpart" of the {ctx.entities[before[-1].key].label}: the same title in {m.text}'
        )
        fs.needs += [holder.key] if holder.new else []
        out.append(fs)
    return out


def field_posts(text, top, candidates_by_start, candidates, excluded) -> dict[str, tuple[int, Actor]]:
    """ "Secretary of Defense Pete Hegseth": a new post named by a title and its field, held by the new
    name after it (no state is named: the annotator adds it)."""
    out: dict[str, tuple[int, Actor]] = {}
    taken = {c.key for c in candidates}
    for match in re.finditer(r"\b(?:" + TITLE_RE.pattern + r") (?:of|for) (?:the )?[A-Z][\w-]*(?= )", text):
        holder = candidates_by_start.get(match.end() + 1)
        if holder is None or in_excluded(match.start(), match.end(), excluded):
            continue
        if any(m.start <= match.start() < m.end or m.start < match.end() <= m.end for m in top):
            continue  # a registry post or a state's title: handled by their own rules
        key = slug(match.group())
        if key in taken or key in out:
            continue
        candidates.append(
            EntityCandidate(
                key, "Post", match.group(), match.start(), match.end(), match.group(),
                "a title and its field before a name", type_reason="a title word",
            )
        )  # fmt: skip
        holder.type, holder.type_reason = "Person", f'holds "{match.group()}"'
        out[key] = (match.start(), Actor(holder.key, "Person", holder.start, holder.end, True))
    return out


def new_posts(text, top, candidates_by_start, ctx, candidates) -> dict[str, tuple[int, Actor]]:
    """ "Japanese Trade Minister Yoji Muto": a new post in a known state, held by the name after it."""
    out: dict[str, tuple[int, Actor]] = {}
    for m in top:
        if ctx.entities[m.key].type != "State":
            continue
        after = re.match(
            r" ((?:[A-Z][a-z]+ ){0,3}(?:" + TITLE_RE.pattern + r"))(?: to ([A-Z][\w-]*))? ",
            text[m.end : m.end + 80],
        )
        if not after:
            continue
        holder_start = m.end + after.end()
        holder = candidates_by_start.get(holder_start)
        if holder is None:
            continue
        title = after.group(1)
        state_label = ctx.entities[m.key].label
        post_key, label = f"{slug(title)}-of-{m.key}", f"{title} of {state_label}"
        if after.group(2):  # "Chinese Ambassador to Tokyo": a post in one state accredited to another
            to_at = m.end + after.start(2)
            to = next((o.key for o in top if o.start == to_at), None)
            to = _state_of_place(to, ctx) if to else None
            if to is None or to == m.key:
                continue
            post_key, label = f"{post_key}-to-{to}", f"{label} to {ctx.entities[to].label}"
        if post_key in ctx.entities:
            continue
        candidates.append(
            EntityCandidate(
                post_key, "Post", label, m.start, holder_start - 1, text[m.start : holder_start - 1],
                "a title after a known state, before a name", {"postIn": m.key},
            )
        )  # fmt: skip
        holder.type, holder.type_reason = "Person", f'holds "{text[m.start : holder_start - 1]}"'
        holder.fields.setdefault("nationality", m.key)
        out[post_key] = (m.start, Actor(holder.key, "Person", holder.start, holder.end, True))
    return out


def title_posts(titles, taken: set[str], ctx: Context) -> list[EntityCandidate]:
    """New posts named by a title and a state the registry has no such post for ("the Chinese president")."""
    out: dict[str, EntityCandidate] = {}
    for key, start, end, words in titles:
        if not key.startswith("new:"):
            continue
        _, label, state = key.split(":")
        post_key = slug(label)
        if post_key not in taken and post_key not in out:
            out[post_key] = EntityCandidate(
                post_key, "Post", label, start, end, words, "a title with a state, no name",
                {"postIn": state}, "a title word",
            )  # fmt: skip
    return list(out.values())


def _state_of_place(key: str, ctx: Context) -> str | None:
    """The state a registry key is, belongs to, or (a place) lies in: "Tokyo" -> japan."""
    state = state_of(key, ctx)
    if state is None and key in ctx.entities:
        located = [c.value.value for c in ctx.entities[key].claims if c.prop == "locatedIn"]
        state = state_of(located[0], ctx) if located else None
    return state
