"""Load and validate the seeds: sources, the entity registry and the annotated facts.

Every problem is collected with its ``path:line:col`` and fact id, so that one run reports all of
them; nothing is half-loaded: :func:`load_corpus` either returns a complete Corpus or raises
:class:`~kg.errors.SeedError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import Problem, SeedError
from kg.rdf.namespaces import XSD_NS
from kg.rdf.vocabulary import Property, Vocabulary, annotatable, vocabulary
from kg.seeds.anchor import Anchor, AnchorFailure, NormalisedText, anchor_quote
from kg.seeds.dates import partial_date
from kg.seeds.yamlpos import Unreadable, YamlList, YamlMap, read_yaml_file

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
FACT_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
QID_RE = re.compile(r"^Q[1-9][0-9]*\Z")
ARTICLE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\Z")
r"""An article id names its files and ends its IRI: letters, digits, '_' and '-' keep that IRI
valid, which lets the store's loader skip checking the IRIs the build mints (see kg.store).
The patterns end with ``\Z``, not ``$``, which would also match before a final newline."""
DURATION_RE = re.compile(r"^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?\Z")
SHA_RE = re.compile(r"^[0-9a-f]{64}\Z")

FACT_KEYS = ("id", "quote", "occurrence", "subject", "type", "date", "modality", "attribution", "note")  # fmt: skip
ENTITY_KEYS = ("type", "label", "aliases", "wikidata", "note")
SOURCE_KEYS = ("title", "outlet", "author", "date", "date_basis", "sha256", "url", "excluded")


@dataclass(frozen=True)
class Value:
    """A field value: an entity key, a concept name, or a literal with its XSD datatype."""

    kind: str  # entity | concept | literal
    value: str
    datatype: str | None = None  # None for plain strings
    inferred_from: str | None = None


@dataclass(frozen=True)
class Claim:
    """One property-value pair of a fact or registry entry, with where it was written."""

    prop: str
    value: Value
    line: int
    col: int


@dataclass(frozen=True)
class Entity:
    """A registry entry."""

    key: str
    type: str
    label: str
    aliases: tuple[str, ...]
    wikidata: str | None
    note: str | None
    claims: tuple[Claim, ...]
    path: str
    line: int


@dataclass(frozen=True)
class Excluded:
    """A range of page furniture in an article that is not annotated."""

    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Source:
    """One article: its record in sources.yaml and its verbatim text."""

    article_id: str
    title: str | None
    outlet: str | None
    author: str | None
    date: Value | None
    date_basis: str
    sha256: str
    url: str | None
    excluded: tuple[Excluded, ...]
    text: str
    path: str
    line: int


@dataclass(frozen=True)
class Step:
    """One link of an attribution chain: a registry key or an anonymous source's words."""

    index: int
    key: str | None
    anonymous: str | None


@dataclass(frozen=True)
class Fact:
    """One annotated fact, validated and anchored in its article."""

    id: str
    article_id: str
    quote: str
    anchor: Anchor
    subject: str
    type: str | None
    claims: tuple[Claim, ...]
    date: Value | None
    modality: str
    attribution: tuple[Step, ...]
    note: str | None
    path: str
    line: int


@dataclass
class Corpus:
    """Everything the build needs, validated."""

    root: Path
    sources: dict[str, Source]
    entities: dict[str, Entity]
    facts: list[Fact]
    notices: list[str] = field(default_factory=list)


def display_path(path: Path) -> str:
    """A path as shown to users: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - different drive on Windows
        return str(path)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_date(raw) -> tuple[str, str] | str:
    """``(lexical, xsd datatype)`` of a YYYY / YYYY-MM / YYYY-MM-DD date, or an error message."""
    if isinstance(raw, dt.date):
        return f"malformed date '{raw}': expected YYYY, YYYY-MM or YYYY-MM-DD"
    try:
        text, precision = partial_date(raw)
    except ValueError as exc:
        return str(exc)
    return text, XSD_NS + {"day": "date", "month": "gYearMonth", "year": "gYear"}[precision]


def decimal_lexical(number: int | float) -> str:
    """Canonical-enough xsd:decimal lexical form: ``24``, ``17.5``."""
    if isinstance(number, int):
        return str(number)
    text = repr(float(number))
    if "e" in text or "E" in text:
        text = f"{number:f}"
    return text[:-2] if text.endswith(".0") else text


class _Collector:
    """Collects problems for one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def add(self, pos: tuple[int, int] | None, fact: str, message: str) -> None:
        line, col = pos or (0, 0)
        self.problems.append(Problem(self.path, line, col, fact, message))


