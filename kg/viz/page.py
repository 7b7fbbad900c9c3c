"""What every HTML page of kg shares: the jinja2 templates, the Content-Security-Policy, inlined assets.

Templates live in ``kg/viz/templates/*.j2`` and the CSS and JavaScript the pages inline in
``kg/viz/static/``, shipped as package data; the libraries (vis-network from the pyvis package,
plotly.js from the plotly package) are copied into the pages too. The environment escapes
every value (autoescape), so text from articles and annotations is shown as text; data for
scripts goes into ``<script type="application/json">`` blocks through :func:`json_for_script`,
which escapes ``<``, ``>``, ``&`` and ``'``. Every page's policy starts from
``default-src 'none'``, so no page can fetch anything: the article and entity pages
(:func:`render_page`) then allow exactly their own inline style and script by SHA-256 hash; the
graph and timeline pages (:func:`render`) allow inline code, which their libraries need.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kg.errors import KgError

CSP_BASE = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""What the graph and timeline pages allow: inline style and data: images, nothing from any address."""


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


@functools.cache
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


@functools.cache
def environment():
    """The jinja2 environment of kg/viz/templates (autoescaped, strict about undefined names)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from kg.viz.styles import legend_icon, sign_swatch

    env = Environment(
        loader=PackageLoader("kg.viz", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = json_for_script
    env.globals.update(legend_icon=legend_icon, sign_swatch=sign_swatch)
    return env


def render(template: str, **context) -> str:
    """A template of kg/viz/templates rendered with context.

    Example:
        >>> html = render("page.html.j2", csp=CSP_BASE, title="<T>", subtitle="")
        >>> "<title>&lt;T&gt;</title>" in html and "default-src 'none'" in html
        True
    """
    return environment().get_template(template).render(**context)


def render_page(template: str, *, styles: list[str], scripts: list[str] = (), **context: Any) -> str:
    """A page whose inline styles and scripts are allowed by hash, and nothing else (the article
    and entity pages).

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


def _inline(text: str, name: str) -> Markup:
    if "</script" in text.lower() or "</style" in text.lower():  # would end the element early
        raise KgError(f"{name} cannot be inlined safely")
    return Markup(text)


@functools.cache
def vis_asset(name: str) -> Markup:
    """vis-network's bundled file (``vis-network.min.js`` or ``.css``) from the pyvis package."""
    import pyvis

    folder = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return _inline((folder / name).read_text(encoding="utf-8"), f"pyvis's {name}")


@functools.cache
def plotly_js() -> Markup:
    """plotly.js as the plotly package ships it (package_data/plotly.min.js)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise KgError(f"the plotly package has no {path.name}: reinstall plotly")
    return _inline(path.read_text(encoding="utf-8"), "plotly.min.js")


def iframe(page_html: str, height: int = 520) -> str:
    """An ``<iframe>`` holding a whole page in its ``srcdoc``, for a notebook cell.

    The page travels inside the notebook (an exported HTML file still shows it, wherever it is
    moved), keeps its own Content-Security-Policy, and runs sandboxed: scripts only, no access
    to the notebook around it.

    Example:
        >>> iframe('<p title="a & b">x</p>', height=100)
        '<iframe srcdoc="&lt;p title=&#34;a &amp; b&#34;&gt;x&lt;/p&gt;" sandbox="allow-scripts" style="width:100%; height:100px; border:1px solid #e2e8f0"></iframe>'
    """
    from markupsafe import escape

    return (
        f'<iframe srcdoc="{escape(page_html)}" sandbox="allow-scripts" '
        f'style="width:100%; height:{int(height)}px; border:1px solid #e2e8f0"></iframe>'
    )
