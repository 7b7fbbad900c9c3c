"""The main job: load the seeds, make the quads, validate them, and write outputs atomically.

``check`` validates and writes nothing. ``build`` holds the build folder's lock, works in a
temporary folder under ``build/`` and publishes finished, validated outputs as one build with one
symlink swap (:mod:`kg.build.publish`), so a failed, interrupted or killed build leaves the previous
outputs as they were, and a second build on the same folder is refused while one runs.

At scale (see benchmarks/README.md): fact files come from the cache of :mod:`kg.build.cache` when
unchanged; SHACL screens focus nodes before pyshacl sees any (:mod:`kg.build.validate`); the TriG is
written in linear time from the sorted N-Quads lines; and the Python half of a build runs in a
child process, which hands its memory back when done. A store from scratch is loaded while the
child still makes quads, in small chunks (:mod:`kg.build.spool`), so the loader holds little memory
beside it. Then two more children write the TriG and run SHACL, both reading ``kg.nq`` rather
than holding the dataset (see docs/performance.md).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.build.cache import (
    Cache,
    CachedCorpus,
    all_metadata,
    assemble,
    load_cached,
    make_baseline,
    neighbourhood,
    persist,
    quad_count,
    read_entries,
    shared_part,
)
from kg.build.copies import copy_warnings
from kg.build.layer import layer_quads
from kg.build.origins import entry_origins
from kg.build.publish import OUTPUTS, build_lock, commit, prepare_folder, previous_store
from kg.build.quads import BuiltDataset, iter_lines, sorted_unique
from kg.build.spool import Spool, SpoolLoader
from kg.build.validate import (
    SortedNQuads,
    WholeGraphNeeded,
    focused_shacl_problems,
    shacl_problems,
    violation_problems,
)
from kg.errors import KgError, SeedError, ValidationFailed, output_error
from kg.rdf.vocabulary import vocabulary
from kg.seeds.corpus import Corpus
from kg.seeds.mentions import gold_mention_problems
from kg.store import CACHE_DIR, MANIFEST_FILE, NQ_FILE, bulk_load, memory_store, patch_store

Progress = Callable[[str], None]


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
    warnings: list[str] = field(
        default_factory=list
    )  # kg.build.copies: possible copies without a common origin


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


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector: a large build allocates millions of objects that
    live to the end, and each full collection would walk all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


BATCH_LINES = 20_000
"""Lines written at a time (about 3 MB): the N-Quads are written at the build's peak of memory."""


def _write_nquads(batches: Iterable[list[str]], path: Path) -> str:
    """Write batches of lines (never the whole document as one string); return its sha256.

    A thread hashes and writes each batch while the next is joined: both release the GIL.
    """
    from concurrent.futures import ThreadPoolExecutor

    digest = hashlib.sha256()

    def hash_and_write(data: bytes) -> None:
        digest.update(data)
        out.write(data)

    with open(path, "wb") as out, ThreadPoolExecutor(max_workers=1) as writer:
        written = None
        for batch in batches:
            data = ("\n".join(batch) + "\n").encode("utf-8")
            if written is not None:
                written.result()  # one batch in flight: order kept, memory bounded
            written = writer.submit(hash_and_write, data)
        if written is not None:
            written.result()
    return digest.hexdigest()


def _batches(lines: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(lines), BATCH_LINES):
        yield lines[start : start + BATCH_LINES]


def _read_lines(path: Path) -> Iterator[str]:
    """The lines of an N-Quads file, without their newlines."""
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            yield line[:-1]


def _layer_of(graphs: Path) -> list[str]:
    """The knowledge layer's lines (sorted, :mod:`kg.build.layer`) of the named graphs' N-Quads."""
    return sorted_unique(layer_quads(_read_lines(graphs)))


def _merged(graphs: Path, layer: list[str]) -> Iterator[list[str]]:
    """The sorted lines of the named graphs' file and of the layer, merged, in batches of about
    :data:`BATCH_LINES` (the layer's lines are all in the default graph: none equals a line of the
    file)."""
    taken = 0
    with open(graphs, encoding="utf-8", newline="\n") as f:
        while True:
            batch = [line[:-1] for line in f.readlines(BATCH_LINES * 200)]
            if not batch:
                break
            upto = bisect_right(layer, batch[-1], taken)
            yield from _interleave(batch, layer, taken, upto)
            taken = upto
    yield from _batches(layer[taken:])