def _date_value(raw, where, fact: str, out: _Collector, label: str) -> Value | None:
    inferred = None
    if isinstance(raw, YamlMap):
        unknown = set(raw) - {"value", "inferred_from"}
        for key in sorted(unknown):
            out.add(raw.pos[key], fact, f"unknown key '{key}' in {label}; use 'value' and 'inferred_from'")
        if "value" not in raw:
            out.add(where, fact, f"{label} needs a 'value'")
            return None
        inferred = raw.get("inferred_from")
        if inferred is not None and not isinstance(inferred, str):
            out.add(raw.value_pos["inferred_from"], fact, "inferred_from must be text")
            inferred = None
        where = raw.value_pos["value"]
        raw = raw["value"]
    parsed = parse_date(raw)
    if isinstance(parsed, str):
        out.add(where, fact, f"{label}: {parsed}")
        return None
    return Value("literal", parsed[0], parsed[1], inferred)


def _scalar_value(
    prop: Property, raw, where, fact: str, out: _Collector, vocab: Vocabulary, keys
) -> Value | None:
    name = prop.name
    if isinstance(raw, Unreadable):
        return None  # already reported where it was read
    if prop.kind == "date":
        return _date_value(raw, where, fact, out, name)
    if prop.kind == "entity":
        if not isinstance(raw, str):
            out.add(where, fact, f"wrong value type: {name} expects an entity key, got {raw!r}")
            return None
        if raw not in keys:
            out.add(where, fact, f"unknown entity key '{raw}' in {name}{did_you_mean(raw, keys)}")
            return None
        return Value("entity", raw)
    if prop.kind == "concept":
        concept = vocab.concept_for(name, raw) if isinstance(raw, str) else None
        if concept is None:
            options = ", ".join(vocab.concept_names(name))
            out.add(where, fact, f"wrong value for {name}: {raw!r}; expected one of {options}")
            return None
        return Value("concept", concept)
    if prop.kind == "decimal":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            out.add(where, fact, f"wrong value type: {name} expects a number, got {raw!r}")
            return None
        return Value("literal", decimal_lexical(raw), XSD_NS + "decimal")
    if prop.kind == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int):
            out.add(where, fact, f"wrong value type: {name} expects a whole number, got {raw!r}")
            return None
        return Value("literal", str(raw), XSD_NS + "integer")
    if prop.kind == "boolean":
        if not isinstance(raw, bool):
            out.add(where, fact, f"wrong value type: {name} expects true or false, got {raw!r}")
            return None
        return Value("literal", "true" if raw else "false", XSD_NS + "boolean")
    if prop.kind == "duration":
        if not isinstance(raw, str) or not DURATION_RE.match(raw):
            out.add(where, fact, f"wrong value type: {name} expects a duration like P90D, got {raw!r}")
            return None
        return Value("literal", raw, XSD_NS + "duration")
    if not isinstance(raw, str):
        out.add(where, fact, f"wrong value type: {name} expects text, got {raw!r} (quote it)")
        return None
    return Value("literal", raw)


_ANNOTATABLE: dict[int, tuple[Vocabulary, dict[str, Property]]] = {}


def _annotatable(vocab: Vocabulary) -> dict[str, Property]:
    """``annotatable(vocab)``, computed once per vocabulary rather than once per fact."""
    hit = _ANNOTATABLE.get(id(vocab))
    if hit is None or hit[0] is not vocab:
        hit = _ANNOTATABLE[id(vocab)] = (vocab, annotatable(vocab))
    return hit[1]


