"""Annotation assistant: find known entities, candidate new ones and candidate facts in an article.

``kg suggest`` does the clerical part of annotating a new article and leaves every judgement to
the annotator. It links surface forms to the registry (labels and aliases of
``seeds/entities.yaml``, country names from pycountry), flags capitalised names that match
nothing, and proposes facts for a few recognisable patterns (post holders, "X said" / "X told
Y", tariff rates, relative dates). Everything is written as commented-out YAML: candidate facts
at the end of ``seeds/facts/<id>.yaml``, candidate registry entries in
``seeds/entities/<id>.yaml``. Nothing enters the graph until a person uncomments it.

The package: :mod:`kg.suggest.find` reads the article and makes the suggestions,
:mod:`kg.suggest.files` writes them into the seeds and accepts them, and
:mod:`kg.suggest.evaluate` measures them against the hand annotations.
"""

from kg.suggest.evaluate import Evaluation, annotated_mentions, evaluate
from kg.suggest.files import (
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
from kg.suggest.find import (
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
)

__all__ = [
    "FACTS_EMPTY_HINT",
    "SUGGESTION_MARK",
    "DateMention",
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
    "fact_yaml",
    "find_countries",
    "find_dates",
    "find_mentions",
    "find_unknown_names",
    "resolve_date",
    "sentences",
    "slug",
    "suggest",
    "write_suggestions",
]
