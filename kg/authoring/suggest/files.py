"""Writing suggestions as commented-out YAML into the seeds, and accepting them (uncommenting)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from kg.authoring.suggest.model import EntityCandidate, FactSuggestion, Mention, Suggestions
from kg.errors import KgError
from kg.files import write_atomic
from kg.seeds.corpus import SeedPaths

SUGGESTION_MARK = "kg suggest"
FACTS_EMPTY_HINT = '  # becomes "facts:" once you accept a suggestion below'


@dataclass
class WriteResult:
    """What :func:`write_suggestions` appended, and where."""

    fact_file: Path
    entity_file: Path
    facts_written: list[str]
    entities_written: list[str]
    skipped: list[str]


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z][\w -]*[\w]|[a-z]", text) and "  " not in text
    if plain and text.lower() not in {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}:
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def fact_yaml(fs: FactSuggestion) -> list[str]:
    """The YAML lines of one suggested fact (uncommented), as they go into a fact file's list.

    Example:
        >>> fs = FactSuggestion("a005-x", "post", "US President Donald Trump", 0, 25, None,
        ...     {"subject": "president-of-the-united-states", "type": "Post", "heldBy": "donald-trump"})
        >>> print("\\n".join(fact_yaml(fs)))
          - id: a005-x
            quote: "US President Donald Trump"
            subject: president-of-the-united-states
            type: Post
            heldBy: donald-trump
    """
    lines = [f"  - id: {fs.id}", f"    quote: {json.dumps(fs.quote, ensure_ascii=False)}"]
    if fs.occurrence is not None:
        lines.append(f"    occurrence: {fs.occurrence}")
    for name, value in fs.fields.items():
        lines.append(f"    {name}: {_yaml_flow(value)}")
    return lines


def _yaml_flow(value: object) -> str:
    """A value in YAML flow style: a scalar, ``{key: value}`` or ``[a, {anonymous: words}]``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_flow(v) for v in value) + "]"
    return _yaml_scalar(value)


def entity_yaml(c: EntityCandidate) -> list[str]:
    """The YAML lines of one candidate registry entry (uncommented)."""
    type_note = f"  # guessed: {c.type_reason}" if c.type_reason else ""
    lines = [
        f"{c.key}:",
        f"  type: {c.type}{type_note}",
        f"  label: {json.dumps(c.label, ensure_ascii=False)}",
    ]
    lines += [f"  {k}: {_yaml_scalar(v)}" for k, v in c.fields.items()]
    return lines


def _comment(lines: list[str]) -> list[str]:
    return [("# " + line) if line else "#" for line in lines]


def entity_file_path(seeds: Path | str, article_id: str) -> Path:
    """Where candidate registry entries for an article go: ``seeds/entities/<id>.yaml``."""
    return Path(seeds) / "entities" / f"{article_id}.yaml"