def _claims(
    record: YamlMap, reserved: tuple[str, ...], fact: str, out: _Collector, vocab: Vocabulary, keys
) -> list[Claim]:
    props = _annotatable(vocab)
    claims: list[Claim] = []
    for name, raw in record.items():
        if name in reserved:
            continue
        prop = props.get(name)
        if prop is None:
            out.add(
                record.pos[name],
                fact,
                f"unknown property '{name}'{did_you_mean(name, list(props) + list(reserved))}",
            )
            continue
        if isinstance(raw, YamlList):
            if prop.functional and len(raw) > 1:
                out.add(record.pos[name], fact, f"{name} takes a single value, got {len(raw)}")
                continue
            items = list(zip(raw, raw.pos, strict=True))
        else:
            items = [(raw, record.value_pos[name])]
        for item, where in items:
            value = _scalar_value(prop, item, where, fact, out, vocab, keys)
            if value is not None:
                claims.append(Claim(name, value, where[0], where[1]))
    return claims


def _text(record: YamlMap, key: str, fact: str, out: _Collector, required: bool) -> str | None:
    raw = record.get(key)
    if raw is None:
        if required:
            out.add((record.line, record.col), fact, f"missing '{key}'")
        return None
    if not isinstance(raw, str) or not raw.strip():
        out.add(record.value_pos[key], fact, f"'{key}' must be non-empty text, got {raw!r}")
        return None
    return raw


def _unknown_keys(record: YamlMap, allowed: Iterable[str], fact: str, out: _Collector) -> None:
    allowed = list(allowed)
    for key in record:
        if key not in allowed:
            out.add(record.pos[key], fact, f"unknown field '{key}'{did_you_mean(key, allowed)}")


def _read(path: Path, out: _Collector):
    return read_yaml_file(path, out.path, out.problems)


def load_registry(paths: list[Path], vocab: Vocabulary) -> tuple[dict[str, Entity], list[Problem]]:
    """Read the registry files (``entities.yaml`` and any ``entities/*.yaml``).

    Args:
        paths: registry files, in order.
        vocab: the ontology's vocabulary.

    Returns:
        Entities by key, and the problems found.
    """
    problems: list[Problem] = []
    docs: list[tuple[_Collector, YamlMap]] = []
    first_seen: dict[str, str] = {}
    for path in paths:
        out = _Collector(display_path(path))
        doc = _read(path, out)
        problems.extend(out.problems)
        out.problems = []
        if doc is None:
            continue
        if not isinstance(doc, YamlMap):
            out.add((1, 1), "", "the registry must be a mapping of key -> entry")
            problems.extend(out.problems)
            continue
        for key in doc:
            if key in first_seen:
                out.add(doc.pos[key], key, f"duplicate entity key (first in {first_seen[key]})")
            else:
                first_seen[key] = f"{out.path}:{doc.pos[key][0]}"
        problems.extend(out.problems)
        out.problems = []
        docs.append((out, doc))
    keys = {key for key in first_seen if KEY_RE.match(str(key))}  # a bad key would make a bad IRI
    entities: dict[str, Entity] = {}
    for out, doc in docs:
        for key, record in doc.items():
            if key in entities:
                continue
            where = doc.pos[key]
            if not KEY_RE.match(str(key)):
                out.add(where, key, "entity keys are lower-case words joined by '-'")
                continue
            if not isinstance(record, YamlMap):
                out.add(where, key, "an entity must be a mapping with at least type and label")
                continue
            etype = _text(record, "type", key, out, required=True)
            if etype is not None and etype not in vocab.classes:
                out.add(
                    record.value_pos["type"],
                    key,
                    f"unknown type '{etype}'{did_you_mean(etype, vocab.classes)}",
                )
                etype = None
            label = _text(record, "label", key, out, required=True)
            aliases_raw = record.get("aliases") or []
            aliases: list[str] = []
            if not isinstance(aliases_raw, list):
                out.add(record.value_pos["aliases"], key, "aliases must be a list of text")
            else:
                for alias in aliases_raw:
                    if isinstance(alias, str) and alias.strip():
                        aliases.append(alias)
                    else:
                        out.add(record.value_pos["aliases"], key, f"alias {alias!r} is not text")
            qid = record.get("wikidata")
            if qid is not None and (not isinstance(qid, str) or not QID_RE.match(qid)):
                out.add(record.value_pos["wikidata"], key, f"wikidata must be a Q-number, got {qid!r}")
                qid = None
            note = _text(record, "note", key, out, required=False)
            claims = _claims(record, ENTITY_KEYS, key, out, vocab, keys)
            if etype is None or label is None:
                continue
            entities[key] = Entity(
                key, etype, label, tuple(aliases), qid, note, tuple(claims), out.path, where[0]
            )
        problems.extend(out.problems)
    return entities, problems


