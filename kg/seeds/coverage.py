"""How much of each article the fact quotes cover, sentence by sentence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.seeds.corpus import Corpus
from kg.seeds.text import Sentence, sentences


@dataclass(frozen=True)
class ArticleCoverage:
    """Coverage of one article: sentences outside excluded ranges, and those no quote touches."""

    article_id: str
    sentences: int
    covered: int
    uncovered: tuple[Sentence, ...]

    @property
    def ratio(self) -> float:
        return self.covered / self.sentences if self.sentences else 1.0


def sentence_coverage(
    text: str, quotes: Iterable[tuple[int, int]], excluded: Iterable[tuple[int, int]] = ()
) -> tuple[int, list[Sentence]]:
    """How many sentences lie outside the excluded ranges, and which of them no quote touches.

    >>> counted, uncovered = sentence_coverage("Tokyo agrees. Seoul waits. Menu", [(0, 5)], [(27, 31)])
    >>> counted, [s.text for s in uncovered]
    (2, ['Seoul waits.'])
    """
    quotes, excluded = list(quotes), list(excluded)
    counted, uncovered = 0, []
    for s in sentences(text):
        if any(xs <= s.start and s.end <= xe for xs, xe in excluded):
            continue
        counted += 1
        if not any(qs < s.end and s.start < qe for qs, qe in quotes):
            uncovered.append(s)
    return counted, uncovered


def coverage(corpus: Corpus) -> dict[str, ArticleCoverage]:
    """Per article, which sentences outside excluded ranges overlap at least one fact quote."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for fact in corpus.facts:
        spans.setdefault(fact.article_id, []).append((fact.anchor.start, fact.anchor.end))
    result = {}
    for article_id, source in sorted(corpus.sources.items()):
        excluded = [(x.start, x.end) for x in source.excluded]
        counted, uncovered = sentence_coverage(source.text, spans.get(article_id, []), excluded)
        result[article_id] = ArticleCoverage(article_id, counted, counted - len(uncovered), tuple(uncovered))
    return result
