"""Safe, bounded YAML reading that keeps the line and column of every value and rejects duplicate keys.

PyYAML's C parser (``CSafeLoader``) composes the node tree when it is available; the nodes keep
their marks, so every value read here can be traced back to ``path:line:col``. Timestamps stay
strings: dates are parsed by the caller, which knows their precision.

Input is bounded: a file past :data:`MAX_FILE_BYTES`, a scalar past :data:`MAX_SCALAR_CHARS`,
aliases that expand past :data:`ALIAS_BUDGET` collections (an "alias bomb") and an alias inside
its own anchor are refused with a located problem. Plain scalars that YAML 1.1 (PyYAML) and
YAML 1.2 read differently (``012``, ``1:30``, ``1_000``, ``0b11``, ``yes``, ``off``) are refused
with "quote it", and so are ``.nan`` and infinities.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from kg.errors import Problem

try:  # the C parser is an order of magnitude faster on large fact files
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

_TAGS: dict[str, str] = {}
"""Implicit tag of each short plain scalar seen: keys and registry keys recur thousands of times."""


class _Loader(_BaseLoader):
    """The safe loader, with the implicit-tag resolution of plain scalars memoised.

    Resolution runs in Python for every scalar even under the C parser, and depends only on the
    scalar's text (the safe loader has no path resolvers), so its result can be kept.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64:
                    if len(_TAGS) > 200_000:
                        _TAGS.clear()
                    _TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


_scalar = SafeConstructor()

MAX_FILE_BYTES = 32 * 1024 * 1024
"""The largest YAML file read (the seeds' largest is about 60 KB; a synthetic corpus of 100,000
facts has none past a few MB)."""
MAX_SCALAR_CHARS = 100_000
"""The longest scalar accepted: a quote or a note is a few hundred characters."""
ALIAS_BUDGET = 1_000
"""How many collections aliases may add in one file: the seeds use none; a bomb adds billions."""

_AMBIGUOUS_INT = re.compile(r"^[-+]?(0[0-9_]+|0b[0-1_]+|[0-9][0-9_]*(:[0-5]?[0-9])+|[0-9]+_[0-9_]*)$")
_AMBIGUOUS_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|.*_.*)$")
_YAML11_BOOLS = {"yes", "no", "on", "off"}

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


class Unreadable(str):
    """A scalar already reported as a problem (ambiguous or not a number): callers skip it."""


class YamlMap(dict):
    """A mapping read from YAML; ``pos[key]`` is the (line, col) of the key, 1-based."""

    def __init__(self, line: int, col: int):
        super().__init__()
        self.line = line
        self.col = col
        self.pos: dict[str, tuple[int, int]] = {}
        self.value_pos: dict[str, tuple[int, int]] = {}


class YamlList(list):
    """A sequence read from YAML; ``pos[i]`` is the (line, col) of item ``i``, 1-based."""

    def __init__(self, line: int, col: int):
        super().__init__()
        self.line = line
        self.col = col
        self.pos: list[tuple[int, int]] = []


_STR = "tag:yaml.org,2002:str"
_MAPPING, _SEQUENCE, _SCALAR = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode


def _where(node: yaml.Node) -> tuple[int, int]:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


class _Refused(Exception):
    """Stops the conversion of a document: a located problem that makes the rest unreadable."""

    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


class _Walk:
    """What one document's conversion has seen: collections on the way down, and alias reuses."""

    __slots__ = ("open", "seen", "reused")

    def __init__(self):
        self.open: set[int] = set()
        self.seen: set[int] = set()
        self.reused = 0

    def enter(self, node: yaml.Node) -> None:
        key = id(node)
        if key in self.open:
            raise _Refused(node, "an alias refers to its own anchor (a value that contains itself)")
        if key in self.seen:
            self.reused += 1
            if self.reused > ALIAS_BUDGET:
                raise _Refused(
                    node,
                    f"aliases expand past {ALIAS_BUDGET} collections (an alias bomb?): "
                    "write the values out instead of repeating anchors",
                )
        else:
            self.seen.add(key)
        self.open.add(key)