def _excluded_ranges(raw, text: str, fact: str, out: _Collector) -> list[Excluded]:
    ranges: list[Excluded] = []
    if raw is None:
        return ranges
    if not isinstance(raw, YamlList):
        out.add(None, fact, "excluded must be a list")
        return ranges
    for item, where in zip(raw, raw.pos, strict=True):
        if not isinstance(item, YamlMap):
            out.add(where, fact, "each excluded range needs 'quote' (or 'start' and 'end') and 'reason'")
            continue
        _unknown_keys(item, ("quote", "occurrence", "start", "end", "reason"), fact, out)
        reason = _text(item, "reason", fact, out, required=True) or ""
        if "quote" in item:
            found = anchor_quote(text, str(item["quote"]), item.get("occurrence"))
            if isinstance(found, AnchorFailure):
                out.add(item.value_pos["quote"], fact, f"excluded range: {found.message}")
                continue
            ranges.append(Excluded(found.start, found.end, reason))
        else:
            start, end = item.get("start"), item.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                out.add(where, fact, f"excluded range needs 0 <= start < end <= {len(text)}")
                continue
            ranges.append(Excluded(start, end, reason))
    return sorted(ranges, key=lambda r: (r.start, r.end))


def _article_text(path: Path, where, article_id: str, out: _Collector) -> tuple[str | None, bytes]:
    """An article's text and bytes; a problem (and None) when it cannot be read as offsets need."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        out.add(where, article_id, f"cannot read {display_path(path)}: {exc.strerror or exc}")
        return None, b""
    if data.startswith(b"\xef\xbb\xbf"):
        out.add(
            where,
            article_id,
            f"{display_path(path)} starts with a byte order mark, which would shift every offset "
            "by one: save it as UTF-8 without BOM",
        )
        return None, data
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        out.add(
            where,
            article_id,
            f"{display_path(path)} is not UTF-8: byte 0x{data[exc.start]:02x} at line {line} "
            f"(offset {exc.start}) cannot be decoded",
        )
        return None, data


def load_sources(
    path: Path, articles_dir: Path, entities: dict[str, Entity]
) -> tuple[dict[str, Source], list[Problem]]:
    """Read sources.yaml, read each article and check its sha256.

    Args:
        path: sources.yaml.
        articles_dir: the folder of article texts.
        entities: the registry, to check outlet keys.

    Returns:
        Sources by article id, and the problems found (stale hashes among them).
    """
    out = _Collector(display_path(path))
    doc = _read(path, out)
    sources: dict[str, Source] = {}
    on_disk = {p.stem: p for p in sorted(articles_dir.glob("*.txt"), key=lambda p: p.name)}
    if doc is None:
        return sources, out.problems
    if not isinstance(doc, YamlMap):
        out.add((1, 1), "", "sources.yaml must map article ids to records")
        return sources, out.problems
    for article_id, record in doc.items():
        where = doc.pos[article_id]
        if not ARTICLE_ID_RE.match(str(article_id)):
            out.add(
                where,
                str(article_id),
                f"article id '{article_id}' must start with a letter or digit and hold only "
                f"letters, digits, '_' and '-' (it names the article's files and ends its IRI); "
                f"rename the article and its facts file",
            )
            continue
        if article_id not in on_disk:
            out.add(
                where,
                article_id,
                f"no article file {display_path(articles_dir / (article_id + '.txt'))}"
                f"{did_you_mean(article_id, on_disk)}",
            )
            continue
        if not isinstance(record, YamlMap):
            out.add(where, article_id, "a source must be a mapping")
            continue
        _unknown_keys(record, SOURCE_KEYS, article_id, out)
        text, data = _article_text(on_disk[article_id], where, article_id, out)
        if text is None:
            continue
        digest = hashlib.sha256(data).hexdigest()
        recorded = _text(record, "sha256", article_id, out, required=True)
        if recorded is not None and not SHA_RE.match(recorded):
            out.add(record.value_pos["sha256"], article_id, "sha256 must be 64 lower-case hex digits")
        elif recorded is not None and recorded != digest:
            out.add(
                record.value_pos["sha256"],
                article_id,
                f"stale annotations: {display_path(on_disk[article_id])} changed since it was "
                f"annotated (sha256 is {digest}, sources.yaml says {recorded}); its facts' quotes "
                f"and offsets must be checked before the hash is updated",
            )
        outlet = record.get("outlet")
        if outlet is not None and outlet not in entities:
            out.add(
                record.value_pos["outlet"],
                article_id,
                f"unknown entity key '{outlet}' in outlet{did_you_mean(str(outlet), entities)}",
            )
            outlet = None
        date = None
        if record.get("date") is not None:
            date = _date_value(record["date"], record.value_pos["date"], article_id, out, "date")
        basis = _text(record, "date_basis", article_id, out, required=True) or ""
        sources[article_id] = Source(
            article_id=article_id,
            title=_text(record, "title", article_id, out, required=False),
            outlet=outlet,
            author=_text(record, "author", article_id, out, required=False),
            date=date,
            date_basis=basis,
            sha256=digest,
            url=_text(record, "url", article_id, out, required=False),
            excluded=tuple(_excluded_ranges(record.get("excluded"), text, article_id, out)),
            text=text,
            path=out.path,
            line=where[0],
        )
    for article_id in sorted(set(on_disk) - set(doc)):
        out.add((1, 1), article_id, f"article {article_id}.txt has no record in sources.yaml")
    return sources, out.problems


def _attribution(raw, where, fact: str, out: _Collector, entities) -> list[Step]:
    steps: list[Step] = []
    if raw is None:
        return steps
    items = list(zip(raw, raw.pos, strict=True)) if isinstance(raw, YamlList) else [(raw, where)]
    for index, (item, pos) in enumerate(items, start=1):
        if isinstance(item, YamlMap) and set(item) == {"anonymous"} and isinstance(item["anonymous"], str):
            steps.append(Step(index, None, item["anonymous"]))
        elif isinstance(item, str) and item in entities:
            steps.append(Step(index, item, None))
        elif isinstance(item, str):
            out.add(pos, fact, f"unknown entity key '{item}' in attribution{did_you_mean(item, entities)}")
        else:
            out.add(pos, fact, 'attribution items are entity keys or {anonymous: "who"}')
    return steps


def _check_date_order(claims: list[Claim], fact: str, out: _Collector) -> None:
    """A problem when a fact's effectiveFrom is surely before its announcedOn (a note may say why)."""
    dates = {c.prop: c for c in claims if c.prop in ("announcedOn", "effectiveFrom")}
    if len(dates) < 2:
        return
    effective, announced = dates["effectiveFrom"], dates["announcedOn"]
    shared = min(len(effective.value.value), len(announced.value.value))  # 2025-04 vs 2025-04-02
    if effective.value.value[:shared] < announced.value.value[:shared]:
        out.add(
            (effective.line, effective.col),
            fact,
            f"effectiveFrom {effective.value.value} is before announcedOn {announced.value.value}: "
            "check both dates, or say why in the fact's note",
        )


