"""Quote anchoring: find an annotation's quote in its article and return code-point offsets.

The one allowed normalisation (documented in seeds/README.md) maps curly single and double
quotes to straight ones, every dash to a hyphen-minus, every Unicode space (no-break, thin,
ideographic) to a plain space, and collapses runs of whitespace to one space. It is applied to
both article and quote only when the exact quote is not found, and its use is reported.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
        "\u3000": " ", "\t": " ", "\n": " ", "\r": " ",
    }
)  # fmt: skip
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its article: ``text[start:end]`` is the exact span."""

    start: int
    end: int
    exact: str
    normalised: bool


@dataclass(frozen=True)
class AnchorFailure:
    """Why a quote could not be anchored, with what to show the annotator."""

    message: str


class NormalisedText:
    """An article after normalisation, with a map from each character back to the original.

    Made lazily: most quotes match exactly, so most articles never need their normalised form.
    """

    def __init__(self, text: str):
        self._original = text
        self._text: str | None = None
        self._index: list[int] | None = None

    def _normalise(self) -> None:
        mapped = self._original.translate(_CHAR_MAP)
        index: list[int] = []
        kept_from = 0
        for run in _SPACES.finditer(mapped):  # keep the first space of each run, drop the rest
            index.extend(range(kept_from, run.start() + 1))
            kept_from = run.end()
        index.extend(range(kept_from, len(mapped)))
        index.append(len(self._original))
        self._text = _SPACES.sub(" ", mapped)
        self._index = index

    @property
    def text(self) -> str:
        """The normalised text."""
        if self._text is None:
            self._normalise()
        return self._text

    @property
    def index(self) -> list[int]:
        """``index[i]``: offset in the original text of normalised character ``i``."""
        if self._index is None:
            self._normalise()
        return self._index

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalised span [start, end)."""
        return self.index[start], self.index[end - 1] + 1


def normalise(text: str) -> str:
    """The documented normalisation applied to a quote."""
    return _SPACES.sub(" ", text.translate(_CHAR_MAP))


def occurrences(haystack: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of needle."""
    found: list[int] = []
    at = haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def nearest_match(text: str, quote: str) -> str:
    """The span of text most like quote, for a "did you mean" in error messages."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    if block.size == 0:
        return ""
    start = max(0, block.a - block.b)
    return text[start : start + len(quote)]


def anchor_quote(
    text: str,
    quote: str,
    occurrence: int | None = None,
    normalised_text: NormalisedText | None = None,
    excluded: tuple[tuple[int, int], ...] = (),
) -> Anchor | AnchorFailure:
    """Find quote in text.

    Args:
        text: the article, verbatim.
        quote: the annotation's quote.
        occurrence: which occurrence (1-based) when the quote occurs more than once.
        normalised_text: the article's NormalisedText, if already computed.
        excluded: (start, end) ranges of page furniture; occurrences there do not count.

    Returns:
        An Anchor, or an AnchorFailure whose message says what went wrong.

    Example:
        >>> anchor_quote("a b a", "a", occurrence=2)
        Anchor(start=4, end=5, exact='a', normalised=False)
    """
    if not quote or not quote.strip():
        return AnchorFailure("empty quote")
    spans = [(s, s + len(quote)) for s in occurrences(text, quote)]
    used_normalisation = False
    if not spans:
        norm = normalised_text or NormalisedText(text)
        nq = normalise(quote)
        spans = [norm.original_span(s, s + len(nq)) for s in occurrences(norm.text, nq)]
        used_normalisation = True
        if not spans:
            near = nearest_match(text, quote)
            hint = f'; nearest match in the article: "{near}"' if near else ""
            return AnchorFailure(f'quote not found in the article: "{quote}"{hint}')
    if excluded:
        kept = [(s, e) for s, e in spans if not any(s < xe and xs < e for xs, xe in excluded)]
        if not kept:
            return AnchorFailure(f'quote lies only in excluded ranges (page furniture): "{quote}"')
        spans = kept
    if occurrence is None:
        if len(spans) > 1:
            where = ", ".join(str(s) for s, _ in spans)
            return AnchorFailure(
                f'quote occurs {len(spans)} times (at offsets {where}): "{quote}"; '
                f"add 'occurrence: N' (1-{len(spans)}) or quote a longer span"
            )
        start, end = spans[0]
    else:
        if not 1 <= occurrence <= len(spans):
            return AnchorFailure(
                f"occurrence {occurrence} requested but the quote occurs {len(spans)} time(s)"
            )
        start, end = spans[occurrence - 1]
    return Anchor(start, end, text[start:end], used_normalisation)
