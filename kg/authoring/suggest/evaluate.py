"""Measuring suggestions against the hand annotations of the seeds, one article left out at a time."""

from __future__ import annotations

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
    facts_expected: int = 0
    facts_found: int = 0
    facts_suggested: int = 0
    facts_right: int = 0
    missed_mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    wrong_mentions: list[tuple[str, int, int, str]] = field(default_factory=list)
    missed_facts: list[Triple] = field(default_factory=list)
    wrong_facts: list[tuple[str, Triple]] = field(default_factory=list)

    @property
    def mention_recall(self) -> float:
        return _ratio(self.mentions_found, self.mentions_expected)

    @property
    def mention_precision(self) -> float:
        return _ratio(self.mentions_right, self.mentions_judged)

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
        total = ArticleScore("overall")
        for a in self.articles:
            for name in (
                "mentions_expected", "mentions_found", "mentions_judged", "mentions_right", "mentions_all",
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


def score_article(
    s: Suggestions, facts: list[Fact], corpus: Corpus, vocab: Vocabulary, known: set[str]
) -> ArticleScore:
    """Score the suggestions for one article against its hand facts.

    Args:
        s: suggestions made without the article's annotations.
        facts: the article's hand facts.
        corpus: the loaded seeds (its registry names the hand facts' keys).
        vocab: the ontology's vocabulary.
        known: keys of the held-out registry the suggestions were made with.

    Returns:
        The ArticleScore.
    """
    text = corpus.sources[s.article_id].text
    score = ArticleScore(s.article_id)
    # ------------------------------------------------------------ mentions
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
    other articles' facts are there to learn events and rates from. The suggestions are then
    scored against the article's own hand facts.

    Args:
        seeds: the seeds folder (must load without problems).
        articles: the articles to score (default: every annotated one).

    Returns:
        The Evaluation: per article, mention recall and precision, fact recall and precision.

    Example:
        >>> e = evaluate("seeds")
        >>> round(e.overall.mention_recall, 3)
        0.834
    """
    from kg.rdf.vocabulary import vocabulary
    from kg.seeds.corpus import load_corpus

    corpus = load_corpus(seeds)
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
        scores.append(score_article(s, facts, corpus, vocab, set(ctx.entities)))
    return Evaluation(scores)


def report(e: Evaluation, details: bool = False) -> list[str]:
    """The lines ``kg suggest --evaluate`` prints: a table of scores per article and overall.

    Args:
        e: the evaluation.
        details: also list every missed and wrong mention and fact triple.
    """
    lines = [
        "leave one article out: each article is scored with the registry forms and facts of the others",
        f"{'article':22} {'mention recall':>16} {'mention precision':>18} {'fact recall':>14} {'fact precision':>15}",
    ]
    for a in [*e.articles, e.overall]:
        lines.append(
            f"{a.article_id:22} {_cell(a.mentions_found, a.mentions_expected):>16} "
            f"{_cell(a.mentions_right, a.mentions_judged):>18} {_cell(a.facts_found, a.facts_expected):>14} "
            f"{_cell(a.facts_right, a.facts_suggested):>15}"
        )
    if details:
        for a in e.articles:
            lines += [
                f'{a.article_id} missed mention {k} "{t}" at {s}-{n}' for k, s, n, t in a.missed_mentions
            ]
            lines += [f'{a.article_id} wrong mention {k} "{t}" at {s}-{n}' for k, s, n, t in a.wrong_mentions]
            lines += [f"{a.article_id} missed fact {' '.join(t)}" for t in a.missed_facts]
            lines += [f"{a.article_id} wrong fact {i}: {' '.join(t)}" for i, t in a.wrong_facts]
    return lines


def _cell(part: int, whole: int) -> str:
    return f"{_ratio(part, whole):.3f} ({part}/{whole})"