def _interleave(lines: list[str], layer: list[str], lo: int, hi: int) -> Iterator[list[str]]:
    """lines and layer[lo:hi] (each sorted, none of the second after the last of the first) in
    order, in batches of about :data:`BATCH_LINES`: two sorted runs are merged by ``list.sort`` in
    linear time; where the layer holds many lines between two of the file's (its claims sort
    together), lines are halved until they fit."""
    if hi - lo + len(lines) <= BATCH_LINES:
        merged = lines + layer[lo:hi]
        merged.sort()
        yield merged
    elif len(lines) == 1:
        yield from _batches(layer[lo:hi])
        yield lines
    else:
        mid = len(lines) // 2
        cut = bisect_right(layer, lines[mid - 1], lo, hi)
        yield from _interleave(lines[:mid], layer, lo, cut)
        yield from _interleave(lines[mid:], layer, cut, hi)


def _report(corpus: Corpus, dataset: BuiltDataset, timer: _Timer, quads: int | None = None) -> Report:
    return Report(
        articles=len(corpus.sources),
        entities=len(corpus.entities),
        facts=len(corpus.facts),
        quads=len(dataset.quads) if quads is None else quads,
        notices=list(corpus.notices),
        seconds=timer.seconds,
    )


def check(
    seeds: Path | str = "seeds", progress: Progress = _quiet, build_dir: Path | str | None = None
) -> Report:
    """Validate the seeds (YAML, terms, quotes), then SHACL and the violation queries.

    Args:
        seeds: the seeds folder.
        progress: called with the name of each stage as it starts.
        build_dir: when it holds a cache left by ``kg build`` (``build/cache``), only the fact
            files changed since are read again, and when nothing but fact files changed, only
            the neighbourhood of the change is validated (see :mod:`kg.build.cache`). The cache
            keeps what was read; no output changes.

    Returns:
        A Report.

    Raises:
        SeedError: bad input (exit code 2).
        ValidationFailed: the data does not conform (exit code 1).
    """
    if build_dir is not None and (Path(build_dir) / CACHE_DIR).is_dir():
        return _check_cached(Path(seeds), Path(build_dir), progress)
    # one path for every check: without a cache, the cached path reads everything afresh (an
    # empty folder has no entries and no baseline) and writes nothing
    with tempfile.TemporaryDirectory(prefix="kg-check-") as empty:
        return _check_cached(Path(seeds), Path(empty), progress)


def _cached_report(cached: CachedCorpus, timer: _Timer, quads: int) -> Report:
    return Report(
        articles=len(cached.sources),
        entities=len(cached.entities),
        facts=cached.fact_count,
        quads=quads,
        notices=cached.notices,
        seconds=timer.seconds,
    )


def _validate_neighbourhood(cached: CachedCorpus, cache: Cache, timer: _Timer, entries=None):
    """Problems of the neighbourhood of what changed since the baseline; None: validate all."""
    baseline = cache.baseline()
    if baseline is None or baseline.version != cached.version:
        return None
    around = neighbourhood(cached, baseline, cache)
    if around is None:
        return None
    wanted = set(around.files)
    if entries is None:
        entries = read_entries(cached, cache, wanted)
    else:
        entries = [e for e in entries if e.path in wanted]
    part = timer.stage(
        "generate RDF of the neighbourhood", assemble, cached, entries, None, False, cache, around.facts
    )
    try:
        problems = timer.stage(
            "SHACL shapes", focused_shacl_problems, part, None, None, around.focus, around.fact_types
        )
    except WholeGraphNeeded:
        return None
    store = timer.stage("load neighbourhood store", memory_store, "".join(iter_lines(part.quads)))
    problems += timer.stage("violation queries", violation_problems, store, part)
    return problems


