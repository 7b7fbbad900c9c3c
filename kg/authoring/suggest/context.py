"""What suggestions for one article are made from: the registry, its surface forms, the article and other facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError, SeedError
from kg.rdf.vocabulary import Vocabulary, vocabulary
from kg.seeds.corpus import Entity, Fact, SeedPaths, Source, load_fact_file, load_registry, load_sources


@dataclass
class Context:
    """The registry, the article and the facts that suggestions for it may learn from.

    ``forms`` restricts the surface forms the matcher may use per registry key (the held-out
    evaluation removes those only the left-out article's annotations attest); None means every
    label and alias of the registry.
    """

    vocab: Vocabulary
    entities: dict[str, Entity]
    source: Source
    facts: list[Fact]
    fact_ids: set[str]
    article_no: str
    forms: dict[str, tuple[str, ...]] | None = None


def surface_forms(ctx: Context, key: str) -> tuple[str, ...]:
    """The label and aliases of a registry entity that the matcher may use in this context."""
    if ctx.forms is not None:
        return ctx.forms.get(key, ())
    entity = ctx.entities[key]
    return (entity.label, *entity.aliases)


def load_context(seeds: Path | str, article_id: str) -> Context:
    """Read the seeds for suggestions on one article (facts that fail validation are skipped).

    Raises:
        KgError: no seeds folder, or the article is not in sources.yaml.
        SeedError: the registry cannot be read.
    """
    paths = SeedPaths(Path(seeds))
    if not paths.root.is_dir():
        raise KgError(f"seeds folder not found: {paths.root}")
    vocab = vocabulary()
    entities, problems = load_registry(paths.registry_files(), vocab)
    if problems:
        raise SeedError(problems)
    sources, _ = load_sources(paths.sources, paths.articles, entities)
    if article_id not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise KgError(
            f"article '{article_id}' is not in {paths.sources} (known: {known}); add it with `kg add`"
        )
    facts: list[Fact] = []
    fact_ids: set[str] = set()
    for path in paths.fact_files():
        # facts that fail validation are skipped: suggestions must work on a half-annotated corpus
        loaded, _, _ = load_fact_file(path, sources, entities, vocab)
        facts += loaded
        fact_ids |= set(re.findall(r"^[#\s]*-?\s*id:\s*([a-z0-9-]+)", path.read_text(encoding="utf-8"), re.M))
    return Context(vocab, entities, sources[article_id], facts, fact_ids, article_id.split("_")[0])