def load_fact_file(
    path: Path,
    sources: dict[str, Source],
    entities: dict[str, Entity],
    vocab: Vocabulary,
    normalised: dict[str, NormalisedText] | None = None,
) -> tuple[list[Fact], list[Problem], list[str]]:
    """Read and validate one fact file, anchoring every quote.

    Args:
        path: ``seeds/facts/<article-id>.yaml``.
        sources: the validated sources.
        entities: the validated registry.
        vocab: the ontology's vocabulary.
        normalised: cache of normalised article texts, filled as needed.

    Returns:
        The facts, the problems and the notices (quotes matched only after normalisation).
    """
    out = _Collector(display_path(path))
    notices: list[str] = []
    facts: list[Fact] = []
    doc = _read(path, out)
    if doc is None:
        if not out.problems:
            out.add((1, 1), "", "empty fact file: write 'article: <id>' and 'facts: [...]', or delete it")
        return facts, out.problems, notices
    if isinstance(doc, YamlMap) and "facts" in doc and doc["facts"] is None:
        doc["facts"] = YamlList(*doc.value_pos["facts"])  # `facts:` with nothing under it yet
    if not isinstance(doc, YamlMap) or not isinstance(doc.get("facts"), YamlList):
        out.add((1, 1), "", "a fact file is a mapping with 'article: <id>' and 'facts: [...]'")
        return facts, out.problems, notices
    _unknown_keys(doc, ("article", "facts"), "", out)
    article_id = doc.get("article", path.stem)
    if article_id != path.stem:
        out.add(
            doc.value_pos.get("article"),
            "",
            f"article '{article_id}' does not match the file name {path.stem}",
        )
    source = sources.get(article_id)
    if source is None:
        out.add(doc.value_pos.get("article", (1, 1)), "", f"article '{article_id}' is not in sources.yaml")
        return facts, out.problems, notices
    normalised = normalised if normalised is not None else {}
    keys = entities.keys()
    for record, where in zip(doc["facts"], doc["facts"].pos, strict=True):
        if not isinstance(record, YamlMap):
            out.add(where, "", "each fact must be a mapping")
            continue
        before = len(out.problems)
        raw_id = record.get("id")
        fid = raw_id if isinstance(raw_id, str) else "?"
        if raw_id is None:
            out.add(where, "?", "missing 'id'")
        elif not isinstance(raw_id, str) or not FACT_ID_RE.match(raw_id):
            out.add(record.value_pos["id"], fid, "fact ids are lower-case words joined by '-'")
        quote = _text(record, "quote", fid, out, required=True)
        subject = _text(record, "subject", fid, out, required=True)
        if subject is not None and subject not in entities:
            out.add(
                record.value_pos["subject"],
                fid,
                f"unknown entity key '{subject}' in subject{did_you_mean(subject, keys)}",
            )
            subject = None
        ftype = _text(record, "type", fid, out, required=False)
        if ftype is not None and ftype not in vocab.classes:
            out.add(
                record.value_pos["type"], fid, f"unknown type '{ftype}'{did_you_mean(ftype, vocab.classes)}"
            )
            ftype = None
        if ftype and subject:
            registered = entities[subject].type
            if not (vocab.is_a(registered, ftype) or vocab.is_a(ftype, registered)):
                out.add(
                    record.value_pos["type"],
                    fid,
                    f"type {ftype} contradicts the registry, where '{subject}' is a {registered}",
                )
        claims = _claims(record, FACT_KEYS, fid, out, vocab, keys)
        if "note" not in record:
            _check_date_order(claims, fid, out)
        if not claims and not ftype and "type" not in record:
            out.add(where, fid, "the fact states nothing: give it a type or at least one property")
        date = None
        if "date" in record:
            date = _date_value(record["date"], record.value_pos["date"], fid, out, "date")
        attribution = _attribution(
            record.get("attribution"), record.value_pos.get("attribution"), fid, out, entities
        )
        modality_raw = record.get("modality", "reported" if attribution else "asserted")
        modality = vocab.concept_for("modality", modality_raw) if isinstance(modality_raw, str) else None
        if modality is None:
            options = ", ".join(c.lower() for c in vocab.concept_names("modality"))
            out.add(
                record.value_pos.get("modality"),
                fid,
                f"wrong value for modality: {modality_raw!r}; expected one of {options}",
            )
        note = _text(record, "note", fid, out, required=False)
        occurrence = record.get("occurrence")
        if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)):
            out.add(record.value_pos["occurrence"], fid, "occurrence must be a whole number")
            occurrence = None
        found = None
        if quote is not None:
            if article_id not in normalised:
                normalised[article_id] = NormalisedText(source.text)
            ranges = tuple((ex.start, ex.end) for ex in source.excluded)
            found = anchor_quote(source.text, quote, occurrence, normalised[article_id], ranges)
            if isinstance(found, AnchorFailure):
                out.add(record.value_pos["quote"], fid, found.message)
                found = None
            else:
                if found is not None and found.normalised:
                    line = record.value_pos["quote"][0]
                    notices.append(
                        f"{out.path}:{line}: {fid}: quote matched after normalising quotes, "
                        f'dashes and spaces; the article has "{found.exact}"'
                    )
        if len(out.problems) > before or found is None or subject is None or modality is None:
            continue
        facts.append(
            Fact(
                id=fid,
                article_id=article_id,
                quote=quote,
                anchor=found,
                subject=subject,
                type=ftype,
                claims=tuple(claims),
                date=date,
                modality=modality,
                attribution=tuple(attribution),
                note=note,
                path=out.path,
                line=where[0],
            )
        )
    return facts, out.problems, notices