def _check_cached(seeds: Path, build_dir: Path, progress: Progress) -> Report:
    timer = _Timer(progress)
    cache = Cache(build_dir)
    with _no_gc():
        cached = timer.stage("load and validate annotations", load_cached, seeds, build_dir, None, False)
        # the gold mentions are evaluation data: the build never reads them, but a check reports them
        seed_problems = cached.problems + gold_mention_problems(
            seeds, cached.sources, cached.entities, vocabulary().classes
        )
        if seed_problems:
            raise SeedError(seed_problems)
        problems = _validate_neighbourhood(cached, cache, timer)
        if problems is None:  # no usable baseline: everything, from the cached quads
            dataset = timer.stage(
                "generate RDF", assemble, cached, read_entries(cached, cache), None, False, cache
            )
            problems = timer.stage("SHACL shapes", shacl_problems, dataset)
            store = timer.stage("load store", memory_store, "".join(iter_lines(dataset.quads)))
            problems += timer.stage("violation queries", violation_problems, store, dataset)
    if problems:
        raise ValidationFailed(problems)
    report = _cached_report(cached, timer, quad_count(cached, cache))
    report.warnings = copy_warnings(shared_part(cached, cache).copies, entry_origins(cached.entries))
    return report


def manifest(corpus: Corpus, dataset: BuiltDataset, digest: str, quads: int) -> dict:
    """What the build contains: counts, the N-Quads digest, input hashes and the fact index."""
    return {
        "nquads_sha256": digest,
        "articles": {a: s.sha256 for a, s in sorted(corpus.sources.items())},
        "entities": sorted(corpus.entities),
        "facts": dict(sorted(dataset.fact_index.items())),
        "quads": quads,
    }


def manifest_text(document: dict) -> str:
    """The manifest as JSON, keys sorted, one line per member of each top-level object (a fact,
    an article).

    json's C encoder writes each line: an indented ``json.dumps`` runs the pure-Python encoder,
    three times slower on the 100,000 facts of a large build. A change to one fact changes one
    line.

    Example:
        >>> print(manifest_text({"quads": 2, "facts": {"f1": {"line": 3, "article": "a"}}}), end="")
        {
         "facts": {
          "f1": {"article": "a", "line": 3}
         },
         "quads": 2
        }
    """
    lines = ["{"]
    for i, key in enumerate(sorted(document)):
        value, comma = document[key], "," if i < len(document) - 1 else ""
        if isinstance(value, dict) and value:
            members = [
                f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(value.items())
            ]
            lines += [f" {json.dumps(key)}: {{", ",\n".join(members), f" }}{comma}"]
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _prepare(seeds: Path, build_dir: Path, tmp: Path, spool: Path | None, progress: Progress) -> dict:
    """The Python half of a build: load and validate, make the quads, write N-Quads and the manifest.

    Runs in a child process (see :class:`_Child`), so that all the memory it takes is handed
    back when it is done; fact files are read there by two processes
    when there are many (see :func:`kg.build.cache.load_cached`). Writes ``kg.nq``, the manifest
    document and the cache entries to stage into tmp; returns what the parent needs. With a
    spool folder, every quad also goes there as soon as it is made, for the parent's loader
    (see :mod:`kg.build.spool`).
    """
    # the child makes millions of objects that live until it exits: no collection is worth it
    with _no_gc():
        return _prepare_steps(seeds, build_dir, tmp, spool, progress)


def _write_manifest(corpus: Corpus, dataset: BuiltDataset, digest: str, quads: int, tmp: Path) -> None:
    """manifest.json."""
    (tmp / MANIFEST_FILE).write_text(
        manifest_text(manifest(corpus, dataset, digest, quads)), encoding="utf-8"
    )


def _write_locations(dataset: BuiltDataset, tmp: Path) -> None:
    """The location index as locations.pickle, for the SHACL child and the violation queries in
    the parent to point at lines (when the whole graph is validated)."""
    flat = [
        (s, p, loc.path, loc.line, loc.fact, loc.value)
        for (s, p), located in dataset.locations.items()
        for loc in located
    ]  # tuples pickle many times faster than objects
    with open(tmp / "locations.pickle", "wb") as f:
        pickle.dump(flat, f, protocol=pickle.HIGHEST_PROTOCOL)


