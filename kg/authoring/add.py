"""Register a new article: copy its text under a stable id, record its source, start its fact file.

``kg add`` does the clerical part of adding an article so that the annotator starts from a
valid seed folder: the text is copied verbatim to ``seeds/articles/NNN_<sha256[:16]>.txt``, a
record is appended to ``sources.yaml`` (the existing text and its comments are left untouched)
and ``seeds/facts/<id>.yaml`` is created with no facts. Nothing is guessed: a missing outlet is
recorded as null, a missing date as null with a ``date_basis`` saying so.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.authoring.outlets import NewOutlet, add_outlet
from kg.errors import KgError, Problem
from kg.rdf.vocabulary import vocabulary
from kg.seeds.corpus import SeedPaths, did_you_mean, display_path, load_registry, parse_date
from kg.seeds.yamlpos import YamlMap, load_yaml

NO_DATE_BASIS = "unknown: no date was given when the article was added; infer it from the events it reports"


class AddError(KgError):
    """The article cannot be added (duplicate text, unreadable file, bad metadata)."""


@dataclass(frozen=True)
class ArticleMeta:
    """What sources.yaml records about an article besides its hash; None means not known."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None
    date_basis: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class AddedArticle:
    """Where the new article and its records went."""

    article_id: str
    sha256: str
    article_file: Path
    sources_file: Path
    fact_file: Path
    outlet_file: Path | None = None  # the registry file a new outlet went to (kg.authoring.outlets)


def article_id_for(data: bytes, taken: list[str]) -> str:
    """``NNN_<first 16 hex digits of sha256>``, NNN one more than the highest number taken.

    Args:
        data: the article's bytes.
        taken: ids (or file stems) already in use.

    Returns:
        The new article id.

    Example:
        >>> article_id_for(b"hello", ["000_aa", "004_bb"])
        '005_2cf24dba5fb0a30e'
    """
    numbers = [int(m.group(1)) for t in taken if (m := re.match(r"^(\d{3,})_", t))]
    number = max(numbers, default=-1) + 1
    return f"{number:03d}_{hashlib.sha256(data).hexdigest()[:16]}"


def _recorded(sources_file: Path) -> dict[str, str]:
    """Article id -> recorded sha256 of every record in sources.yaml."""
    if not sources_file.exists():
        return {}
    problems: list[Problem] = []
    doc = load_yaml(sources_file.read_text(encoding="utf-8"), display_path(sources_file), problems)
    if problems:
        raise AddError("cannot read " + display_path(sources_file) + ":\n" + "\n".join(map(str, problems)))
    if not isinstance(doc, YamlMap):
        return {}
    return {str(k): str(v.get("sha256", "")) if isinstance(v, dict) else "" for k, v in doc.items()}


def _scalar(value: str | None) -> str:
    # JSON strings are valid YAML double-quoted scalars; ensure_ascii=False keeps curly quotes readable
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def source_record(article_id: str, sha256: str, meta: ArticleMeta) -> str:
    """The YAML text of one sources.yaml record.

    Example:
        >>> print(source_record("005_ab", "0" * 64, ArticleMeta(title="T", date="2025-05-02", date_basis="stated: byline")))
        005_ab:
          title: "T"
          outlet: null
          author: null
          date: 2025-05-02
          date_basis: "stated: byline"
          sha256: "0000000000000000000000000000000000000000000000000000000000000000"
          url: null
        <BLANKLINE>
    """
    basis = meta.date_basis if meta.date_basis else NO_DATE_BASIS
    return (
        f"{article_id}:\n"
        f"  title: {_scalar(meta.title)}\n"
        f"  outlet: {meta.outlet or 'null'}\n"
        f"  author: {_scalar(meta.author)}\n"
        f"  date: {meta.date or 'null'}\n"
        f"  date_basis: {_scalar(basis)}\n"
        f'  sha256: "{sha256}"\n'
        f"  url: {_scalar(meta.url)}\n"
    )


def fact_skeleton(article_id: str, meta: ArticleMeta) -> str:
    """The first text of a new fact file: a comment header, ``article: <id>`` and ``facts: []``."""
    return (
        f"# Facts of article {article_id}" + (f": {meta.title}" if meta.title else "") + "\n"
        "# Each fact quotes an exact span of seeds/articles/" + article_id + ".txt; see seeds/README.md.\n"
        f"# Start with `kg suggest {article_id}`: it appends candidate facts here, commented out.\n"
        "# When you add the first fact, change `facts: []` to `facts:` and list the facts below it.\n"
        f"article: {article_id}\n"
        "facts: []\n"
    )


