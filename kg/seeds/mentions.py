"""Gold mentions: the entity mentions a careful reader marks in an article, read from ``seeds/mentions/<id>.yaml`` to score the annotation assistant.

A gold file is evaluation data, not annotation: the build never reads it. Each entry names an
exact span of the article and the registry key it refers to (or ``key: null`` with a ``label``
and a ``type`` for a thing the registry lacks)::

    article: 000_47059b8c57473c03
    mentions:
      - {text: Beijing, key: china}             # every occurrence
      - {text: Tokyo, key: japan, at: [1, 2]}   # the 1st and 2nd occurrence only
      - {text: Tokyo, key: tokyo, at: 3}
      - {text: trade ministers, key: null, label: trade ministers of the three states, type: Post}

Occurrences are exact (case and punctuation as printed) and word-bounded, and those inside the
source's ``excluded`` page furniture do not count. Without ``at``, every occurrence is meant
except those inside a longer listed mention of the same key ("Trump" inside "Donald Trump").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Problem, SeedError
from kg.seeds.corpus import Entity, Source, did_you_mean, display_path
from kg.seeds.yamlpos import YamlList, YamlMap, read_yaml_file

MENTIONS_DIR = "mentions"
"""The folder of gold mention files, under the seeds folder."""

ENTRY_KEYS = ("text", "key", "at", "label", "type", "note")


@dataclass(frozen=True)
class GoldMention:
    """One gold mention resolved to its span: ``text[start:end]`` of the article is ``surface``."""

    key: str | None
    start: int
    end: int
    surface: str
    label: str | None
    type: str | None
    line: int


def gold_path(seeds: Path | str, article_id: str) -> Path:
    """The gold mention file of an article (which may not exist)."""
    return Path(seeds) / MENTIONS_DIR / f"{article_id}.yaml"


def occurrences(text: str, surface: str, excluded: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of every exact, word-bounded occurrence of surface outside the excluded ranges.

    Example:
        >>> occurrences("Trump and Trumpism; Donald Trump", "Trump")
        [(0, 5), (27, 32)]
    """
    if not surface:
        return []
    before = r"(?<!\w)" if re.match(r"\w", surface[0]) else ""
    after = r"(?!\w)" if re.match(r"\w", surface[-1]) else ""
    ranges = list(excluded)
    out = []
    for m in re.finditer(before + re.escape(surface) + after, text):
        if not any(m.start() < end and start < m.end() for start, end in ranges):
            out.append((m.start(), m.end()))
    return out


def _positions(raw, count: int) -> list[int] | str:
    """The 1-based occurrence numbers of ``at``, or an error message."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return "at must be an occurrence number (1, 2, ...) or a list of them"
    for i in items:
        if not 1 <= i <= count:
            times = "once" if count == 1 else f"{count} times"
            return f"at {i} is out of range: the text occurs {times} in the article (outside page furniture)"
    if len(set(items)) != len(items):
        return "at lists an occurrence twice"
    return sorted(items)


def read_gold_mentions(
    path: Path,
    source: Source,
    entities: Mapping[str, Entity],
    classes: Iterable[str] | None = None,
) -> tuple[list[GoldMention], list[Problem]]:
    """Read one gold mention file and resolve every entry to its spans in the article.

    Args:
        path: the file.
        source: the article it is about (its text and excluded page furniture).
        entities: the registry.
        classes: the ontology's classes, to check the ``type`` of a ``key: null`` entry
            (not checked when None).

    Returns:
        The gold mentions sorted by position, and the problems found (``path:line:col``).
    """
    display = display_path(path)
    problems: list[Problem] = []

    def problem(pos: tuple[int, int] | None, message: str) -> None:
        line, col = pos or (0, 0)
        problems.append(Problem(display, line, col, "", message))

    doc = read_yaml_file(path, display, problems)
    if doc is None:
        if not problems:
            problem(None, "empty file: expected 'article:' and 'mentions:'")
        return [], problems
    if not isinstance(doc, YamlMap):
        problem(None, "expected a mapping with 'article:' and 'mentions:'")
        return [], problems
    for key in sorted(set(doc) - {"article", "mentions"}):
        problem(doc.pos[key], f"unknown key '{key}'; use 'article' and 'mentions'")
    if doc.get("article") != source.article_id:
        problem(doc.pos.get("article", (doc.line, doc.col)), f"article must be {source.article_id}")
    raw = doc.get("mentions")
    if not isinstance(raw, YamlList):
        problem(doc.pos.get("mentions", (doc.line, doc.col)), "mentions must be a list")
        return [], problems
    excluded = [(r.start, r.end) for r in source.excluded]
    known_classes = None if classes is None else set(classes)
    chosen: list[tuple[YamlMap, list[tuple[int, int]], bool]] = []  # entry, spans, all occurrences
    for entry, where in zip(raw, raw.pos, strict=True):
        if not isinstance(entry, YamlMap):
            problem(where, "each mention needs 'text' and 'key'")
            continue
        for key in sorted(set(entry) - set(ENTRY_KEYS)):
            problem(
                entry.pos[key],
                f"unknown field '{key}'{did_you_mean(key, ENTRY_KEYS)}: a mention has "
                f"{', '.join(ENTRY_KEYS)} (quote a text or label that holds a comma)",
            )
        usable = _entry_ok(entry, where, entities, known_classes, problem)
        surface = entry.get("text")
        if not isinstance(surface, str) or not surface.strip():
            continue
        spans = occurrences(source.text, surface, excluded)
        if not spans:
            problem(entry.value_pos["text"], _not_found(source.text, surface, excluded))
            continue
        if "at" in entry:
            numbers = _positions(entry["at"], len(spans))
            if isinstance(numbers, str):
                problem(entry.value_pos["at"], numbers)
                continue
            if usable:
                chosen.append((entry, [spans[i - 1] for i in numbers], False))
        elif usable:
            chosen.append((entry, spans, True))
    return _resolve(chosen, source, problem), problems


def _entry_ok(entry: YamlMap, where, entities, classes, problem) -> bool:
    """Whether an entry's text, key, label and type are usable (reporting what is not)."""
    ok = True
    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        problem(entry.value_pos.get("text", where), "text must be the exact words of the article")
        ok = False
    if "key" not in entry:
        problem(where, "key is missing: a registry key, or null with 'label' and 'type'")
        return False
    key = entry["key"]
    if key is None:
        for name in ("label", "type"):
            value = entry.get(name)
            if not isinstance(value, str) or not value.strip():
                problem(
                    entry.value_pos.get(name, entry.pos["key"]),
                    f"a mention with key null needs a '{name}' (what the registry would call it)",
                )
                ok = False
        kind = entry.get("type")
        if isinstance(kind, str) and classes is not None and kind not in classes:
            problem(entry.value_pos["type"], f"unknown type '{kind}'{did_you_mean(kind, classes)}")
            ok = False
    elif not isinstance(key, str) or key not in entities:
        problem(entry.value_pos["key"], f"unknown key '{key}'{did_you_mean(str(key), entities)}")
        ok = False
    return ok