def _stage_cache(cached, cache: Cache, staged: Cache) -> None:
    """Write what the next build reuses into staged (published with the outputs, if the build
    succeeds)."""
    shared_part(cached, cache)  # the quads every neighbourhood holds, made once for the cache
    persist(cached, staged)
    staged.write("state", "metas", all_metadata(cached))
    staged.write("state", "baseline", make_baseline(cached))
    staged.write("state", "hashes", cached.hashes.record())
    cached.pending = []


def _finish_spool(cached, cache: Cache, spool: Spool) -> None:
    """Spool what load_cached did not make afresh (entries read from the cache, and the
    ontology, registry and sources); the knowledge layer follows once it is made."""
    made = {id(e) for e in cached.changed}
    for e in cached.entries:
        if id(e) not in made:
            spool.add(e.quads)
    spool.add(shared_part(cached, cache).quads)


def _prepare_steps(
    seeds: Path, build_dir: Path, tmp: Path, spool_dir: Path | None, progress: Progress
) -> dict:
    """The steps of :func:`_prepare`."""
    timer = _Timer(progress)
    cache = Cache(build_dir)
    staged = Cache(tmp)  # the fact files' entries are written here as they are made
    spool = Spool(spool_dir) if spool_dir is not None else None
    cached = timer.stage(
        "load and validate annotations", load_cached, seeds, build_dir, stage=staged, spool=spool
    )
    if cached.problems:
        raise SeedError(cached.problems)
    if spool is not None:
        timer.stage("spool the rest", _finish_spool, cached, cache, spool)
    timer.stage("write the cache", _stage_cache, cached, cache, staged)
    local = _validate_neighbourhood(cached, cache, timer, cached.entries)
    # each file's lines become the dataset's quads: keep one copy of them, not two
    dataset = timer.stage("generate RDF", assemble, cached, cached.entries, None, True)
    if local is None:
        timer.stage("write locations", _write_locations, dataset, tmp)
    dataset.locations = {}  # the second largest thing the child holds, and not needed any more
    # The named graphs go to a file first and leave memory; the layer is read from that file and
    # merged into kg.nq in order. Holding both at once took the build over 2 GB at 100,000 facts.
    graphs, nq = tmp / "graphs.nq", tmp / NQ_FILE
    timer.stage("write the graphs", _write_nquads, _batches(dataset.quads), graphs)
    count = len(dataset.quads)
    dataset.quads = []  # the largest part of the child's memory: not needed any more
    layer = timer.stage("knowledge layer", _layer_of, graphs)
    if spool is not None:  # the layer's lines are the last the loader gets
        spool.add(layer)
        spool.finish()
    digest = timer.stage("write N-Quads", _write_nquads, _merged(graphs, layer), nq)
    graphs.unlink()
    count += len(layer)
    del layer
    corpus = Corpus(cached.root, cached.sources, cached.entities, [], cached.notices)
    # SHACL (when the whole graph needs it) runs next to the store's loader, on kg.nq
    timer.stage("write manifest", _write_manifest, corpus, dataset, digest, count, tmp)
    return {
        "digest": digest,
        "quads": count,
        "articles": len(cached.sources),
        "entities": len(cached.entities),
        "facts": cached.fact_count,
        "notices": cached.notices,
        "warnings": copy_warnings(shared_part(cached, cache).copies, entry_origins(cached.entries)),
        "seconds": timer.seconds,
        "local": local,
    }


class _Located:
    """The location index of a build, read from disk only if a violation needs it."""

    def __init__(self, path: Path):
        self.path = path
        self._dataset: BuiltDataset | None = None

    def locate(self, subject: str, predicate: str | None = None):
        if self._dataset is None:
            from kg.build.quads import Location

            index: dict[tuple[str, str], list[Location]] = {}
            with open(self.path, "rb") as f:
                for s, p, path, line, fact, value in pickle.load(f):
                    index.setdefault((s, p), []).append(Location(path, line, fact, value))
            self._dataset = BuiltDataset([], index)
        return self._dataset.locate(subject, predicate)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when the thread that forked it ends (Linux): a build
    killed with SIGKILL does not leave its children working on in a folder the next build
    removes. Elsewhere, nothing."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)


