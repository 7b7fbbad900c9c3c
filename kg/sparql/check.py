"""Check a SPARQL query before it runs: size, bracket nesting, SERVICE, updates and FROM clauses.

The one SPARQL lexer of the project: the endpoint front, ``kg query`` and the remote client
all read queries through :func:`tokens`.

The query is cut into tokens the way a SPARQL lexer does (comments, strings, IRIs, variables,
prefixed names, words, brackets), so a keyword inside a string, an IRI or a comment is text,
and a keyword outside them counts wherever it is, at any depth. Each refusal carries the HTTP
status the endpoint answers with and a one-line reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import QueryError

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


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """The query's tokens as (kind, text): comment, string, iri, var, pname, langtag, word,
    open or close; whitespace and punctuation are skipped.

    Example:
        >>> [k for k, _ in tokens('SELECT ?x { ?x tdo:rate "SERVICE" } # DROP')]
        ['word', 'var', 'open', 'var', 'pname', 'string', 'close', 'comment']
    """
    for token in _TOKEN.finditer(text):
        yield token.lastgroup, token.group()


def query_form(text: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``: the query's form, None if it has none.

    Example:
        >>> query_form("# SELECT in a comment\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        'construct'
    """
    for kind, text_ in tokens(text):
        if kind == "word" and text_.upper() in _FORMS:
            return text_.lower()
    return None


def refuse_unsafe(text: str) -> None:
    """Raise QueryError for SERVICE (network access) and for any update operation.

    Example:
        >>> refuse_unsafe('SELECT * { ?s ?p "DROP ALL" }')  # a keyword in a string is text
    """
    for kind, word in tokens(text):
        if kind != "word":
            continue
        word = word.upper()
        if word == "SERVICE":
            raise QueryError("SERVICE is not allowed: queries cannot reach the network")
        if word in _UPDATES:
            raise QueryError(f"{word} is not allowed: the graph is read-only")


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
    for kind, token in tokens(text):
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
            word = token.upper()
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
