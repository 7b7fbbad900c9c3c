"""What every static page of kg shares: the jinja2 templates, the Content-Security-Policy, assets.

Templates live in ``kg/viz/templates/*.j2`` and the CSS and JavaScript the pages inline in
``kg/viz/static/``, shipped as package data. The environment escapes every value (autoescape),
so text from articles and annotations is shown as text; data for scripts goes into
``<script type="application/json">`` blocks through :func:`json_for_script`, which escapes ``<``,
``>``, ``&`` and ``'``. Each page's policy refuses everything (``default-src 'none'``) and then
allows exactly its own inline style and script by their SHA-256 hashes, so a page can fetch
nothing, and no script or style that an article text might smuggle in would run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup


def csp_hash(text: str) -> str:
    """The CSP source of an inline script or style: ``'sha256-...'`` of its exact text.

    Example:
        >>> csp_hash("")
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(styles: list[str] = (), scripts: list[str] = ()) -> str:
    """A policy that refuses every fetch and allows only the given inline styles and scripts.

    Example:
        >>> content_security_policy()
        "default-src 'none'; base-uri 'none'; form-action 'none'; img-src data:"
        >>> content_security_policy(scripts=[""]).split("; ")[-1]
        "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    parts = ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "img-src data:"]
    if styles:
        parts.append("style-src " + " ".join(dict.fromkeys(csp_hash(s) for s in styles)))
    if scripts:
        parts.append("script-src " + " ".join(dict.fromkeys(csp_hash(s) for s in scripts)))
    return "; ".join(parts)


@cache
def asset(name: str) -> Markup:
    """A CSS or JavaScript file of ``kg/viz/static``, ready to inline.

    Raises:
        ValueError: the file holds ``</`` followed by ``script`` or ``style``, which would end
            the element early.
    """
    text = (files("kg.viz") / "static" / name).read_text(encoding="utf-8")
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:
        raise ValueError(f"kg/viz/static/{name} cannot be inlined safely")
    return Markup(text)


def json_for_script(value: Any) -> Markup:
    """JSON to put inside ``<script type="application/json">``: sorted keys, markup escaped.

    Example:
        >>> print(json_for_script({"label": "</script><b>&'"}))
        {"label":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u0027"}
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return Markup(text)


@lru_cache(maxsize=1)
def environment():
    """The jinja2 environment of the page templates (autoescape on, undefined names an error)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("kg.viz", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = json_for_script
    return env


def render(template: str, *, styles: list[str], scripts: list[str] = (), **context: Any) -> str:
    """Render a page template with its inline styles and scripts and a policy allowing just them.

    Args:
        template: a file name under ``kg/viz/templates``.
        styles: CSS texts, inlined in ``<style>`` elements in this order.
        scripts: JavaScript texts, inlined in ``<script>`` elements at the end of the body.
        context: the template's variables.

    Returns:
        The HTML text.
    """
    styles = [Markup(s) for s in styles]
    scripts = [Markup(s) for s in scripts]
    return (
        environment()
        .get_template(template)
        .render(csp=content_security_policy(styles, scripts), styles=styles, scripts=scripts, **context)
    )