class _Child:
    """fn(*args, progress) running in a forked child; :meth:`wait` returns its result.

    Progress messages, results and errors come back through a pipe, so a caller sees the same
    as if fn ran here; an interrupt in the child is re-raised as KeyboardInterrupt. Where fork
    is not available, fn runs in this process, at once. A child given ``nice`` yields the CPU
    to this process and its other children when they compete for it. The child dies with this
    process (:func:`_die_with`).
    """

    def __init__(self, fn, *args, progress: Progress = _quiet, nice: int = 0):
        import multiprocessing

        self.progress = progress
        self.process = None
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - no fork on this platform
            self.result = fn(*args, progress)
            return
        self.receive, send = context.Pipe(duplex=False)
        parent = os.getpid()

        def child() -> None:
            _die_with(parent)
            self.receive.close()
            try:
                if nice:
                    os.nice(nice)
                result = fn(*args, lambda stage: send.send(("progress", stage)))
                send.send(("result", result))
            except (SeedError, ValidationFailed) as exc:
                send.send(("problems", type(exc).__name__, exc.problems))
            except KgError as exc:
                send.send(("error", exc))
            except KeyboardInterrupt:
                send.send(("interrupt",))
            except OSError as exc:  # a full disk is the machine's state, not a bug
                import traceback

                full = output_error(exc)
                send.send(
                    ("error", full)
                    if full
                    else ("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc())
                )
            except BaseException as exc:  # a bug: report it in the parent, as if raised there
                import traceback

                send.send(("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
            finally:
                send.close()

        self.process = context.Process(target=child, daemon=True)
        self.process.start()
        send.close()

    def wait(self):
        """The child's result (its errors raised here); the child is gone afterwards."""
        if self.process is None:
            return self.result
        try:
            while True:
                try:
                    message = self.receive.recv()
                except EOFError:
                    raise RuntimeError(
                        f"the build worker stopped (exit code {self.process.exitcode})"
                    ) from None
                kind = message[0]
                if kind == "progress":
                    self.progress(message[1])
                    continue
                if kind == "result":
                    return message[1]
                if kind == "problems":
                    raise {"SeedError": SeedError, "ValidationFailed": ValidationFailed}[message[1]](
                        message[2]
                    )
                if kind == "error":
                    raise message[1]
                if kind == "interrupt":
                    raise KeyboardInterrupt
                raise RuntimeError(f"{message[1]}\n{message[2]}")
        finally:
            self.stop(timeout=5)

    def stop(self, timeout: float = 0) -> None:
        """End the child (killed if it is still working after timeout seconds)."""
        if self.process is None:
            return
        self.receive.close()
        self.process.join(timeout=timeout)
        if self.process.is_alive():  # interrupted, or the build failed while it worked
            self.process.kill()
            self.process.join()
        self.process = None
        self.result = None


def _shacl_job(nq: Path, locations: Path, progress: Progress) -> tuple[list, float]:
    """SHACL on kg.nq, read from the file (in its own process); the problems, and its seconds."""
    start = time.perf_counter()
    problems = shacl_problems(_Located(locations), SortedNQuads(nq))
    return problems, round(time.perf_counter() - start, 4)


def build(
    seeds: Path | str = "seeds", build_dir: Path | str = "build", progress: Progress = _quiet
) -> Report:
    """Check the seeds and write ``kg.nq``, ``manifest.json`` and the store.

    Fact files read before come from the cache in ``build_dir/cache``; when nothing but fact
    files changed since the last build, only the neighbourhood of the change is validated (see
    :mod:`kg.build.cache`). The outputs are the same as those of a build from scratch.

    Args:
        seeds: the seeds folder.
        build_dir: where outputs go (created if missing).
        progress: called with the name of each stage as it starts.

    Returns:
        A Report whose ``outputs`` names the files written.

    Raises:
        SeedError: bad input; nothing in build_dir changes.
        ValidationFailed: the data does not conform; nothing in build_dir changes.
        StoreError: another build is running on build_dir; nothing changes.
    """
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    with build_lock(build_dir):  # held to the end: no other build cleans or publishes here
        prepare_folder(build_dir)
        return _build_locked(Path(seeds), build_dir, progress)


def _build_locked(seeds: Path, build_dir: Path, progress: Progress) -> Report:
    """:func:`build`, with the lock held and the folder cleaned."""
    timer = _Timer(progress)
    tmp = build_dir / f".tmp-{os.getpid()}"
    tmp.mkdir()
    store = loader = None
    side: dict[str, _Child] = {}  # SHACL and TriG, each in a process of its own
    try:
        previous = previous_store(build_dir)
        spool = None
        if previous is None:  # a store from scratch: loaded while the child still makes its quads
            spool = tmp / "spool"
            spool.mkdir()
        child = _Child(_prepare, seeds, build_dir, tmp, spool, progress=progress)
        try:
            if spool is not None:  # started after the fork: the child inherits no running thread
                loader = SpoolLoader(spool, tmp / "store")
            prepared = child.wait()
        finally:
            child.stop()  # when the loader could not start (after wait, there is nothing to stop)
        timer.seconds.update(prepared["seconds"])
        digest = prepared["digest"]
        nq = tmp / NQ_FILE
        # SHACL (unless only a neighbourhood needed it, done in the child) and TriG read kg.nq,
        # each in a niced process of its own, while the store is finished: the store comes first
        # (the violation queries wait for it). At 100,000 facts the spool's loader has done a
        # fifth of its work by now (about 15 s left, against 19 s for a whole load), and
        # running the two jobs at once rather than one after the other is what makes the
        # spool pay (medians of three builds, taking turns with the code before: 40.2 s against
        # 42.5 s; benchmarks/README, "Loading the store while the quads are made"). They are
        # forked while the loader's thread runs: they never touch the store (they read kg.nq),
        # and leave by os._exit, so no lock or destructor of the parent's is used in them.
        if prepared["local"]:  # the neighbourhood of a change has problems: nothing more to do
            raise ValidationFailed(prepared["local"])
        shacl = prepared["local"] is None
        if shacl:
            progress("SHACL shapes (alongside the store)")
            side["shacl"] = _Child(_shacl_job, nq, tmp / "locations.pickle", nice=10)
        if loader is not None:
            store = timer.stage("load store", loader.result)
            loader = None
        elif previous is not None:  # the store of the last build, patched with what changed
            store = timer.stage("update store", patch_store, *previous, nq, tmp / "store")
        if store is None:
            shutil.rmtree(tmp / "store", ignore_errors=True)
            store = timer.stage("load store", bulk_load, nq, tmp / "store")
        if shacl:
            located = _Located(tmp / "locations.pickle")
            violations = timer.stage("violation queries", violation_problems, store, located)
            problems, timer.seconds["SHACL shapes"] = timer.stage("wait for SHACL", side["shacl"].wait)
            problems += violations
            if problems:
                raise ValidationFailed(problems)
        # RocksDB compacts in the background as it can; compacting it all now, while TriG is being
        # written, leaves every build's store in the same shape for queries (0.6 to 3.1 s at
        # 100,000 facts, mostly hidden in the wait for TriG; 26 to 37 files before, 29 after)
        timer.stage("compact the store", store.optimize)
        del store
        store = None
        gc.collect()  # closes the store before its folder is moved
        progress("commit outputs")
        commit(build_dir, tmp, digest)  # one folder for the four outputs, one symlink swap
    finally:
        if loader is not None:
            loader.stop()  # a failed build: the loader's thread ends after its chunk
        del store  # closes the store, if a failure left it open, before its folder goes
        for job in side.values():
            job.stop()  # a failed or interrupted build does not wait for them
        shutil.rmtree(tmp, ignore_errors=True)
    report = Report(
        articles=prepared["articles"],
        entities=prepared["entities"],
        facts=prepared["facts"],
        quads=prepared["quads"],
        notices=prepared["notices"],
        seconds=timer.seconds,
        warnings=prepared["warnings"],
    )
    report.outputs = {name: str(build_dir / name) for name in OUTPUTS}
    return report
