"""The query page ``kg serve`` shows at ``/``: a SPARQL editor with the project's named queries.

The editor is CodeMirror 5 with its SPARQL mode, shipped with the package under
``kg/sparql/static/`` (from npm's ``codemirror@5.65.21``, MIT licence), so the page works
offline: it loads its script and style from the server itself and sends queries to the
server's own ``/query``; its Content-Security-Policy refuses every other address.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from kg.rdf.namespaces import ID, PREFIXES

STATIC_FILES = {
    "codemirror.js": "application/javascript",
    "codemirror.css": "text/css",
    "sparql.js": "application/javascript",
    "query-page.js": "application/javascript",
    "query-page.css": "text/css",
}
"""The files under ``/static/`` and their media types; nothing else is served from there."""

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page's Content-Security-Policy: its own scripts and styles, queries to its own server only.
CodeMirror sets element styles from script, hence ``'unsafe-inline'`` for styles alone."""


@dataclass(frozen=True)
class PageConfig:
    """What the page's script is told: the endpoint, the prefixes and where entity pages are."""

    endpoint: str
    entity_pages: str | None = None  # e.g. "/site/entity/{key}.html": a link for each id: IRI


def static_file(name: str) -> bytes | None:
    """The bytes of a file under ``/static/``, or None when the name is not one of STATIC_FILES."""
    if name not in STATIC_FILES:
        return None
    folder = "codemirror" if name in ("codemirror.js", "codemirror.css", "sparql.js") else "page"
    return (files("kg.sparql") / "static" / folder / name).read_bytes()


@lru_cache(maxsize=1)
def _examples() -> list[dict[str, str]]:
    from kg.sparql.query import describe_query, named_queries

    return [
        {"name": name, "question": describe_query(path), "text": path.read_text(encoding="utf-8")}
        for name, path in named_queries().items()
        if not name.endswith("-violation")
    ]


def query_page(config: PageConfig) -> str:
    """The HTML of the query page: the named queries as examples, the prefixes, the editor.

    Example:
        >>> html = query_page(PageConfig("/query"))
        >>> "cq-letters" in html and "PREFIX tdo:" in html and "https://" not in html.split("<body")[0]
        True
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kg.sparql", "templates"), autoescape=select_autoescape(["j2"]))
    settings = {
        "endpoint": config.endpoint,
        "entityNamespace": str(ID),
        "entityPages": config.entity_pages,
        "prefixes": PREFIXES,
    }
    return env.get_template("query.html.j2").render(
        examples=_examples(),
        prologue="".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()),
        settings=json.dumps(settings).replace("</", "<\\/"),
        examples_json=json.dumps(_examples()).replace("</", "<\\/"),
    )
