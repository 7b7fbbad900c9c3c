"""Safe YAML reading that keeps the line and column of every value and rejects duplicate keys.

PyYAML's C parser (``CSafeLoader``) composes the node tree when it is available; the nodes keep
their marks, so every value read here can be traced back to ``path:line:col``. Timestamps stay
strings: dates are parsed by the caller, which knows their precision.
"""

from __future__ import annotations

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

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


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


def _convert(node: yaml.Node, path: str, problems: list[Problem]):
    kind = type(node)
    if kind is _SCALAR or not (kind is _MAPPING or kind is _SEQUENCE):
        return _scalar_value(node, path, problems)
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
            value_mark = value_node.start_mark
            if type(value_node) is _SCALAR and value_node.tag == _STR:
                out[key] = value_node.value  # the common case, without a call
            else:
                out[key] = _convert(value_node, path, problems)
            pos[key] = (kl, kc)
            value_pos[key] = (value_mark.line + 1, value_mark.column + 1)
        return out
    seq = YamlList(mark.line + 1, mark.column + 1)
    item_pos = seq.pos
    for item in node.value:
        seq.append(_convert(item, path, problems))
        item_mark = item.start_mark
        item_pos.append((item_mark.line + 1, item_mark.column + 1))
    return seq


def _scalar_value(node: yaml.Node, path: str, problems: list[Problem]):
    tag = node.tag
    if tag == _STR:
        return node.value
    try:
        if tag == _INT:
            return _scalar.construct_yaml_int(node)
        if tag == _FLOAT:
            return _scalar.construct_yaml_float(node)
        if tag == _BOOL:
            return _scalar.construct_yaml_bool(node)
        if tag == _NULL:
            return None
    except (ConstructorError, ValueError) as exc:  # pragma: no cover - malformed number
        line, col = _where(node)
        problems.append(Problem(path, line, col, "", f"cannot read value: {exc}"))
        return None
    return node.value


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
    return _convert(node, path, problems)