@dataclass(frozen=True)
class SeedPaths:
    """Where the seeds live."""

    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def sources(self) -> Path:
        return self.root / "sources.yaml"

    @property
    def facts(self) -> Path:
        return self.root / "facts"

    def registry_files(self) -> list[Path]:
        extra = sorted((self.root / "entities").glob("*.yaml"))
        return [self.root / "entities.yaml", *extra]

    def fact_files(self) -> list[Path]:
        return sorted(self.facts.glob("*.yaml"), key=lambda p: p.name)  # one folder: by name


def check_duplicate_ids(facts: list[Fact]) -> list[Problem]:
    """Problems for fact ids used more than once, across all files."""
    first: dict[str, Fact] = {}
    problems: list[Problem] = []
    for fact in facts:
        if fact.id in first:
            prior = first[fact.id]
            problems.append(
                Problem(
                    fact.path,
                    fact.line,
                    5,
                    fact.id,
                    f"duplicate fact id (first defined at {prior.path}:{prior.line})",
                )
            )
        else:
            first[fact.id] = fact
    return problems


def load_corpus(root: Path | str = "seeds", ontology: str | None = None) -> Corpus:
    """Load and validate all seeds under root.

    Args:
        root: the seeds folder.
        ontology: path of the ontology Turtle file (default ``ontology/tdo.ttl``).

    Returns:
        The validated Corpus.

    Raises:
        SeedError: with every problem found, when any.
    """
    paths = SeedPaths(Path(root))
    if not paths.root.is_dir():
        raise SeedError([Problem(display_path(paths.root), 0, 0, "", "seeds folder not found")])
    vocab = vocabulary(ontology)
    entities, problems = load_registry(paths.registry_files(), vocab)
    if any(p.message.startswith("YAML") for p in problems):
        # an unreadable registry would make every key in every fact look unknown
        raise SeedError(problems)
    sources, source_problems = load_sources(paths.sources, paths.articles, entities)
    problems += source_problems
    facts: list[Fact] = []
    notices: list[str] = []
    normalised: dict[str, NormalisedText] = {}
    for path in paths.fact_files():
        file_facts, file_problems, file_notices = load_fact_file(path, sources, entities, vocab, normalised)
        facts += file_facts
        problems += file_problems
        notices += file_notices
    problems += check_duplicate_ids(facts)
    if problems:
        raise SeedError(problems)
    return Corpus(paths.root, sources, entities, facts, notices)