def _convert(node: yaml.Node, path: str, problems: list[Problem], walk: _Walk):
    kind = type(node)
    if kind is _SCALAR or not (kind is _MAPPING or kind is _SEQUENCE):
        return _scalar_value(node, path, problems)
    walk.enter(node)
    mark = node.start_mark
    if kind is _MAPPING:
        out = YamlMap(mark.line + 1, mark.column + 1)
        pos, value_pos = out.pos, out.value_pos
        for key_node, value_node in node.value:
            key_mark = key_node.start_mark
            kl, kc = key_mark.line + 1, key_mark.column + 1
            if type(key_node) is not _SCALAR:
                problems.append(Problem(path, kl, kc, "", "mapping keys must be plain text"))
                continue
            key = key_node.value
            if key in out:
                fl, _ = pos[key]
                problems.append(Problem(path, kl, kc, "", f"duplicate key '{key}' (first at line {fl})"))
                continue
            if len(key) > MAX_SCALAR_CHARS:
                raise _Refused(key_node, f"key of {len(key)} characters: the limit is {MAX_SCALAR_CHARS}")
            value_mark = value_node.start_mark
            if (
                type(value_node) is _SCALAR
                and value_node.tag == _STR
                and len(value_node.value) <= MAX_SCALAR_CHARS
            ):
                out[key] = value_node.value  # the common case, without a call
            else:
                out[key] = _convert(value_node, path, problems, walk)
            pos[key] = (kl, kc)
            value_pos[key] = (value_mark.line + 1, value_mark.column + 1)
        walk.open.discard(id(node))
        return out
    seq = YamlList(mark.line + 1, mark.column + 1)
    item_pos = seq.pos
    for item in node.value:
        seq.append(_convert(item, path, problems, walk))
        item_mark = item.start_mark
        item_pos.append((item_mark.line + 1, item_mark.column + 1))
    walk.open.discard(id(node))
    return seq


def _scalar_value(node: yaml.Node, path: str, problems: list[Problem]):
    tag, text = node.tag, node.value
    if len(text) > MAX_SCALAR_CHARS:
        raise _Refused(node, f"value of {len(text)} characters: the limit is {MAX_SCALAR_CHARS}")
    if tag == _STR:
        return text
    line, col = _where(node)
    if tag == _BOOL and text.lower() in _YAML11_BOOLS:
        problems.append(
            Problem(
                path,
                line,
                col,
                "",
                f"ambiguous value {text}: YAML 1.1 reads it as a boolean, YAML 1.2 as text; "
                "write true or false, or quote it",
            )
        )
        return Unreadable(text)
    if (tag == _INT and _AMBIGUOUS_INT.match(text)) or (tag == _FLOAT and _AMBIGUOUS_FLOAT.match(text)):
        problems.append(
            Problem(
                path,
                line,
                col,
                "",
                f"ambiguous number {text}: YAML 1.1 and 1.2 read it differently "
                "(octal, base 60, binary or digit groups); write plain digits, or quote it",
            )
        )
        return Unreadable(text)
    try:
        if tag == _INT:
            return _scalar.construct_yaml_int(node)
        if tag == _FLOAT:
            number = _scalar.construct_yaml_float(node)
            if not math.isfinite(number):
                problems.append(
                    Problem(path, line, col, "", f"{text} is not a number: use a finite number, or quote it")
                )
                return Unreadable(text)
            return number
        if tag == _BOOL:
            return _scalar.construct_yaml_bool(node)
        if tag == _NULL:
            return None
    except (ConstructorError, ValueError) as exc:
        problems.append(
            Problem(path, line, col, "", f"cannot read value: {' '.join(str(exc).split())[:200]}")
        )
        return None
    return text


def load_yaml(text: str, path: str, problems: list[Problem]):
    """Parse one YAML document into YamlMap/YamlList/scalars, appending problems found.

    Args:
        text: the document.
        path: the name used in error messages.
        problems: list receiving a Problem per syntax error or duplicate key.

    Returns:
        The document's value, or None when it could not be parsed.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        context = exc.context or ""
        if exc.context_mark is not None and exc.context_mark is not mark:
            context += f" (started at line {exc.context_mark.line + 1})"
        message = " ".join(part for part in (context.strip(), exc.problem) if part)
        problems.append(Problem(path, line, col, "", f"YAML syntax error: {message}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(path, 0, 0, "", f"YAML error: {exc}"))
        return None
    if node is None:
        return None
    try:
        return _convert(node, path, problems, _Walk())
    except _Refused as refusal:
        line, col = _where(refusal.node)
        problems.append(Problem(path, line, col, "", refusal.message))
        return None
    except RecursionError:  # pragma: no cover - libyaml stops nesting long before Python's limit
        problems.append(Problem(path, 0, 0, "", "YAML nested too deeply"))
        return None


def read_yaml_file(path: Path, display: str, problems: list[Problem]):
    """Read and parse one YAML file, reporting what makes it unreadable as a located problem.

    A file past :data:`MAX_FILE_BYTES`, a folder, a symlink loop, an unreadable or missing file,
    or text that is not UTF-8 gives one problem and None. A UTF-8 byte order mark is skipped
    (positions in YAML files are lines and columns, which it does not move).

    Args:
        path: the file.
        display: the name used in messages.
        problems: list receiving the problems.

    Returns:
        The document's value, or None.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(display, 0, 0, "", f"file of {size} bytes: the limit is {MAX_FILE_BYTES} bytes")
            )
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(display, 0, 0, "", "file not found"))
        return None
    except IsADirectoryError:
        problems.append(Problem(display, 0, 0, "", "is a folder, not a YAML file"))
        return None
    except OSError as exc:
        problems.append(Problem(display, 0, 0, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Problem(display, line, col, "", f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded")
        )
        return None
    return load_yaml(text, display, problems)