def write_suggestions(s: Suggestions, seeds: Path | str = "seeds") -> WriteResult:
    """Append the suggestions, commented out, to the article's fact file and entity-candidate file.

    Suggestions whose id (or candidate key) is already in those files, commented or not, are
    skipped, so running ``kg suggest`` twice adds nothing the second time.

    Args:
        s: what :func:`suggest` found.
        seeds: the seeds folder.

    Returns:
        A WriteResult naming what was appended.
    """
    paths = SeedPaths(Path(seeds))
    fact_file = paths.facts / f"{s.article_id}.yaml"
    entity_file = entity_file_path(seeds, s.article_id)
    if not fact_file.exists():
        fact_file.write_text(f"article: {s.article_id}\nfacts: []\n", encoding="utf-8")
    fact_text = fact_file.read_text(encoding="utf-8")
    entity_text = entity_file.read_text(encoding="utf-8") if entity_file.exists() else ""
    registry_text = "\n".join(p.read_text(encoding="utf-8") for p in paths.registry_files() if p.exists())
    skipped: list[str] = []
    new_facts = []
    for fs in s.facts:
        # the head comment of a suggestion stays when it is accepted: same kind and span = same one
        if re.search(rf"^[#\s]*# {fs.kind}: .* at {fs.start}-{fs.end}$", fact_text, re.M):
            skipped.append(fs.id)
        else:
            new_facts.append(fs)
    new_entities = []
    for c in s.candidates:
        if re.search(rf"^[#\s]*{re.escape(c.key)}:", entity_text + "\n" + registry_text, re.M):
            skipped.append(c.key)
        else:
            new_entities.append(c)

    if new_facts:
        block = [
            "",
            f"# ================================================================ {SUGGESTION_MARK}",
        ]
        block += [
            f"# Suggested by `kg suggest {s.article_id}`. Nothing below is in the graph: accept a",
            '# suggestion by removing the "# " in front of each of its lines (keep the indentation),',
            '# then change "facts: []" above to "facts:" if it still says so. A suggestion that names',
            f"# new registry entries needs them uncommented too, in {display(entity_file)}.",
            "# Or accept from the command line: kg suggest " + s.article_id + " --accept <id>",
            "# Check with `kg check`; delete the suggestions you reject.",
            "#",
        ]
        block += _mention_summary(s)
        for fs in new_facts:
            block.append("#")
            head = f'  # {fs.kind}: "{_short_quote(fs.quote)}" at {fs.start}-{fs.end}'
            lines = [head]
            if fs.needs:
                lines.append(f"  # needs new registry entries: {', '.join(fs.needs)}")
            lines += [f"  # {note}" for note in fs.notes]
            lines += fact_yaml(fs)
            block += _comment(lines)
        text = fact_text if fact_text.endswith("\n") else fact_text + "\n"
        text = re.sub(r"^facts:\s*\[\]\s*(#.*)?$", "facts: []" + FACTS_EMPTY_HINT, text, count=1, flags=re.M)
        write_atomic(fact_file, text + "\n".join(block) + "\n")
    if new_entities:
        entity_file.parent.mkdir(parents=True, exist_ok=True)
        block = []
        if not entity_text:
            block += [
                f"# Candidate registry entries for article {s.article_id}, proposed by `kg suggest`.",
                '# Nothing here is in the registry until you uncomment it (remove the "# " before each',
                "# line of an entry). Before accepting one, search seeds/entities.yaml for the same thing",
                "# under another name: if it is there, add this surface form to its aliases instead.",
                "# Types marked 'guessed' need checking; add wikidata only when confirmed.",
            ]
        for c in new_entities:
            block.append("")
            block += _comment(
                [f'# {c.reason}: "{_short_quote(c.text)}" at {c.start}-{c.end}', *entity_yaml(c)]
            )
        text = entity_text if entity_text.endswith("\n") or not entity_text else entity_text + "\n"
        write_atomic(entity_file, text + "\n".join(block) + "\n")
    return WriteResult(
        fact_file, entity_file, [f.id for f in new_facts], [c.key for c in new_entities], skipped
    )


def display(path: Path) -> str:
    """A path shown relative to the working directory when below it."""
    from kg.seeds.corpus import display_path

    return display_path(path)


def _short_quote(quote: str, limit: int = 90) -> str:
    quote = quote.replace("\n", " ")
    return quote if len(quote) <= limit else quote[: limit - 3] + "..."


def _mention_summary(s: Suggestions) -> list[str]:
    lines = ["# Registry entities mentioned (key: surface form at start-end):"]
    by_key: dict[str, list[Mention]] = {}
    for m in s.mentions:
        by_key.setdefault(m.key, []).append(m)
    for key in sorted(by_key):
        spots = ", ".join(f'"{m.text}" {m.start}-{m.end}' for m in by_key[key][:6])
        more = f", ... ({len(by_key[key])} in all)" if len(by_key[key]) > 6 else ""
        lines.append(f"#   {key}: {spots}{more}")
    if s.candidates:
        lines.append("# Candidate new entities (commented out in the entity file):")
        lines += [
            f'#   {c.key} ({c.type}): "{_short_quote(c.text, 60)}" {c.start}-{c.end}' for c in s.candidates
        ]
    if s.dates:
        lines.append("# Relative dates resolved against the article's date:")
        lines += [f'#   "{d.text}" {d.start}-{d.end} -> {d.value}' for d in s.dates]
    return lines


