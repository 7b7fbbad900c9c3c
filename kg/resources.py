"""The files the package ships beside its code: the ontology, the SHACL shapes, the named queries.

``ontology/`` at the top of the repository is their source of truth; ``kg/ontology`` is a link
to it, so an editable install reads the repository's files and a wheel carries copies of them as
package data. Either way they are found through :mod:`importlib.resources`, never by walking up
from a module's file.

>>> (ONTOLOGY_DIR / "tdo.ttl").is_file(), QUERIES_DIR.name
(True, 'queries')
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ONTOLOGY_DIR = Path(str(files("kg") / "ontology"))
"""The ontology folder: tdo.ttl, shapes.ttl, context.jsonld and queries/."""

ONTOLOGY_FILE = ONTOLOGY_DIR / "tdo.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
QUERIES_DIR = ONTOLOGY_DIR / "queries"
"""Named queries (``cq-*.rq``, ``view-*.rq``, ``claims-*.rq``) and violation queries (``*-violation.rq``)."""
