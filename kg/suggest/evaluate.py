"""Measuring suggestions against the hand annotations of the seeds (``kg suggest --evaluate``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.seeds import Entity, Fact
from kg.suggest.find import FactSuggestion, Mention, _drop_same_key_nested, _form_pattern, suggest

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
