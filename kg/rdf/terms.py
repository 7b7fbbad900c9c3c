"""N-Quads terms as plain strings: fast to make, trivially sortable, byte-identical across runs."""

from __future__ import annotations

import re

from kg.rdf.namespaces import RDF_NS, XSD_NS

RDF_TYPE = f"<{RDF_NS}type>"
_XSD_STRING = XSD_NS + "string"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')  # one C-level scan: the build mints millions


def iri(value: str) -> str:
    """``<value>``; raises ValueError for characters N-Quads forbids in IRIs."""
    if _IRI_FORBIDDEN.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """An N-Quads literal; plain strings carry no datatype (RDF 1.1 xsd:string)."""
    if _NEEDS_ESCAPE.search(value):  # str.translate is slow on long non-ASCII text: replace
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    text = '"' + value + '"'
    if lang:
        return f"{text}@{lang}"
    if datatype and datatype != _XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def quad(subject: str, predicate: str, obj: str, graph: str) -> str:
    """One N-Quads line, without the newline."""
    return f"{subject} {predicate} {obj} {graph} ."
