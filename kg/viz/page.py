"""Writing the HTML pages: the jinja2 templates of kg/viz/templates, the inlined libraries, the atomic write.

Templates autoescape everything; data reaches a page's script only through ``tojson`` (which
escapes ``<``, ``>``, ``&`` and ``'``), and the pages put text into the DOM with
``textContent``, so article text is never parsed as HTML. Libraries (vis-network from the
pyvis package, plotly.js from the plotly package) are copied into the page: every page carries
a Content-Security-Policy whose ``default-src 'none'`` refuses any network access.
"""

from __future__ import annotations

import functools
from pathlib import Path

from markupsafe import Markup

from kg.errors import KgError
from kg.files import write_atomic  # noqa: F401  (the pages write through it)

CSP_BASE = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""What every page allows: inline style and data: images, nothing from any address."""


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
    )
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