def check_meta(meta: ArticleMeta, seeds: Path, new_outlet: NewOutlet | None = None) -> None:
    """Refuse metadata the build would refuse: an unknown outlet, a malformed date, a date without basis.

    Raises:
        AddError: with what to change.
    """
    if meta.outlet is not None and not (new_outlet and meta.outlet == new_outlet.key):
        entities, problems = load_registry(SeedPaths(seeds).registry_files(), vocabulary())
        if problems:
            raise AddError("the registry has problems; fix them first:\n" + "\n".join(map(str, problems)))
        outlets = [k for k, e in entities.items() if e.type == "NewsOutlet"]
        if meta.outlet not in entities:
            raise AddError(
                f"unknown outlet '{meta.outlet}'{did_you_mean(meta.outlet, outlets)}: give a registry key, "
                'add a new outlet with --new-outlet "Name", or leave the outlet out when the text does not name it'
            )
    if meta.date is not None:
        parsed = parse_date(meta.date)
        if isinstance(parsed, str):
            raise AddError(parsed)
        if not meta.date_basis:
            raise AddError(
                "a date needs --date-basis saying how it was established, e.g. "
                "\"stated: byline '02.05.2025'\" or \"inferred: 'on Tuesday' is ...\""
            )


def add_article(
    article: Path | str,
    seeds: Path | str = "seeds",
    meta: ArticleMeta = ArticleMeta(),
    new_outlet: NewOutlet | None = None,
) -> AddedArticle:
    """Copy an article into the seeds, record it in sources.yaml and create its fact file.

    Args:
        article: the article's text file (UTF-8, copied byte for byte).
        seeds: the seeds folder.
        meta: title, outlet (registry key), author, date, date basis and URL; None when unknown.
        new_outlet: an outlet to add to the registry first (:mod:`kg.authoring.outlets`); meta.outlet
            is then its key.

    Returns:
        Where everything went.

    Raises:
        AddError: the file is missing, empty or not UTF-8, the same text is already in the seeds,
            or the metadata is invalid. Nothing is written in that case.

    Example:
        >>> _ = Path("new.txt").write_text("Tokyo, May 2 -- Talks resumed.\\n", encoding="utf-8")
        >>> added = add_article("new.txt", "seeds", ArticleMeta(date="2025-05-02",
        ...     date_basis="stated: byline"))
        >>> added.article_id
        '005_...'

    """
    article, seeds = Path(article), Path(seeds)
    paths = SeedPaths(seeds)
    if not paths.root.is_dir():
        raise AddError(f"seeds folder not found: {display_path(seeds)}")
    try:
        data = article.read_bytes()
    except OSError as exc:
        raise AddError(f"cannot read {display_path(article)}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AddError(f"{display_path(article)} is not UTF-8 ({exc}); convert it first") from exc
    if not text.strip():
        raise AddError(f"{display_path(article)} is empty")
    digest = hashlib.sha256(data).hexdigest()
    recorded = _recorded(paths.sources)
    for existing, sha in recorded.items():
        if sha == digest:
            raise AddError(f"this text is already in the seeds as article {existing} (same sha256 {digest})")
    on_disk = sorted(paths.articles.glob("*.txt"))
    for path in on_disk:
        if hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            raise AddError(
                f"this text is already in the seeds as {display_path(path)} (same sha256 {digest})"
            )
    check_meta(meta, seeds, new_outlet)
    article_id = article_id_for(data, [p.stem for p in on_disk] + list(recorded))
    article_file = paths.articles / f"{article_id}.txt"
    fact_file = paths.facts / f"{article_id}.yaml"
    if fact_file.exists():
        raise AddError(f"{display_path(fact_file)} already exists; remove it or rename the article")

    paths.articles.mkdir(parents=True, exist_ok=True)
    paths.facts.mkdir(parents=True, exist_ok=True)
    outlet_file = add_outlet(new_outlet, seeds) if new_outlet is not None else None
    _write_new(article_file, data)
    old = paths.sources.read_text(encoding="utf-8") if paths.sources.exists() else ""
    separator = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
    new_text = old + separator + source_record(article_id, digest, meta)
    problems: list[Problem] = []
    load_yaml(new_text, display_path(paths.sources), problems)
    if problems:  # pragma: no cover - the record is generated; a failure here is a bug
        article_file.unlink()
        raise AddError("the new sources.yaml record does not parse:\n" + "\n".join(map(str, problems)))
    # append-only: the existing text (and its comments) is the prefix of what is written
    tmp = paths.sources.with_name(f".{paths.sources.name}.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(paths.sources)
    _write_new(fact_file, fact_skeleton(article_id, meta).encode("utf-8"))
    return AddedArticle(article_id, digest, article_file, paths.sources, fact_file, outlet_file)


def _write_new(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
