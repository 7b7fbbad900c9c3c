"""Measuring suggestions against the hand annotations of the seeds, one article left out at a time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.authoring.suggest.find import (
    FactSuggestion,
    Mention,
    Suggestions,
    drop_same_key_nested,
    form_pattern,
    suggest_in,
)
from kg.authoring.suggest.heldout import attested_forms, fact_keys, held_out_context
from kg.rdf.vocabulary import Vocabulary
from kg.seeds.corpus import Corpus, Entity, Fact
from kg.seeds.mentions import GoldMention, load_gold_mentions

SCORED_PROPERTIES = frozenset(
    {
        "heldBy", "rate", "rateKind", "imposedBy", "target", "speaker", "recipient", "sender",
        "deliveredBy", "participant", "place", "attribution",
    }
)  # fmt: skip
"""Properties of candidate facts that are scored (the common kinds of the annotation guide)."""

COMMON_KINDS: dict[str, frozenset[str]] = {
    "Post": frozenset({"heldBy"}),
    "TradeMeasure": frozenset({"rate", "rateKind", "imposedBy", "target"}),
    "Statement": frozenset({"speaker", "recipient"}),  # with Warning and Announcement
    "Report": frozenset({"speaker"}),
    "Letter": frozenset({"sender", "recipient", "deliveredBy"}),
    "Meeting": frozenset({"participant", "place"}),
    "Talks": frozenset({"participant", "place"}),
    "Visit": frozenset({"participant", "place"}),
}
"""Hand facts whose recall is measured: the class of their subject and the properties counted.
Attribution is counted for every hand fact."""

Triple = tuple[str, str, str]


@dataclass
class ArticleScore:
    """Leave-one-out scores of one article: mentions and candidate facts against its annotations."""

    article_id: str
    mentions_expected: int = 0
    mentions_found: int = 0
    mentions_judged: int = 0
    mentions_right: int = 0
    mentions_all: int = 0
    mentions_duplicate: int = 0
    proxy_expected: int = 0
    proxy_found: int = 0
    proxy_judged: int = 0
    proxy_right: int = 0
    gold: bool = False
    facts_expected: int = 0
    facts_found: int = 0
    facts_suggested: int = 0
    facts_right: int = 0
    missed_mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    wrong_mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    duplicate_mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    wrong_readings: dict[tuple[int, int], str] = field(default_factory=dict)
    """What the gold says where a wrong mention is: ``(start, end) -> "gold: key"``, or nothing."""
    missed_unknown: set[tuple[int, int]] = field(default_factory=set)
    """Spans of missed gold mentions whose key the held-out registry does not know."""
    missed_facts: list[Triple] = field(default_factory=list)
    wrong_facts: list[tuple[str, Triple]] = field(default_factory=list)

    @property
    def mention_recall(self) -> float:
        return _ratio(self.mentions_found, self.mentions_expected)

    @property
    def mention_precision(self) -> float:
        return _ratio(self.mentions_right, self.mentions_judged)

    @property
    def proxy_recall(self) -> float:
        return _ratio(self.proxy_found, self.proxy_expected)

    @property
    def proxy_precision(self) -> float:
        return _ratio(self.proxy_right, self.proxy_judged)

    @property
    def fact_recall(self) -> float:
        return _ratio(self.facts_found, self.facts_expected)

    @property
    def fact_precision(self) -> float:
        return _ratio(self.facts_right, self.facts_suggested)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


@dataclass
class Evaluation:
    """Leave-one-article-out scores of every annotated article, and their sums."""

    articles: list[ArticleScore]

    @property
    def overall(self) -> ArticleScore:
        total = ArticleScore("overall", gold=bool(self.articles) and all(a.gold for a in self.articles))
        for a in self.articles:
            for name in (
                "mentions_expected", "mentions_found", "mentions_judged", "mentions_right", "mentions_all",
                "mentions_duplicate", "proxy_expected", "proxy_found", "proxy_judged", "proxy_right",
                "facts_expected", "facts_found", "facts_suggested", "facts_right",
            ):  # fmt: skip
                setattr(total, name, getattr(total, name) + getattr(a, name))
        return total


def annotated_mentions(fact: Fact, text: str, entities: dict[str, Entity]) -> set[tuple[str, int, int]]:
    """(key, start, end) of every label or alias of an entity the fact references, inside its quote.

    Args:
        fact: a hand-annotated fact.
        text: its article.
        entities: the whole registry.

    Returns:
        The mentions the annotation implies (a form inside a longer form of the same entity is
        one mention, as in :func:`kg.authoring.suggest.find.find_mentions`).
    """
    start, end = fact.anchor.start, fact.anchor.end
    out: list[Mention] = []
    for key in sorted(fact_keys(fact)):
        entity = entities.get(key)
        if entity is None:
            continue
        for form in (entity.label, *entity.aliases):
            for match in form_pattern(form).finditer(text, start, end):
                if match.end() <= end:
                    out.append(Mention(key, entity.type, match.start(), match.end(), form, "label"))
    return {(m.key, m.start, m.end) for m in drop_same_key_nested(out)}


def _hand_triples(fact: Fact) -> list[Triple]:
    triples = [
        (fact.subject, c.prop, _norm(c.value.value)) for c in fact.claims if c.prop in SCORED_PROPERTIES
    ]
    triples += [(fact.subject, "attribution", step.key or "anonymous") for step in fact.attribution]
    return triples


def _common(fact: Fact, corpus: Corpus, vocab: Vocabulary) -> set[str]:
    """The scored properties of a hand fact that count for recall."""
    entity = corpus.entities.get(fact.subject)
    cls = fact.type or (entity.type if entity else "")
    props = {"attribution"}
    for kind, kind_props in COMMON_KINDS.items():
        if cls and vocab.is_a(cls, kind):
            props |= kind_props
    return props


def _suggested_triples(fs: FactSuggestion) -> list[Triple]:
    subject = str(fs.fields["subject"])
    out = []
    for prop, value in fs.fields.items():
        if prop not in SCORED_PROPERTIES:
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict):
                v = "anonymous" if "anonymous" in v else str(v)
            out.append((subject, prop, _norm(str(v))))
    return out


def _norm(value: str) -> str:
    try:
        return str(Decimal(value).normalize())
    except InvalidOperation:
        return value.lower()


def _same_thing(suggested: str, hand: str, known: set[str], labels: dict[str, str], entities) -> bool:
    """A suggested key names the hand key: the same key, or a new key whose label is a form of an
    entity the held-out registry does not know."""
    if suggested == hand:
        return True
    if suggested in known or hand in known or hand not in entities:
        return False
    label = labels.get(suggested)
    if label is None:
        return False
    entity = entities[hand]
    return label.lower() in {f.lower() for f in (entity.label, *entity.aliases)}


def _overlap(fs: FactSuggestion, fact: Fact) -> bool:
    return fs.start < fact.anchor.end and fact.anchor.start < fs.end


def proxy_mention_score(s: Suggestions, facts: list[Fact], corpus: Corpus, known: set[str]) -> ArticleScore:
    """Mention scores against the mentions the hand facts imply (:func:`annotated_mentions`).

    The proxy used where an article has no gold mentions: recall over the forms of the keys each
    fact references inside its quote; precision over the suggested mentions inside some fact's
    quote, right when one of the covering facts references the key (so a correct link inside a
    fact about something else counts as wrong).

    Args:
        s: suggestions made without the article's annotations.
        facts: the article's hand facts.
        corpus: the loaded seeds.
        known: keys of the held-out registry the suggestions were made with.

    Returns:
        An ArticleScore with only the mention counts and lists filled.
    """
    text = corpus.sources[s.article_id].text
    score = ArticleScore(s.article_id)
    expected: set[tuple[str, int, int]] = set()
    for fact in facts:
        expected |= annotated_mentions(fact, text, corpus.entities)
    linked = {(m.key, m.start, m.end) for m in s.mentions}
    new_spans = {(m.start, m.end) for m in s.new_mentions}
    for key, start, end in sorted(expected):
        if (key, start, end) in linked or (key not in known and (start, end) in new_spans):
            score.mentions_found += 1
        else:
            score.missed_mentions.append((key, start, end, text[start:end]))
    score.mentions_expected = len(expected)
    expected_new_spans = {(st, en) for k, st, en in expected if k not in known}
    for m in [*s.mentions, *s.new_mentions]:
        score.mentions_all += 1
        covering = [f for f in facts if f.anchor.start <= m.start and m.end <= f.anchor.end]
        if not covering:
            continue
        score.mentions_judged += 1
        if m.via == "new":
            right = (m.start, m.end) in expected_new_spans
        else:
            right = any(m.key in fact_keys(f) for f in covering)
        score.mentions_right += right
        if not right:
            score.wrong_mentions.append((m.key, m.start, m.end, m.text))
    return score


def gold_mention_score(
    s: Suggestions, gold: list[GoldMention], excluded: Iterable[tuple[int, int]], known: set[str]
) -> ArticleScore:
    """Mention scores against an article's gold mentions (``seeds/mentions``).

    A suggested mention matches a gold mention when their spans overlap and either the keys are
    the same, or the suggestion proposes a new entity where the gold names a thing the held-out
    registry does not know (a key it lacks, or ``key: null``). Each gold mention is matched at
    most once (recall: gold mentions matched / gold mentions); a suggestion that matches only gold
    mentions already matched is a *duplicate*: right for precision (it links the right thing at
    the right words) and listed apart. Every other suggestion is wrong (precision: suggestions
    that match / all suggestions). Suggestions inside page furniture are not counted.

    Args:
        s: suggestions made without the article's annotations.
        gold: the article's gold mentions.
        excluded: (start, end) of the article's page furniture.
        known: keys of the held-out registry the suggestions were made with.

    Returns:
        An ArticleScore with only the mention counts and lists filled.
    """
    score = ArticleScore(s.article_id)
    score.gold = True
    excluded = list(excluded)
    suggested = sorted(
        (
            m
            for m in [*s.mentions, *s.new_mentions]
            if not any(m.start < end and start < m.end for start, end in excluded)
        ),
        key=lambda m: (m.start, -(m.end - m.start), m.key),
    )

    def fits(m, g: GoldMention) -> bool:
        if not (m.start < g.end and g.start < m.end):
            return False
        if m.via == "new":
            return g.key is None or g.key not in known
        return m.key == g.key

    def overlap(m, g: GoldMention) -> int:
        return min(m.end, g.end) - max(m.start, g.start)

    matched: set[int] = set()
    for m in suggested:
        score.mentions_all += 1
        score.mentions_judged += 1
        candidates = [i for i, g in enumerate(gold) if fits(m, gold[i])]
        free = [i for i in candidates if i not in matched]
        if free:
            matched.add(max(free, key=lambda i: (overlap(m, gold[i]), -gold[i].start)))
            score.mentions_right += 1
        elif candidates:
            score.mentions_right += 1
            score.mentions_duplicate += 1
            score.duplicate_mentions.append((m.key, m.start, m.end, m.text))
        else:
            score.wrong_mentions.append((m.key, m.start, m.end, m.text))
            there = sorted({g.key or "null" for g in gold if m.start < g.end and g.start < m.end})
            if there:
                score.wrong_readings[(m.start, m.end)] = "gold: " + ", ".join(there)
    score.mentions_expected = len(gold)
    score.mentions_found = len(matched)
    for i, g in enumerate(gold):
        if i not in matched:
            key = g.key or f"null ({g.label})"
            score.missed_mentions.append((key, g.start, g.end, g.surface))
            if g.key is None or g.key not in known:
                score.missed_unknown.add((g.start, g.end))
    return score


def score_article(
    s: Suggestions,
    facts: list[Fact],
    corpus: Corpus,
    vocab: Vocabulary,
    known: set[str],
    gold: list[GoldMention] | None = None,
) -> ArticleScore:
    """Score the suggestions for one article against its hand facts and gold mentions.

    Args:
        s: suggestions made without the article's annotations.
        facts: the article's hand facts.
        corpus: the loaded seeds (its registry names the hand facts' keys).
        vocab: the ontology's vocabulary.
        known: keys of the held-out registry the suggestions were made with.
        gold: the article's gold mentions (``seeds/mentions``); without them, mentions are scored
            against the facts' proxy (:func:`proxy_mention_score`), which is computed either way.

    Returns:
        The ArticleScore.
    """
    proxy = proxy_mention_score(s, facts, corpus, known)
    if gold is None:
        score = proxy
    else:
        excluded = [(r.start, r.end) for r in corpus.sources[s.article_id].excluded]
        score = gold_mention_score(s, gold, excluded, known)
    score.proxy_expected, score.proxy_found = proxy.mentions_expected, proxy.mentions_found
    score.proxy_judged, score.proxy_right = proxy.mentions_judged, proxy.mentions_right
    # ------------------------------------------------------------ facts
    labels = {c.key: c.label for c in s.candidates}
    hand = [(fact, t) for fact in facts for t in _hand_triples(fact)]

    def agrees(fs: FactSuggestion, mine: Triple, fact: Fact, theirs: Triple) -> bool:
        if mine[1] != theirs[1] or not _same_thing(mine[2], theirs[2], known, labels, corpus.entities):
            return False
        # a new key (an event the registry did not know) names the hand fact's new key at the same words
        return mine[0] == theirs[0] or (
            _overlap(fs, fact) and mine[0] not in known and theirs[0] not in known
        )

    found: set[Triple] = set()
    for fs in s.facts:
        for mine in set(_suggested_triples(fs)):
            score.facts_suggested += 1
            matches = [theirs for fact, theirs in hand if agrees(fs, mine, fact, theirs)]
            if matches:
                score.facts_right += 1
                found |= set(matches)
            else:
                score.wrong_facts.append((fs.id, mine))
    common = {t for fact in facts for t in _hand_triples(fact) if t[1] in _common(fact, corpus, vocab)}
    score.facts_expected = len(common)
    score.facts_found = len(common & found)
    score.missed_facts = sorted(common - found)
    return score


def evaluate(seeds: Path | str = "seeds", articles: list[str] | None = None) -> Evaluation:
    """Leave one article out: suggest on each annotated article with what the others taught.

    For each article, the registry keeps only the entities and the surface forms that the other
    articles' annotations attest (:func:`kg.authoring.suggest.heldout.held_out_context`), and only the
    other articles' facts are there to learn events and rates from (the gold mentions of
    ``seeds/mentions`` are never part of it). The suggestions are then scored: mentions against
    the article's gold mentions when it has a gold file (see :func:`score_article`), else against
    the mentions its facts imply; candidate facts against its hand facts. The proxy mention
    scores are kept beside the gold ones (``proxy_recall``, ``proxy_precision``).

    Args:
        seeds: the seeds folder (must load without problems).
        articles: the articles to score (default: every annotated one).

    Returns:
        The Evaluation: per article, mention recall and precision, fact recall and precision.

    Example:
        >>> e = evaluate("seeds")
        >>> round(e.overall.mention_recall, 3), round(e.overall.mention_precision, 3)
        (0.73, 0.978)
        >>> round(e.overall.proxy_recall, 3), round(e.overall.proxy_precision, 3)
        (0.834, 0.757)
    """
    from kg.rdf.vocabulary import vocabulary
    from kg.seeds.corpus import load_corpus

    corpus = load_corpus(seeds)
    gold = load_gold_mentions(seeds, corpus.sources, corpus.entities)
    vocab = vocabulary()
    attested = attested_forms(corpus)
    scores = []
    for article_id in sorted(corpus.sources):
        if articles is not None and article_id not in articles:
            continue
        facts = [f for f in corpus.facts if f.article_id == article_id]
        if not facts:
            continue
        ctx = held_out_context(corpus, article_id, vocab, attested)
        s = suggest_in(ctx)
        scores.append(score_article(s, facts, corpus, vocab, set(ctx.entities), gold.get(article_id)))
    return Evaluation(scores)


def report(e: Evaluation, details: bool = False) -> list[str]:
    """The lines ``kg suggest --evaluate`` prints: a table of scores per article and overall.

    Args:
        e: the evaluation.
        details: also list every missed, wrong and duplicate mention and every missed and wrong
            fact triple (a wrong mention says what the gold has at its words, when anything).
    """
    lines = [
        "leave one article out: each article is scored with the registry forms and facts of the others; "
        "mentions against seeds/mentions (* = without one: against the facts' mentions, the proxy)",
        f"{'article':22} {'mention recall':>16} {'mention precision':>18} {'fact recall':>14} {'fact precision':>15}"
        f" {'proxy recall':>16} {'proxy precision':>16}",
    ]
    for a in [*e.articles, e.overall]:
        name = a.article_id if a.gold else a.article_id + "*"
        lines.append(
            f"{name:22} {_cell(a.mentions_found, a.mentions_expected):>16} "
            f"{_cell(a.mentions_right, a.mentions_judged):>18} {_cell(a.facts_found, a.facts_expected):>14} "
            f"{_cell(a.facts_right, a.facts_suggested):>15} {_cell(a.proxy_found, a.proxy_expected):>16} "
            f"{_cell(a.proxy_right, a.proxy_judged):>16}"
        )
    if details:
        for a in e.articles:
            lines += [
                f'{a.article_id} missed mention {k} "{t}" at {s}-{n}'
                + (" (not in the held-out registry)" if (s, n) in a.missed_unknown else "")
                for k, s, n, t in a.missed_mentions
            ]
            lines += [
                f'{a.article_id} wrong mention {k} "{t}" at {s}-{n}'
                + (f" ({a.wrong_readings[(s, n)]})" if (s, n) in a.wrong_readings else "")
                for k, s, n, t in a.wrong_mentions
            ]
            lines += [
                f'{a.article_id} duplicate mention {k} "{t}" at {s}-{n}'
                for k, s, n, t in a.duplicate_mentions
            ]
            lines += [f"{a.article_id} missed fact {' '.join(t)}" for t in a.missed_facts]
            lines += [f"{a.article_id} wrong fact {i}: {' '.join(t)}" for i, t in a.wrong_facts]
    return lines


def _cell(part: int, whole: int) -> str:
    return f"{_ratio(part, whole):.3f} ({part}/{whole})"
