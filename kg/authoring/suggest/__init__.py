"""Annotation assistant: find known entities, candidate new ones and candidate facts in an article.

``kg suggest`` does the clerical part of annotating a new article and leaves every judgement to
the annotator. It links surface forms to the registry (labels and aliases of
``seeds/entities.yaml``, country names from pycountry), flags capitalised names that match
nothing, and proposes facts for a few recognisable patterns (post holders, "X said" / "X told
Y", tariff rates, relative dates). Everything is written as commented-out YAML: candidate facts
at the end of ``seeds/facts/<id>.yaml``, candidate registry entries in
``seeds/entities/<id>.yaml``. Nothing enters the graph until a person uncomments it.

The package: :mod:`kg.authoring.suggest.find` reads the article and makes the suggestions (with
:mod:`kg.authoring.suggest.mentions`, :mod:`kg.authoring.suggest.posts`,
:mod:`kg.authoring.suggest.speakers`, :mod:`kg.authoring.suggest.relations` and
:mod:`kg.authoring.suggest.events`; :mod:`kg.authoring.suggest.model` holds what they propose),
:mod:`kg.authoring.suggest.files` writes them into the seeds and accepts them, and
:mod:`kg.authoring.suggest.evaluate` measures them against the hand annotations, each article with
what the others taught (:mod:`kg.authoring.suggest.heldout`); :mod:`kg.authoring.suggest.context` holds what a run
learns from.
"""

from kg.authoring.suggest.evaluate import ArticleScore, Evaluation, annotated_mentions, evaluate
from kg.authoring.suggest.evaluate import report as evaluation_report
from kg.authoring.suggest.files import (
    FACTS_EMPTY_HINT,
    SUGGESTION_MARK,
    WriteResult,
    accept_entities,
    accept_suggestions,
    display,
    entity_file_path,
    entity_yaml,
    fact_yaml,
    write_suggestions,
)
from kg.authoring.suggest.find import (
    DateMention,
    EntityCandidate,
    FactSuggestion,
    Mention,
    Suggestions,
    find_countries,
    find_dates,
    find_mentions,
    find_unknown_names,
    resolve_date,
    sentences,
    slug,
    suggest,
    suggest_in,
)
from kg.authoring.suggest.heldout import held_out_context

__all__ = [
    "FACTS_EMPTY_HINT",
    "SUGGESTION_MARK",
    "DateMention",
    "ArticleScore",
    "EntityCandidate",
    "Evaluation",
    "FactSuggestion",
    "Mention",
    "Suggestions",
    "WriteResult",
    "accept_entities",
    "accept_suggestions",
    "annotated_mentions",
    "display",
    "entity_file_path",
    "entity_yaml",
    "evaluate",
    "evaluation_report",
    "fact_yaml",
    "held_out_context",
    "find_countries",
    "find_dates",
    "find_mentions",
    "find_unknown_names",
    "resolve_date",
    "sentences",
    "slug",
    "suggest",
    "suggest_in",
    "write_suggestions",
]
