"""The registry and facts as they stood before an article was annotated (leave one article out)."""

from __future__ import annotations

import re

from kg.authoring.suggest.context import Context
from kg.rdf.vocabulary import Vocabulary
from kg.seeds.corpus import Corpus, Fact


def fact_keys(fact: Fact) -> set[str]:
    """Registry keys a hand fact references: its subject, entity values and attribution."""
    keys = {fact.subject} | {c.value.value for c in fact.claims if c.value.kind == "entity"}
    return keys | {step.key for step in fact.attribution if step.key}


def _occurs(form: str, text: str, start: int = 0, end: int | None = None) -> bool:
    """The form in the text, ignoring case and a plural ending: the widest reading the matcher may give it."""
    stem = re.escape(re.sub(r"(?:es|s)$", "", form)) if len(form) > 3 else re.escape(form)
    pattern = re.compile(r"(?<!\w)" + stem + r"\w{0,3}(?!\w)", re.IGNORECASE)
    return pattern.search(text, start, len(text) if end is None else end) is not None


def attested_forms(corpus: Corpus) -> dict[tuple[str, str], set[str]]:
    """(key, form) -> the articles whose annotations quote that label or alias for that entity.

    A form is attested by an article when it occurs inside the quote of one of its facts that
    references the entity. For entities no fact references (registry-only entries such as
    agencies) a form is attested by every article whose annotated text contains it.
    """
    referenced = {key for fact in corpus.facts for key in fact_keys(fact)}
    out: dict[tuple[str, str], set[str]] = {}
    for fact in corpus.facts:
        text = corpus.sources[fact.article_id].text
        for key in fact_keys(fact):
            entity = corpus.entities.get(key)
            if entity is None:
                continue
            for form in (entity.label, *entity.aliases):
                if _occurs(form, text, fact.anchor.start, fact.anchor.end):
                    out.setdefault((key, form), set()).add(fact.article_id)
    for key, entity in corpus.entities.items():
        if key in referenced:
            continue
        for form in (entity.label, *entity.aliases):
            for article_id, source in corpus.sources.items():
                if _occurs(form, _annotated_text(source)):
                    out.setdefault((key, form), set()).add(article_id)
    return out


def _annotated_text(source) -> str:
    """The article with its page furniture blanked out (same length, so offsets hold)."""
    text = source.text
    for ex in source.excluded:
        text = text[: ex.start] + " " * (ex.end - ex.start) + text[ex.end :]
    return text


def held_out_keys(corpus: Corpus, article_id: str) -> set[str]:
    """Registry keys known without the article's annotations.

    Kept: entities that facts of other articles reference, entities no fact references, outlets
    of the sources, and everything their registry entries point to. Dropped: entities only the
    left-out article's facts reference (they were added while annotating it).
    """
    referenced_by: dict[str, set[str]] = {}
    for fact in corpus.facts:
        for key in fact_keys(fact):
            referenced_by.setdefault(key, set()).add(fact.article_id)
    keep = {
        k for k in corpus.entities if referenced_by.get(k, set()) - {article_id} or k not in referenced_by
    }
    keep |= {s.outlet for s in corpus.sources.values() if s.outlet}
    todo = list(keep)
    while todo:
        entity = corpus.entities.get(todo.pop())
        for claim in entity.claims if entity else ():
            if claim.value.kind == "entity" and claim.value.value not in keep:
                keep.add(claim.value.value)
                todo.append(claim.value.value)
    return keep & set(corpus.entities)


def held_out_context(
    corpus: Corpus,
    article_id: str,
    vocab: Vocabulary,
    attested: dict[tuple[str, str], set[str]] | None = None,
) -> Context:
    """A suggestion context for ``article_id`` that has never seen its annotations.

    The registry keeps only :func:`held_out_keys`; each entity's labels and aliases are kept when
    another article's annotations attest them, or when they do not occur in the left-out article
    at all (so they cannot match there). The facts are those of the other articles.

    Args:
        corpus: the loaded seeds.
        article_id: the article to leave out.
        vocab: the ontology's vocabulary.
        attested: :func:`attested_forms` of the corpus (computed when not given).

    Returns:
        The Context that :func:`kg.authoring.suggest.find.suggest_in` runs on.
    """
    attested = attested_forms(corpus) if attested is None else attested
    source = corpus.sources[article_id]
    text = _annotated_text(source)
    keys = held_out_keys(corpus, article_id)
    forms: dict[str, tuple[str, ...]] = {}
    for key in sorted(keys):
        entity = corpus.entities[key]
        forms[key] = tuple(
            form
            for form in (entity.label, *entity.aliases)
            if attested.get((key, form), set()) - {article_id} or not _occurs(form, text)
        )
    entities = {k: corpus.entities[k] for k in keys}
    facts = [f for f in corpus.facts if f.article_id != article_id]
    return Context(vocab, entities, source, facts, {f.id for f in facts}, article_id.split("_")[0], forms)
