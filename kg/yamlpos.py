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
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

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


def _where(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(node: yaml.Node, path: str, problems: list[Problem]):
    if isinstance(node, yaml.MappingNode):
        line, col = _where(node)
        out = YamlMap(line, col)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                kl, kc = _where(key_node)
                problems.append(Problem(path, kl, kc, "", "mapping keys must be plain text"))
                continue
            key = key_node.value
            kl, kc = _where(key_node)
            if key in out:
                fl, _ = out.pos[key]
                problems.append(
                    Problem(path, kl, kc, "", f"duplicate key '{key}' (first at line {fl})")
                )
                continue
            out[key] = _convert(value_node, path, problems)
            out.pos[key] = (kl, kc)
            out.value_pos[key] = _where(value_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        line, col = _where(node)
        seq = YamlList(line, col)
        for item in node.value:
            seq.append(_convert(item, path, problems))
            seq.pos.append(_where(item))
        return seq
    tag = node.tag
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
