"""Check a SPARQL query before it runs: size, bracket nesting, SERVICE, updates and FROM clauses.

The query is cut into tokens the way a SPARQL lexer does (comments, strings, IRIs, variables,
prefixed names, words, brackets), so a keyword inside a string, an IRI or a comment is text,
and a keyword outside them counts wherever it is, at any depth. Each refusal carries the HTTP
status the endpoint answers with and a one-line reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAX_QUERY_BYTES = 64 * 1024
DEFAULT_MAX_DEPTH = 64

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\[\s\S]|"(?!""))*\"\"\"
                |'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''
                |"(?:[^"\\\r\n]|\\.)*"
                |'(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][^\W][\w\u00b7\u0300-\u036f\u203f\u2040]*)
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w.:%-]|\\[_~.!$&'()*+,;=/?#@%-])*)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<word>[^\W\d]\w*)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    """,
    re.VERBOSE,
)
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATES = {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"}


class Refused(Exception):
    """A query the endpoint will not run: ``status`` is the HTTP status, ``reason`` one line."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed every check, with its form and deepest bracket nesting."""

    text: str
    form: str  # select | ask | construct | describe
    depth: int


def check_query(
    text: str, max_bytes: int = DEFAULT_MAX_QUERY_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> CheckedQuery:
    """Check a query before it runs; raise Refused with a status and reason when it may not.

    Args:
        text: the SPARQL query as received.
        max_bytes: the largest query accepted, in UTF-8 bytes.
        max_depth: the deepest nesting of ``( { [`` brackets accepted (strings, IRIs and
            comments do not count).

    Returns:
        The CheckedQuery.

    Raises:
        Refused: 413 too large, 400 too deeply nested or not a query, 403 SERVICE or an update,
            400 FROM or FROM NAMED (the dataset is fixed: use GRAPH in the query).

    Example:
        >>> check_query("SELECT * WHERE { ?s ?p ?o }").form
        'select'
        >>> try:
        ...     check_query("ASK { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
        ... except Refused as refusal:
        ...     print(refusal.status, refusal.reason)
        403 SERVICE is not allowed: queries cannot reach the network
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Refused(
            413, f"query too large: {size} bytes, the limit is {max_bytes} (kg serve --max-query-kb)"
        )
    depth = deepest = 0
    form = None
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
            if depth > max_depth:
                raise Refused(
                    400,
                    f"query nested too deeply: more than {max_depth} levels of brackets "
                    "(kg serve --max-nesting)",
                )
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            word = token.group().upper()
            if word == "SERVICE":
                raise Refused(403, "SERVICE is not allowed: queries cannot reach the network")
            if word in _UPDATES:
                raise Refused(403, f"{word} is not allowed: the graph is read-only")
            if word == "FROM":
                raise Refused(
                    400,
                    "FROM and FROM NAMED are not supported: the dataset is fixed; "
                    "use GRAPH <name> { ... } in the query",
                )
            if form is None and word in _FORMS:
                form = word.lower()
    if form is None:
        raise Refused(400, "not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    return CheckedQuery(text, form, deepest)