def _not_found(text: str, surface: str, excluded: list[tuple[int, int]]) -> str:
    if occurrences(text, surface):
        return f"'{surface}' occurs only in page furniture (excluded in sources.yaml)"
    if re.search(re.escape(surface), text, re.IGNORECASE):
        return f"'{surface}' is not in the article as a whole word with this case and punctuation"
    return f"'{surface}' is not in the article"


def _resolve(chosen, source: Source, problem) -> list[GoldMention]:
    """Spans of every entry: an entry without ``at`` drops its occurrences inside a longer
    span of another entry with the same key; a span listed twice for one key is a problem."""
    by_key: dict[str | None, list[tuple[int, int]]] = {}
    for entry, spans, _ in chosen:
        by_key.setdefault(entry["key"], []).extend(spans)
    out: list[GoldMention] = []
    seen: dict[tuple[str | None, int, int], int] = {}
    for entry, spans, every in chosen:
        key = entry["key"]
        if every:
            spans = [
                (s, e)
                for s, e in spans
                if not any(os <= s and e <= oe and (oe - os) > (e - s) for os, oe in by_key.get(key, []))
            ]
            if not spans:
                problem(
                    entry.value_pos["text"],
                    f"every occurrence of '{entry['text']}' lies inside a longer mention of {key}: "
                    "give 'at' or remove the entry",
                )
                continue
        line = entry.line
        for start, end in spans:
            first = seen.get((key, start, end))
            if first is not None:
                problem(
                    entry.value_pos["text"],
                    f"'{entry['text']}' at {start}-{end} is already listed for {key} (line {first})",
                )
                continue
            seen[(key, start, end)] = line
            out.append(
                GoldMention(
                    key, start, end, source.text[start:end], entry.get("label"), entry.get("type"), line
                )
            )
    return sorted(out, key=lambda m: (m.start, m.end, m.key or ""))


def _read_all(
    seeds: Path | str,
    sources: Mapping[str, Source],
    entities: Mapping[str, Entity],
    classes: Iterable[str] | None = None,
) -> tuple[dict[str, list[GoldMention]], list[Problem]]:
    """Every gold mention file under ``seeds/mentions``, read once: article id -> its gold
    mentions, and every problem of every file."""
    found: dict[str, list[GoldMention]] = {}
    problems: list[Problem] = []
    folder = Path(seeds) / MENTIONS_DIR
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.yaml")):
        source = sources.get(path.stem)
        if source is None:
            problems.append(
                Problem(
                    display_path(path), 0, 0, "",
                    f"no article {path.stem} in sources.yaml{did_you_mean(path.stem, sources)}",
                )
            )  # fmt: skip
            continue
        found[path.stem], more = read_gold_mentions(path, source, entities, classes)
        problems += more
    return found, problems


def gold_mention_problems(
    seeds: Path | str,
    sources: Mapping[str, Source],
    entities: Mapping[str, Entity],
    classes: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem of every gold mention file under ``seeds/mentions`` (none when the folder
    is missing: gold mentions are optional).

    Args:
        seeds: the seeds folder.
        sources: the loaded sources (a file for an article not among them is a problem).
        entities: the registry.
        classes: the ontology's classes (see :func:`read_gold_mentions`).
    """
    return _read_all(seeds, sources, entities, classes)[1]


def load_gold_mentions(
    seeds: Path | str, sources: Mapping[str, Source], entities: Mapping[str, Entity]
) -> dict[str, list[GoldMention]]:
    """The gold mentions of every article that has a gold file.

    Args:
        seeds: the seeds folder.
        sources: the loaded sources.
        entities: the registry.

    Returns:
        Article id -> its gold mentions, sorted by position.

    Raises:
        SeedError: with every problem of every gold file, when any.
    """
    found, problems = _read_all(seeds, sources, entities)
    if problems:
        raise SeedError(problems)
    return dict(sorted(found.items()))
