"""Article text cut into sentences with their code-point offsets: the one splitter of the project.

Coverage (:mod:`kg.seeds.coverage`) counts these sentences, and the annotation assistant
(:mod:`kg.authoring.suggest`) reads one at a time, so both agree on where a sentence ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[.!?…][\"”’)\]]*(?=\s)")
"""Sentence-final punctuation, with any closing quotes or brackets, before white space."""
_NEXT_STARTS = re.compile(r"\s+[\"“‘'(\[]*[A-Z0-9]")
"""What follows a sentence end: white space, then a capital or a digit (after any opening quote)."""
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bMr|\bMrs|\bMs|\bDr|\bSt|\bJr|\bNo|\bvs|\bGen|\bGov|\bSen|\bRep)$")
"""Words whose full stop does not end a sentence: initials ("U.S."), titles ("Mr.")."""


@dataclass(frozen=True)
class Sentence:
    """A sentence (or headline line) of an article with its code-point offsets."""

    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences: at line breaks, and at . ! ? … followed by white space and a
    capital or digit, unless the full stop closes an initial or a title.

    Example:
        >>> t = "Mr. Trump spoke. The U.S. Treasury agreed.\\nNext line"
        >>> [s.text for s in sentences(t)]
        ['Mr. Trump spoke.', 'The U.S. Treasury agreed.', 'Next line']
        >>> all(t[s.start : s.end] == s.text for s in sentences(t))
        True
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = 0
        for match in _END.finditer(body):
            if not _NEXT_STARTS.match(body, match.end()):
                continue
            if match.group()[0] == "." and _ABBREVIATION.search(
                body[max(0, match.start() - 4) : match.start()]
            ):
                continue
            spans.append((offset + start, offset + match.end()))
            start = match.end()
        spans.append((offset + start, offset + len(body)))
        offset += len(line)
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Sentence(s, e, text[s:e]))
    return out
