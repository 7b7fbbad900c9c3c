"""The main job: load the seeds, make the quads, validate them, and write outputs atomically.

``check`` validates and writes nothing. ``build`` works in a temporary folder under ``build/``
and only moves finished, validated outputs into place, so a failed or interrupted build leaves
the previous outputs as they were.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.build import BuiltDataset, corpus_quads, iter_lines
from kg.errors import ValidationFailed
from kg.namespaces import PREFIXES
from kg.seeds import Corpus, load_corpus
from kg.store import bulk_load, memory_store, swap_store
from kg.validate import shacl_problems, violation_problems

Progress = Callable[[str], None]

OUTPUT_FILES = ("kg.nq", "kg.trig", "manifest.json")


def _quiet(_: str) -> None:
    pass


@dataclass
class Report:
    """What a check or build did."""

    articles: int
    entities: int
    facts: int
    quads: int
    notices: list[str]
    seconds: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)


class _Timer:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def stage(self, name: str, fn, *args, **kwargs):
        self.progress(name)
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        self.seconds[name] = round(time.perf_counter() - start, 4)
        return result


def _report(corpus: Corpus, dataset: BuiltDataset, timer: _Timer) -> Report:
    return Report(
        articles=len(corpus.sources),
        entities=len(corpus.entities),
        facts=len(corpus.facts),
        quads=len(dataset.quads),
        notices=list(corpus.notices),
        seconds=timer.seconds,
    )


def check(seeds: Path | str = "seeds", progress: Progress = _quiet) -> Report:
    """Validate the seeds (YAML, terms, quotes), then SHACL and the violation queries.

    Args:
        seeds: the seeds folder.
        progress: called with the name of each stage as it starts.

    Returns:
        A Report.

    Raises:
        SeedError: bad input (exit code 2).
        ValidationFailed: the data does not conform (exit code 1).
    """
    timer = _Timer(progress)
    corpus = timer.stage("load and validate annotations", load_corpus, seeds)
    dataset = timer.stage("generate RDF", corpus_quads, corpus)
    problems = timer.stage("SHACL shapes", shacl_problems, dataset)
    store = timer.stage("load store", memory_store, "".join(iter_lines(dataset.quads)))
    problems += timer.stage("violation queries", violation_problems, store, dataset)
    if problems:
        raise ValidationFailed(problems)
    return _report(corpus, dataset, timer)


def write_trig(nquads: Path, trig: Path) -> None:
    """Write a TriG file with the project's prefixes, graphs and subjects in sorted order."""
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


def manifest(corpus: Corpus, dataset: BuiltDataset, digest: str) -> dict:
    """What the build contains: counts, the N-Quads digest, input hashes and the fact index."""
    return {
        "nquads_sha256": digest,
        "articles": {a: s.sha256 for a, s in sorted(corpus.sources.items())},
        "entities": sorted(corpus.entities),
        "facts": dict(sorted(dataset.fact_index.items())),
        "quads": len(dataset.quads),
    }


def _clean_stale(build_dir: Path) -> None:
    for stale in build_dir.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


def build(
    seeds: Path | str = "seeds", build_dir: Path | str = "build", progress: Progress = _quiet
) -> Report:
    """Check the seeds and write ``kg.nq``, ``kg.trig``, ``manifest.json`` and the store.

    Args:
        seeds: the seeds folder.
        build_dir: where outputs go (created if missing).
        progress: called with the name of each stage as it starts.

    Returns:
        A Report whose ``outputs`` names the files written.

    Raises:
        SeedError: bad input; nothing in build_dir changes.
        ValidationFailed: the data does not conform; nothing in build_dir changes.
    """
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    _clean_stale(build_dir)
    timer = _Timer(progress)
    corpus = timer.stage("load and validate annotations", load_corpus, seeds)
    dataset = timer.stage("generate RDF", corpus_quads, corpus)
    tmp = build_dir / f".tmp-{os.getpid()}"
    tmp.mkdir()
    store = None
    try:
        nq = tmp / "kg.nq"

        def write_nquads() -> str:
            data = "".join(iter_lines(dataset.quads)).encode("utf-8")
            nq.write_bytes(data)
            return hashlib.sha256(data).hexdigest()

        digest = timer.stage("write N-Quads", write_nquads)
        store = timer.stage("load store", bulk_load, nq, tmp / "store")
        problems = timer.stage("SHACL shapes", shacl_problems, dataset)
        problems += timer.stage("violation queries", violation_problems, store, dataset)
        if problems:
            raise ValidationFailed(problems)
        timer.stage("write TriG", write_trig, nq, tmp / "kg.trig")
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(corpus, dataset, digest), indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        del store
        store = None
        gc.collect()  # closes the store before its folder is moved
        progress("commit outputs")
        # kg diff compares with the build being replaced: keep its manifest.json and kg.nq in
        # build/previous/ (hard links, so this costs nothing even for a large graph)
        from kg.diff import keep_previous

        keep_previous(build_dir)
        final_store = build_dir / f"store-{digest[:16]}"
        current = (build_dir / "store").resolve() if (build_dir / "store").is_symlink() else None
        if final_store.exists() and final_store != current:
            shutil.rmtree(final_store)
        if not final_store.exists():
            os.rename(tmp / "store", final_store)
        swap_store(build_dir, final_store)
        for name in OUTPUT_FILES:
            os.replace(tmp / name, build_dir / name)
    finally:
        store = None
        shutil.rmtree(tmp, ignore_errors=True)
    report = _report(corpus, dataset, timer)
    report.outputs = {name: str(build_dir / name) for name in (*OUTPUT_FILES, "store")}
    return report
