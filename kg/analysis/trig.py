"""TriG of a build: the quads of ``kg.nq`` grouped by graph, with the project's prefixes, sorted.

``kg export --format trig`` writes it. The build itself writes only N-Quads (every tool reads
them); TriG, for people, is made on request from ``kg.nq``, in linear time and bounded memory
(:func:`write_trig_sorted`), with the same bytes as the plain way (:func:`write_trig`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kg.build.layer import graph_of_bytes
from kg.rdf.namespaces import PREFIXES, PROVENANCE_GRAPH

_CONTROL_BYTES = bytes(range(0x20)).replace(b"\n", b"").replace(b"\r", b"") + b"\x7f"
"""Characters the serializer escapes where the build's N-Quads keep them raw: ordering by the
N-Quads text and by the serializer's terms could then differ, so such data takes the slow path."""


def _blocks(nquads: Path, size: int = 32 << 20):
    """The file's text in blocks of whole lines of about ``size`` bytes."""
    with open(nquads, "rb") as f:
        while data := f.read(size):
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # a line longer than size
                data += f.readline()
            elif cut < len(data):
                f.seek(cut - len(data), os.SEEK_CUR)  # the cut line starts the next block
                data = data[:cut]
            yield data if data.endswith(b"\n") else data + b"\n"


def _lines_of_graph(nquads: Path, graph: bytes):
    """The lines of one graph, read again from the file in file order: a list per block."""
    if not graph:  # the default graph: its lines end with their object
        provenance = f" <{PROVENANCE_GRAPH}> .".encode()
        for data in _blocks(nquads):
            rest = [line for line in data.split(b"\n") if line and not line.endswith(provenance)]
            yield [line for line in rest if not graph_of_bytes(line)]
        return
    suffix = b" " + graph + b" ."
    for data in _blocks(nquads):
        yield [line for line in data.split(b"\n") if line.endswith(suffix)]


def write_trig_sorted(nquads: Path, trig: Path, most_lines: int = 250_000) -> None:
    """:func:`write_trig` for the build's own sorted, canonical N-Quads file, in linear time and
    bounded memory.

    Sorted N-Quads lines are in (subject, predicate, object) order within each graph, because no
    IRI term is a prefix of another and a term is always followed by a space; so splitting the
    lines by graph, keeping their order, and taking the graphs in order gives the order of
    :func:`write_trig` without parsing or sorting millions of terms in Python; pyoxigraph's
    serializer then writes them (tests compare the bytes with :func:`write_trig`'s). The lines
    are kept as bytes, but the provenance graph (at 100,000 facts 2.5 of the 3 million lines) and any graph with more than
    ``most_lines`` lines are not kept: their lines are read again from the file when their turn
    comes, picked out of each block by their ending. So TriG is written without holding the
    dataset in memory, and the provenance lines never go through a Python loop of their own.
    """
    provenance = f"<{PROVENANCE_GRAPH}>".encode()
    provenance_end = b" " + provenance + b" ."
    graphs: dict[bytes, list[list[bytes]]] = {}
    streamed: set[bytes] = set()
    for data in _blocks(nquads):
        if len(data.translate(None, _CONTROL_BYTES)) < len(data):
            write_trig(nquads, trig)  # the serializer's order may differ: let it write
            return
        lines = data.split(b"\n")
        lines.pop()  # after the last newline
        rest = [line for line in lines if not line.endswith(provenance_end)]
        if len(rest) < len(lines):
            streamed.add(provenance)
        for line in rest:
            g = graph_of_bytes(line)  # b"": the default graph, the knowledge layer
            if g in streamed:
                continue
            bucket = graphs.get(g)
            if bucket is None:
                graphs[g] = [[line]]
            elif len(bucket[0]) < most_lines:
                bucket[0].append(line)
            else:
                streamed.add(g)
                graphs[g] = []  # read again from the file: the lines held so far are let go
    for g in streamed:
        graphs[g] = _lines_of_graph(nquads, g)  # type: ignore[assignment]
    _trig_by_serializer(graphs, trig)


def _subject_run(batch: list[bytes], start: int) -> int:
    """Where the run of lines with the last line's subject starts in batch, at ``start`` or after
    (the lines before ``start`` are in other graphs)."""
    last = batch[-1]
    subject = last[: last.index(b" ") + 1]
    at = len(batch) - 1
    while at > start and batch[at - 1].startswith(subject):
        at -= 1
    return at


def _trig_by_serializer(
    graphs: dict[bytes, Iterable[list[bytes]]], trig: Path, batch_size: int = 100_000
) -> None:
    """Write N-Quads lines as TriG with pyoxigraph's serializer, a batch of lines at a time.

    ``graphs`` maps each graph's N-Quads term to its lines (bytes, in order) given as a list per
    block; the graphs are written in sorted order. A batch of at least ``batch_size`` lines is cut
    inside a graph only between two subjects, where the serializer writes `` .\\n`` and a tab
    either way, so only the closing ``}`` of the first part and the opening line of the second
    are dropped.
    """
    import pyoxigraph as ox

    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    with open(trig, "wb") as out:
        out.write(header.encode("utf-8"))
        batch: list[bytes] = []
        resumed = False  # the batch starts inside a graph opened by the previous batch

        def flush(lines: list[bytes], continues: bool) -> None:
            nonlocal resumed
            body = ox.serialize(
                ox.parse(input=b"\n".join(lines) + b"\n", format=ox.RdfFormat.N_QUADS),
                format=ox.RdfFormat.TRIG,
                prefixes=PREFIXES,
            )
            # each batch repeats the prefixes, in an order that varies: drop them
            at = 0
            while body.startswith(b"@prefix", at):
                at = body.index(b"\n", at) + 1
            if resumed:
                at = body.index(b"\n", at) + 1  # the graph's opening line, written before
            end = len(body) - 2 if continues else len(body)  # its closing "}\n", written later
            out.write(body[at:end])
            resumed = continues

        # the default graph (b"") last, where the serializer puts it after sorting ("DEFAULT")
        for g in sorted(graphs, key=lambda g: (not g, g)):
            start = len(batch)  # where this graph's lines begin in the batch
            for lines in graphs[g]:
                batch.extend(lines)
                if len(batch) >= batch_size and (cut := _subject_run(batch, start)) > start:
                    # the last subject goes to the next batch; the default graph has no braces
                    flush(batch[:cut], continues=bool(g))
                    del batch[:cut]
                    start = 0
            if len(batch) >= batch_size:
                flush(batch, continues=False)
                batch.clear()
        if batch:
            flush(batch, continues=False)


def write_trig(nquads: Path, trig: Path) -> None:
    """Write a TriG file with the project's prefixes, graphs and subjects in sorted order.

    Args:
        nquads: the N-Quads file.
        trig: the TriG file to write.

    This parses and sorts every quad; the build uses :func:`write_trig_sorted`, which gives the
    same bytes for its own sorted file in linear time.
    """
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS))
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    body = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES).decode("utf-8")
    # the serializer's prefix order is not stable across processes: write our own header
    lines = body.splitlines(keepends=True)
    while lines and lines[0].startswith("@prefix"):
        lines.pop(0)
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    trig.write_text(header + "".join(lines), encoding="utf-8")
