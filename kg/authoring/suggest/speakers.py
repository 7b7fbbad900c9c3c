"""Who said something: a pronoun's antecedent, the subject a participle ("..., saying") goes back to, an owner ("Trump's announcement")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol


class Span(Protocol):
    """A mention of an actor: its key, class and offsets."""

    key: str
    type: str
    start: int
    end: int


PRONOUN_BEFORE = re.compile(r"\b(?:he|she)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
"""A speech verb's subject is a pronoun ("he said", "she quickly added")."""
PARTICIPLE = re.compile(r",\s+(saying)\b")
"""A participle whose subject is the sentence's ("Ishiba has taken a firm stance, saying ...")."""


def antecedent(
    text: str, verb_start: int, actors: Sequence[Span], is_person: Callable[[Span], bool], reach: int = 400
) -> Span | None:
    """The person a pronoun before a speech verb stands for: the last person named before it.

    Args:
        text: the article.
        verb_start: where the speech verb starts.
        actors: the actor mentions of the article.
        is_person: whether an actor is a person.
        reach: how far back (characters) the antecedent may be.

    Returns:
        The person, or None when no pronoun comes right before the verb or no person is near.

    Example:
        >>> from types import SimpleNamespace as A
        >>> text = "Mr Bessent spoke on Tuesday. Later he cautioned that talks had not begun."
        >>> bessent = A(key="scott-bessent", type="Person", start=0, end=10)
        >>> antecedent(text, text.index("cautioned"), [bessent], lambda a: a.type == "Person").key
        'scott-bessent'
    """
    if not PRONOUN_BEFORE.search(text[max(0, verb_start - 20) : verb_start]):
        return None
    before = [a for a in actors if a.end <= verb_start - 3 and verb_start - a.end <= reach and is_person(a)]
    return max(before, key=lambda a: a.end) if before else None


def sentence_subject(
    text: str, s_start: int, verb_start: int, actors: Sequence[Span], is_agent: Callable[[Span], bool]
) -> Span | None:
    """The actor a sentence opens with, within its first few words: who a participle's clause is about.

    Example:
        >>> from types import SimpleNamespace as A
        >>> text = "Japanese Prime Minister Shigeru Ishiba has taken a firm stance, saying no."
        >>> ishiba = A(key="shigeru-ishiba", type="Person", start=24, end=38)
        >>> sentence_subject(text, 0, text.index("saying"), [ishiba], lambda a: True).key
        'shigeru-ishiba'
    """
    opening = [a for a in actors if s_start <= a.start and a.end <= verb_start and is_agent(a)]
    if not opening:
        return None
    first = min(opening, key=lambda a: a.start)
    lead = text[s_start : first.start]
    return first if re.fullmatch(r"[\s“\"]*(?:the\s+)?(?:[A-Z][\w’'-]*\s+){0,4}", lead) else None


def possessor(text: str, s_start: int, noun_start: int, actors: Sequence[Span]) -> Span | None:
    """Whose a noun is: the actor before "'s" and at most three words before it ("Trump's announcement",
    "the president's long-awaited announcement").

    Example:
        >>> from types import SimpleNamespace as A
        >>> text = "It followed Trump’s announcement last Wednesday."
        >>> trump = A(key="donald-trump", type="Person", start=12, end=17)
        >>> possessor(text, 0, text.index("announcement"), [trump]).key
        'donald-trump'
    """
    for a in actors:
        owns = re.fullmatch(r"[’']s\s+(?:[\w“”\"-]+\s+){0,3}", text[a.end : noun_start])
        if s_start <= a.start and a.end <= noun_start and owns:
            return a
    return None