def accept_suggestions(
    article_id: str, ids: list[str] | None = None, seeds: Path | str = "seeds"
) -> list[str]:
    """Uncomment suggested facts (all when ``ids`` is None) and the registry entries they need.

    Args:
        article_id: the article whose fact file holds the suggestions.
        ids: suggestion ids to accept; None accepts every suggestion still commented out.
        seeds: the seeds folder.

    Returns:
        The fact ids and registry keys that were uncommented.

    Raises:
        KgError: an id is not among the commented-out suggestions.
    """
    fact_file = SeedPaths(Path(seeds)).facts / f"{article_id}.yaml"
    entity_file = entity_file_path(seeds, article_id)
    if not fact_file.exists():
        raise KgError(f"no fact file {display(fact_file)}: run `kg suggest {article_id}` first")
    lines = fact_file.read_text(encoding="utf-8").split("\n")
    blocks = _commented_blocks(lines, r"#   - id: ([a-z0-9-]+)\s*$", "#     ", "#   # ")
    wanted = list(blocks) if ids is None else ids
    missing = [i for i in wanted if i not in blocks]
    if missing:
        raise KgError(
            f"not a commented-out suggestion in {display(fact_file)}: {', '.join(missing)}"
            f" (pending: {', '.join(blocks) or 'none'})"
        )
    accepted: list[str] = []
    needs: list[str] = []
    for fid in wanted:
        first, last = blocks[fid]
        for i in range(first, last):
            lines[i] = _uncomment(lines[i])
            need = re.match(r"\s*# needs new registry entries: (.*)$", lines[i])
            if need:
                needs += [k.strip() for k in need.group(1).split(",")]
        accepted.append(fid)
    if accepted:
        text = "\n".join(lines)
        text = re.sub(r"^facts:\s*\[\]\s*(#.*)?$", "facts:", text, count=1, flags=re.M)
        write_atomic(fact_file, text)
    if needs and entity_file.exists():
        elines = entity_file.read_text(encoding="utf-8").split("\n")
        eblocks = _commented_blocks(elines, r"# ([a-z0-9-]+):\s*$", "#   ", "# # ")
        for key in dict.fromkeys(needs):
            if key in eblocks:
                first, last = eblocks[key]
                for i in range(first, last):
                    elines[i] = _uncomment(elines[i])
                accepted.append(key)
        write_atomic(entity_file, "\n".join(elines))
    return accepted


def accept_entities(article_id: str, keys: list[str], seeds: Path | str = "seeds") -> list[str]:
    """Uncomment candidate registry entries by key (for names no accepted fact needs)."""
    entity_file = entity_file_path(seeds, article_id)
    elines = entity_file.read_text(encoding="utf-8").split("\n") if entity_file.exists() else []
    eblocks = _commented_blocks(elines, r"# ([a-z0-9-]+):\s*$", "#   ", "# # ")
    missing = [k for k in keys if k not in eblocks]
    if missing:
        raise KgError(f"not a commented-out candidate in {display(entity_file)}: {', '.join(missing)}")
    for key in keys:
        first, last = eblocks[key]
        for i in range(first, last):
            elines[i] = _uncomment(elines[i])
    write_atomic(entity_file, "\n".join(elines))
    return list(keys)


def _uncomment(line: str) -> str:
    return line[2:] if line.startswith("# ") else line


def _commented_blocks(lines: list[str], head: str, body: str, preface: str) -> dict[str, tuple[int, int]]:
    """Line ranges of commented-out entries: preface comments, the head line and its body lines."""
    blocks: dict[str, tuple[int, int]] = {}
    for i, line in enumerate(lines):
        match = re.match(head, line)
        if not match:
            continue
        first = i
        while first > 0 and lines[first - 1].startswith(preface):
            first -= 1
        last = i + 1
        while last < len(lines) and lines[last].startswith(body):
            last += 1
        blocks[match.group(1)] = (first, last)
    return blocks
