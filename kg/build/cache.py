"""Incremental builds: per fact file, its validated facts and quads, cached under ``build/cache``.

Every entry is keyed by content hashes: the fact file's bytes, the registry files, the source
record of its article, the ontology and the code of the loader and builder. When one fact file
changes, only that file is read and validated again; everything else comes from the cache.

The last successful ``kg build`` also leaves a *baseline* (``build/cache/baseline.pickle``): which
entry each file had, and which files state facts about or point at each entity. When only fact
files changed since, ``kg check`` and ``kg build`` validate the *neighbourhood* of the change
instead of the whole graph (see :func:`neighbourhood`): the changed facts, every fact about the
same subjects or about the things they name, every fact that points at those subjects, the whole
registry and the article records. The baseline had no problems, so problems can only appear
there; SHACL and the ``*-violation.rq`` queries are then run on that neighbourhood only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from time import time_ns

from kg.build.origins import fact_origins
from kg.build.quads import Location, fact_quads, fact_record, sorted_unique
from kg.build.spool import Spool
from kg.errors import Problem, SeedError
from kg.rdf.terms import RDF_TYPE
from kg.rdf.vocabulary import vocabulary
from kg.resources import ONTOLOGY_FILE, QUERIES_DIR, SHAPES_FILE
from kg.seeds.anchor import NormalisedText
from kg.seeds.corpus import (
    Entity,
    SeedPaths,
    Source,
    check_duplicate_ids,
    display_path,
    load_fact_file,
    load_registry,
    load_sources,
)
from kg.store import CACHE_DIR

FORMAT = 1
"""Bump when the layout of cache entries changes."""

_CODE_MODULES = (
    "kg.seeds.corpus", "kg.seeds.anchor", "kg.seeds.yamlpos", "kg.seeds.dates", "kg.build.quads", "kg.build.layer",
    "kg.build.cache", "kg.build.validate", "kg.rdf.vocabulary", "kg.rdf.terms", "kg.rdf.namespaces",
    "kg.errors", "kg.build.copies", "kg.build.origins",
)  # fmt: skip
"""The modules whose code decides a fact file's quads: a change to any of them empties the cache."""
_PROVENANCE_END = "<https://w3id.org/trade-dispute/graph/provenance> ."
_ID_START = "<https://w3id.org/trade-dispute/id/"
_FACT_START = "<https://w3id.org/trade-dispute/fact/"


RACY_NS = 2_000_000_000
"""A file changed less than this before the recording build started (or after) is read again."""
_SIGNATURE = 1
"""Bump when the layout of a file signature changes."""


class FileHashes:
    """The sha256 of seed files, reused while a file's metadata says it has not changed.

    Reading every seed file to hash it is most of an incremental check when the files are not
    in the page cache (10,000 files: seconds on a slow disk). Like git's index, a build records
    each file's size, modification and change times, inode and device with its hash; a later load
    trusts the recorded hash while all of them match, and reads the file otherwise. The change
    time cannot be set back by tools that restore modification times (on POSIX filesystems; where
    it is a creation time, as on Windows, an edit that keeps the size and restores the
    modification time goes unseen until the next build from scratch). A file changed less than
    :data:`RACY_NS` before the record was taken, or after, is read again: it could have changed
    twice within one timestamp tick. Keys stay content hashes: this only saves reading files
    whose hash is already known. Only a successful build records; ``kg check`` only reads.
    """

    def __init__(self, recorded=None):
        self.taken_ns = time_ns()  # before any file is looked at: see sha256
        self._old: dict[str, tuple] = {}
        self._trusted_before = 0
        try:
            if recorded["format"] == _SIGNATURE:
                self._old = dict(recorded["files"])
                self._trusted_before = int(recorded["taken_ns"]) - RACY_NS
        except (KeyError, TypeError, ValueError):
            pass  # no record, or one this code cannot read: every file is read
        self.files: dict[str, tuple] = {}  # path -> (signature, sha256) seen this time
        self.read = 0  # files read and hashed this time

    @staticmethod
    def _signature(st: os.stat_result) -> tuple[int, int, int, int, int]:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

    def sha256(self, path: Path) -> str:
        """The hex sha256 of the file's bytes (of no bytes when it cannot be read)."""
        name = os.path.abspath(path)  # the record's key; the file is opened as given
        try:
            st = os.stat(path)
        except OSError:
            return _NO_BYTES
        old = self._old.get(name)
        if (
            isinstance(old, tuple)
            and len(old) == 2
            and old[0] == self._signature(st)
            and max(st.st_mtime_ns, st.st_ctime_ns) < self._trusted_before
        ):
            self.files[name] = old
            return old[1]
        self.read += 1
        try:  # the signature recorded is that of the file read, whatever happens to the path
            with open(path, "rb") as f:
                signature = self._signature(os.fstat(f.fileno()))
                sha = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            return _NO_BYTES  # not recorded: the next load tries again
        self.files[name] = (signature, sha)
        return sha

    def record(self) -> dict:
        """What the next load starts from (stored by a successful build)."""
        return {"format": _SIGNATURE, "taken_ns": self.taken_ns, "files": self.files}


_NO_BYTES = hashlib.sha256(b"").hexdigest()


def digest(*parts: bytes | str) -> str:
    """sha256 of the parts, each length-prefixed so that no two sequences collide.

    Example:
        >>> digest("a", "bc") != digest("ab", "c")
        True
    """
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_version() -> str:
    """Digest of the code that turns seeds into facts and quads, and of the Python that runs it."""
    parts = [sys.version, str(FORMAT)]
    for name in _CODE_MODULES:
        parts.append(Path(importlib.util.find_spec(name).origin).read_bytes())
    return digest(*parts)


def rules_version(ontology: Path | None = None) -> str:
    """Digest of the ontology, the shapes and the violation queries: what validation checks."""
    queries = sorted(QUERIES_DIR.glob("*-violation.rq"))
    parts = [(ontology or ONTOLOGY_FILE).read_bytes(), SHAPES_FILE.read_bytes()]
    for path in queries:
        parts += [path.name, path.read_bytes()]
    return digest(*parts)


def source_digest(source: Source | None) -> str:
    """What a fact file reads of its article: the record and the text."""
    return digest(repr(source))


@dataclass
class FileEntry:
    """One fact file, validated and turned into quads."""

    path: str  # as shown to users
    key: str
    article_id: str | None
    source_digest: str
    fact_ids: list[tuple[str, str, int]]  # (id, path, line) for the duplicate-id check
    problems: list[Problem]
    notices: list[str]
    quad_count: int
    subjects: list[str]  # entities the file's facts are about
    objects: list[str]  # entities its facts name as values
    types: list[tuple[str, str]]  # (entity, class) stated by its facts
    about: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )  # fact -> (subjects, values)
    quads: list[str] = field(default_factory=list)  # the file's quads, sorted
    located: list[tuple] = field(default_factory=list)  # (subject, predicate, path, line, fact, value)
    records: dict[str, dict] = field(default_factory=dict)
    origins: list[str] = field(default_factory=list)  # what its facts name as origins (kg.build.copies)


@dataclass
class Baseline:
    """The state of the last successful build, which incremental validation starts from."""

    version: str
    entries: dict[str, str]  # display path -> entry key
    subject_files: dict[str, list[tuple[str, str]]]  # entity IRI -> (file, fact) of facts about it
    object_files: dict[str, list[tuple[str, str]]]  # entity IRI -> (file, fact) naming it as a value
    fact_types: dict[str, dict[str, int]]  # entity IRI -> class IRI -> number of files stating it


@dataclass
class CachedCorpus:
    """The seeds loaded through the cache: what a Corpus holds, file by file."""

    root: Path
    sources: dict[str, Source]
    entities: dict[str, Entity]
    entries: list[FileEntry]
    problems: list[Problem]
    version: str  # code, rules, registry and sources together: what the baseline must match
    hashes: FileHashes = field(default_factory=FileHashes)  # of the seed files, for the next load
    changed: list[FileEntry] = field(default_factory=list)  # entries made (not read) this time
    pending: list[tuple[str, str, object]] = field(default_factory=list)  # (kind, name, value) to store
    shared: dict[str, Shared] = field(default_factory=dict)  # shared_part's results, by name

    @property
    def notices(self) -> list[str]:
        return [n for e in self.entries for n in e.notices]

    @property
    def fact_count(self) -> int:
        return len(self.fact_ids())

    def fact_ids(self) -> list[tuple[str, str, int]]:
        return [f for e in self.entries for f in e.fact_ids]


class _IdOnly:
    """What check_duplicate_ids reads of a Fact."""

    __slots__ = ("id", "path", "line")

    def __init__(self, fid: str, path: str, line: int):
        self.id, self.path, self.line = fid, path, line


class Cache:
    """Entries on disk under ``build_dir/cache``.

    Only a build's own stage (``Cache(tmp)``, a folder no one else reads) is ever written; its
    files are moved into ``build/cache`` one rename each when the build succeeds, which is what
    makes publishing atomic. So entries go straight to their files: a temporary file and a
    rename per entry cost two directory updates, which two processes writing thousands of
    entries at once wait on each other for.
    """

    def __init__(self, build_dir: Path | str):
        self.root = Path(build_dir) / CACHE_DIR
        self._folders: set[Path] = set()  # made already

    def _path(self, kind: str, name: str) -> Path:
        return self.root / kind / (self.name(name) + ".pickle")

    @staticmethod
    def name(name: str) -> str:
        """The file name (without suffix) of an entry."""
        return hashlib.sha1(name.encode("utf-8")).hexdigest()

    def prune(self, kind: str, keep: set[str]) -> None:
        """Delete the entries of kind whose names are not in keep."""
        wanted = {self.name(n) + ".pickle" for n in keep}
        folder = self.root / kind
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name not in wanted:
                    path.unlink(missing_ok=True)

    def read(self, kind: str, name: str):
        """The entry stored under (kind, name), or None."""
        try:
            with open(self._path(kind, name), "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def write(self, kind: str, name: str, value) -> None:
        """Store value under (kind, name), in a build's stage (see the class)."""
        path = self._path(kind, name)
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        with open(path, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)

    def baseline(self) -> Baseline | None:
        """The baseline left by the last successful build, if any."""
        value = self.read("state", "baseline")
        return value if isinstance(value, Baseline) else None


def _dependency(article_id: str | None, sources: dict[str, Source], sources_key: str) -> str:
    """What of the sources a fact file's entry depends on: its article's record, when known."""
    if article_id is None:
        return "all:" + sources_key  # no valid fact names its article: any source change counts
    return source_digest(sources.get(article_id))


def _file_entry(path: Path, key: str, sources, entities, vocab, normalised, sources_key: str) -> FileEntry:
    """Load one fact file and make its quads, location index and fact records."""
    facts, problems, notices = load_fact_file(path, sources, entities, vocab, normalised)
    shown = display_path(path)
    article_id = facts[0].article_id if facts else None
    index: dict[tuple[str, str], list[Location]] = {}
    quads: list[str] = []
    subjects, objects, types = set(), set(), set()
    about: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    origins: set[str] = set()
    for fact in facts:
        origins |= fact_origins(fact, sources[fact.article_id], entities)
        made = fact_quads(fact, sources[fact.article_id], entities, index)
        quads += made
        fact_subjects, fact_objects = set(), set()
        for q in made:
            if q.endswith(_PROVENANCE_END):
                continue
            s, p, rest = q.split(" ", 2)
            o = rest[: rest.rindex(" <")]
            fact_subjects.add(s)
            if p == RDF_TYPE:
                types.add((s, o))
            elif o.startswith(_ID_START):
                fact_objects.add(o)
        about[fact.id] = (tuple(sorted(fact_subjects)), tuple(sorted(fact_objects)))
        subjects |= fact_subjects
        objects |= fact_objects
    quads = sorted_unique(quads)
    return FileEntry(
        path=shown,
        key=key,
        article_id=article_id,
        source_digest=_dependency(article_id, sources, sources_key),
        fact_ids=[(f.id, f.path, f.line) for f in facts],
        problems=problems,
        notices=notices,
        quad_count=len(quads),
        subjects=sorted(subjects),
        objects=sorted(objects),
        types=sorted(types),
        about=about,
        quads=quads,
        located=[
            (s, p, loc.path, loc.line, loc.fact, loc.value) for (s, p), locs in index.items() for loc in locs
        ],
        records={f.id: fact_record(f) for f in facts},
        origins=sorted(origins),
    )


def load_cached(
    seeds: Path | str,
    build_dir: Path | str,
    ontology: str | None = None,
    data: bool = True,
    stage: Cache | None = None,
    spool: Spool | None = None,
) -> CachedCorpus:
    """Load and validate the seeds like :func:`kg.seeds.corpus.load_corpus`, reusing cached files.

    Args:
        seeds: the seeds folder.
        build_dir: the build folder holding ``cache/``.
        ontology: the ontology Turtle file (default ``ontology/tdo.ttl``).
        data: also read the cached facts and quads of unchanged files (a build needs them; a
            check needs only their problems and counts).
        stage: where a build stages its cache entries. When given, the entries of the files
            read afresh are written there as they are made (by two processes, when there are
            many: see :func:`_read_afresh`) instead of being left in ``pending``.
        spool: where the quads of the files read afresh go as they are made, for the store's
            loader (see :mod:`kg.build.spool`); only with a stage.

    Returns:
        The CachedCorpus, with ``problems`` holding every problem :func:`load_corpus` would raise.
        Nothing is written but to stage: what else was read afresh (all of it, without a stage)
        is in ``pending``, for :func:`persist`.

    Raises:
        SeedError: when the seeds folder is missing or the registry cannot be read.
    """
    paths = SeedPaths(Path(seeds))
    if not paths.root.is_dir():
        raise SeedError([Problem(display_path(paths.root), 0, 0, "", "seeds folder not found")])
    cache = Cache(build_dir)
    vocab = vocabulary(ontology)
    code = code_version()
    ontology_bytes = Path(ontology).read_bytes() if ontology else ONTOLOGY_FILE.read_bytes()
    registry_files = paths.registry_files()
    hashes = FileHashes(cache.read("state", "hashes"))
    registry_key = digest(
        code, ontology_bytes, *(p for f in registry_files for p in (display_path(f), hashes.sha256(f)))
    )
    pending: list[tuple[str, str, object]] = []
    registry = cache.read("registry", registry_key)
    if registry is None:
        registry = load_registry(registry_files, vocab)
        pending.append(("registry", registry_key, registry))
    entities, problems = registry
    problems = list(problems)
    if any(p.message.startswith("YAML") for p in problems):
        raise SeedError(problems)  # as load_corpus: every key would look unknown
    articles = sorted(paths.articles.glob("*.txt"), key=lambda p: p.name)
    sources_key = digest(
        registry_key, display_path(paths.sources), hashes.sha256(paths.sources),
        *(p for a in articles for p in (a.name, hashes.sha256(a))),
    )  # fmt: skip
    loaded = cache.read("sources", sources_key)
    if loaded is None:
        loaded = load_sources(paths.sources, paths.articles, entities)
        pending.append(("sources", sources_key, loaded))
    sources, source_problems = loaded
    problems += source_problems
    entries: list[FileEntry] = []
    changed: list[FileEntry] = []
    dependencies: dict[str | None, str] = {}

    def dependency(article_id: str | None) -> str:
        if article_id not in dependencies:
            dependencies[article_id] = _dependency(article_id, sources, sources_key)
        return dependencies[article_id]

    metas = cache.read("state", "metas")  # every file's metadata in one read
    metas = metas if isinstance(metas, dict) else {}
    unread: list[tuple[int, Path, str, str]] = []  # (position, path, shown, key): to read afresh
    for path in paths.fact_files():
        shown = display_path(path)
        key = digest(registry_key, shown, hashes.sha256(path))
        meta = metas.get(shown)
        if not (isinstance(meta, FileEntry) and meta.key == key):
            meta = cache.read("meta", entry_name(shown, key))
        fresh = isinstance(meta, FileEntry) and meta.source_digest == dependency(meta.article_id)
        entry = None
        if fresh and data:
            entry = cache.read("data", entry_name(shown, key))
            if not isinstance(entry, FileEntry):
                entry = None
        elif fresh:
            entry = meta
        if entry is None:
            unread.append((len(entries), path, shown, key))
        entries.append(entry)
    made = _read_afresh(unread, (sources, entities, vocab, sources_key), stage, spool)
    for (position, *_), entry in zip(unread, made, strict=True):
        entries[position] = entry
        if stage is None:
            pending.append(("data", entry_name(entry.path, entry.key), entry))
            pending.append(("meta", entry_name(entry.path, entry.key), _meta(entry)))
        changed.append(entry)
    problems += [p for e in entries for p in e.problems]
    problems += check_duplicate_ids([_IdOnly(*f) for e in entries for f in e.fact_ids])
    version = digest(code, rules_version(Path(ontology) if ontology else None), registry_key, sources_key)
    return CachedCorpus(paths.root, sources, entities, entries, problems, version, hashes, changed, pending)


PARALLEL_FROM = 64
"""Read this many fresh fact files or more in two processes (when fork and two cores exist)."""


def _read_afresh(
    unread: list[tuple[int, Path, str, str]], context: tuple, stage: Cache | None, spool: Spool | None = None
) -> list[FileEntry]:
    """The entries of the unread files (position, path, shown path, key), in their order.

    With a stage, each entry is written there as soon as it is made. When there are many files
    (a build from scratch), a forked worker makes 13 in 25 while this process makes the
    rest: files are independent, and the worker's entries come back through the stage, which
    holds them anyway (the next build reads them from there). Making an entry is most of a
    build's Python half (YAML, quotes, quads); this halves it on two cores.
    """
    sources, entities, vocab, sources_key = context
    normalised: dict[str, NormalisedText] = {}

    def make(job: tuple[int, Path, str, str]) -> FileEntry:
        _, path, shown, key = job
        entry = _file_entry(path, key, sources, entities, vocab, normalised, sources_key)
        if stage is not None:
            stage.write("data", entry_name(shown, key), entry)
            stage.write("meta", entry_name(shown, key), _meta(entry))
        if spool is not None:
            spool.add(entry.quads)
        return entry

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if stage is None or len(unread) < PARALLEL_FROM or not hasattr(os, "fork") or cores < 2:
        return [make(job) for job in unread]
    # the worker takes 13 files in 25 (the 1st, 3rd, ... 25th): this process also reads the
    # worker's entries back, which costs about a fourteenth of making them (at 100,000 facts:
    # 0.6 s for 2,766 entries made in 8.2 s), so the two finish together
    theirs, mine = [], []
    for i, job in enumerate(unread):
        (theirs if i % 25 % 2 == 0 else mine).append(job)
    receive, send = os.pipe()
    parent = os.getpid()
    # an interrupt between the fork and the worker's try would run this process's handlers in it
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:  # the worker: ends here, leaving every cleanup to the parent
        status = 1
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            os.close(receive)
            status, message = 0, b""
            try:
                for job in theirs:
                    if os.getppid() != parent:  # the parent was killed: its build is gone
                        raise SystemExit("the build that started this worker has ended")
                    make(job)
                if spool is not None:
                    spool.flush()  # the worker's last chunk: the parent's finish() comes after it
            except BaseException:
                import traceback

                status, message = 1, traceback.format_exc().encode("utf-8", "replace")
            with os.fdopen(send, "wb") as out:
                out.write(message)
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.close(send)
    reaped, status = False, 0
    try:
        made_here = {}
        for job in mine:
            if not reaped:
                done, raw = os.waitpid(pid, os.WNOHANG)
                if done:  # the worker has ended: if it failed, this share is wasted work
                    reaped, status = True, os.waitstatus_to_exitcode(raw)
            if status != 0:
                break
            made_here[job[0]] = make(job)
        with os.fdopen(receive, "rb") as report:
            receive = None
            message = report.read().decode("utf-8", "replace")
        if not reaped:
            _, raw = os.waitpid(pid, 0)
            reaped, status = True, os.waitstatus_to_exitcode(raw)
        if status != 0:
            raise RuntimeError(f"the worker reading fact files failed (exit code {status}):\n{message}")
        made = []
        for position, _, shown, key in unread:
            entry = made_here.get(position)
            if entry is None:
                entry = stage.read("data", entry_name(shown, key))
                if not isinstance(entry, FileEntry):
                    raise RuntimeError(f"the worker reading fact files left no entry for {shown}")
            made.append(entry)
        return made
    finally:
        if receive is not None:
            os.close(receive)
        if not reaped:  # this process failed or was interrupted: end the worker too
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def entry_name(path: str, key: str) -> str:
    """Entries are stored by path and content key, so the baseline's stay readable after a change."""
    return f"{path}\0{key}"


def _meta(entry: FileEntry) -> FileEntry:
    """The entry without its facts and quads: what a check reads of unchanged files."""
    return FileEntry(
        entry.path, entry.key, entry.article_id, entry.source_digest, entry.fact_ids, entry.problems,
        entry.notices, entry.quad_count, entry.subjects, entry.objects, entry.types, entry.about,
        origins=entry.origins,
    )  # fmt: skip


def all_metadata(cached: CachedCorpus) -> dict[str, FileEntry]:
    """Every file's entry without its quads or what its facts are about, by path: what a check
    reads first, in one piece (the baseline indexes what the facts are about)."""
    from dataclasses import replace

    return {e.path: replace(_meta(e), subjects=[], objects=[], types=[], about={}) for e in cached.entries}


def make_baseline(cached: CachedCorpus) -> Baseline:
    """The baseline of a successful build of cached."""
    subject_files: dict[str, list[str]] = {}
    object_files: dict[str, list[str]] = {}
    fact_types: dict[str, dict[str, int]] = {}
    for e in cached.entries:
        for fid, (subjects, objects) in e.about.items():
            for s in subjects:
                subject_files.setdefault(s, []).append((e.path, fid))
            for o in objects:
                object_files.setdefault(o, []).append((e.path, fid))
        for s, t in e.types:
            counts = fact_types.setdefault(s, {})
            counts[t] = counts.get(t, 0) + 1
    return Baseline(
        cached.version, {e.path: e.key for e in cached.entries}, subject_files, object_files, fact_types
    )


@dataclass
class Neighbourhood:
    """What incremental validation looks at: the facts to read and the nodes to judge."""

    files: list[str]  # display paths of the fact files holding those facts
    facts: set[tuple[str, str]]  # (file, fact id) of every fact whose quads are needed
    focus: set[str]  # nodes whose problems are reported
    fact_types: dict[str, set[str]]  # entity IRI -> classes stated by any fact, after the change
    changed: list[str]  # fact files added, changed or removed since the baseline


def quads_by_fact(entry: FileEntry) -> dict[str, set[str]]:
    """A file entry's quads, by the fact they belong to (its graph, or its provenance record)."""
    out: dict[str, set[str]] = {fid: set() for fid, _, _ in entry.fact_ids}
    for q in entry.quads:
        if q.endswith(_PROVENANCE_END):
            subject = q[: q.index(" ")]
            fid = subject[len(_FACT_START) : -1].split("/", 1)[0]
        else:
            fid = q[q.rindex(" <") + 2 + len(_FACT_START) - 1 : -3]
        if fid in out:
            out[fid].add(q)
    return out


def neighbourhood(cached: CachedCorpus, baseline: Baseline, cache: Cache) -> Neighbourhood | None:
    """The part of the graph a change since the baseline can affect.

    The changed facts are those whose quads differ from the baseline's (in changed files only).
    The neighbourhood holds them; every fact about a subject of a changed fact or about an
    entity one of them names; every fact pointing at such a subject, and every fact about the
    subjects of those. Its focus is the subjects of changed facts, the subjects pointing at them,
    and the provenance nodes of the changed facts.

    Args:
        cached: the seeds now (entries may be metadata only).
        baseline: the last successful build, with the same code, rules, registry and sources.
        cache: where the baseline's entries are.

    Returns:
        The Neighbourhood, or None when an entry of the baseline is missing (validate all).
    """
    now = {e.path: e for e in cached.entries}
    changed = {p for p in now if baseline.entries.get(p) != now[p].key} | (set(baseline.entries) - set(now))
    fresh = {e.path: e for e in cached.changed}
    old = {
        p: cache.read("data", entry_name(p, baseline.entries[p])) for p in changed if p in baseline.entries
    }
    new = {p: fresh.get(p) or cache.read("data", entry_name(p, now[p].key)) for p in changed if p in now}
    if any(not isinstance(e, FileEntry) for e in [*old.values(), *new.values()]):
        return None
    changed_facts: set[tuple[str, str]] = set()  # (file, fact) now
    subjects, named = set(), set()
    focus: set[str] = set()
    for p in changed:
        before = quads_by_fact(old[p]) if p in old else {}
        after = quads_by_fact(new[p]) if p in new else {}
        for fid in before.keys() | after.keys():
            if before.get(fid) == after.get(fid):
                continue
            for entry in (old.get(p), new.get(p)):
                if entry is not None and fid in entry.about:
                    subjects.update(entry.about[fid][0])
                    named.update(entry.about[fid][1])
            if fid in after:
                changed_facts.add((p, fid))
                focus |= {q[: q.index(" ")] for q in after[fid] if q.endswith(_PROVENANCE_END)}

    def current(pairs) -> set[tuple[str, str]]:
        # the baseline's facts, less those of changed files (their facts now are in new)
        return {(f, fid) for f, fid in pairs if f in now and f not in changed}

    def facts_about(nodes) -> set[tuple[str, str]]:
        found = current(pair for n in nodes for pair in baseline.subject_files.get(n, ()))
        for p, entry in new.items():
            found |= {(p, fid) for fid, (subs, _) in entry.about.items() if set(subs) & nodes}
        return found

    def facts_naming(nodes) -> set[tuple[str, str]]:
        found = current(pair for n in nodes for pair in baseline.object_files.get(n, ()))
        for p, entry in new.items():
            found |= {(p, fid) for fid, (_, objs) in entry.about.items() if set(objs) & nodes}
        return found

    described: dict[str, FileEntry] = dict(new)

    def about(path: str) -> dict:
        if path not in described:  # the combined metadata leaves this out: read the file's own
            meta = cache.read("meta", entry_name(path, now[path].key))
            described[path] = meta if isinstance(meta, FileEntry) else now[path]
        return described[path].about

    def subjects_of(pairs) -> set[str]:
        return {s for f, fid in pairs for s in about(f).get(fid, ((), ()))[0]}

    facts = changed_facts | facts_about(subjects | named)
    pointing_facts = facts_naming(subjects)
    pointing = subjects_of(pointing_facts)
    facts |= pointing_facts | facts_about(pointing)
    focus |= subjects | pointing
    counts: dict[str, dict[str, int]] = {s: dict(c) for s, c in baseline.fact_types.items()}
    for e, sign in [(e, -1) for e in old.values()] + [(e, 1) for e in new.values()]:
        for s, t in e.types:  # old and new are full entries
            per = counts.setdefault(s, {})
            per[t] = per.get(t, 0) + sign
    types = {s: {t for t, n in c.items() if n > 0} for s, c in counts.items()}
    return Neighbourhood(
        sorted({f for f, _ in facts}), facts, focus, {s: t for s, t in types.items() if t}, sorted(changed)
    )


def read_entries(cached: CachedCorpus, cache: Cache, paths: set[str] | None = None) -> list[FileEntry]:
    """The full entries (facts and quads) of the given files, or of all, in file order."""
    out = []
    for e in cached.entries:
        if paths is not None and e.path not in paths:
            continue
        if e.quads or not e.quad_count:
            out.append(e)
            continue
        full = cache.read("data", entry_name(e.path, e.key))
        if not isinstance(full, FileEntry):
            raise FileNotFoundError(f"cache entry of {e.path} is missing")
        out.append(full)
    return out


@dataclass
class Shared:
    """The quads every neighbourhood holds: ontology, registry and articles, made once."""

    quads: list[str]  # sorted, without duplicates
    located: list[tuple]  # the registry's location index: (subject, predicate, path, line, key, value)
    copies: list = field(default_factory=list)  # kg.build.copies.CopyPair: articles that may copy one story


def shared_part(cached: CachedCorpus, cache: Cache | None = None, ontology: Path | None = None) -> Shared:
    """The ontology, registry and source quads of cached, from the cache when it has them."""
    from kg.build.copies import copy_quads, source_copies
    from kg.build.quads import ontology_quads, registry_quads, source_quads

    name = cached.version + (str(ontology) if ontology else "")
    hit = cached.shared.get(name)
    if hit is None and cache is not None:
        hit = cache.read("shared", name)
    if isinstance(hit, Shared):
        cached.shared[name] = hit
        return hit
    index: dict[tuple[str, str], list[Location]] = {}
    quads = ontology_quads(ontology)
    quads += registry_quads(cached.entities.values(), index)
    quads += source_quads(cached.sources.values())
    copies = source_copies(cached.sources)
    quads += copy_quads(copies)
    located = [
        (s, p, loc.path, loc.line, loc.fact, loc.value) for (s, p), locs in index.items() for loc in locs
    ]
    shared = Shared(sorted_unique(quads), located, copies)
    cached.pending.append(("shared", name, shared))
    cached.shared[name] = shared
    return shared


def assemble(
    cached: CachedCorpus,
    entries: list[FileEntry],
    ontology: Path | None = None,
    release: bool = False,
    cache: Cache | None = None,
    facts: set[tuple[str, str]] | None = None,
):
    """The BuiltDataset of the given entries, with the registry, sources and ontology.

    With facts, only the quads, index and records of those (file, fact) pairs are taken.

    With every entry, this is exactly what :func:`kg.build.quads.corpus_quads` gives. With release,
    each entry's quads and index are dropped once copied (its counts stay).
    """
    from kg.build.quads import BuiltDataset

    shared = shared_part(cached, cache, ontology)
    index: dict[tuple[str, str], list[Location]] = {}
    for s, p, path, line, fact, value in shared.located:
        index.setdefault((s, p), []).append(Location(path, line, fact, value))
    quads = list(shared.quads)
    records: dict[str, dict] = {}
    for e in entries:
        if facts is None:
            quads += e.quads
            located, records_of = e.located, e.records
        else:
            wanted = {fid for f, fid in facts if f == e.path}
            for fid, fact_lines in quads_by_fact(e).items():
                if fid in wanted:
                    quads += fact_lines
            located = [x for x in e.located if x[4] in wanted]
            records_of = {fid: r for fid, r in e.records.items() if fid in wanted}
        for s, p, path, line, fact, value in located:
            key = (s, p)
            located = index.get(key)
            if located is None:
                index[key] = [Location(path, line, fact, value)]
            else:
                located.append(Location(path, line, fact, value))
        records.update(records_of)
        if release:
            e.quads, e.located, e.records = [], [], {}
    return BuiltDataset(sorted_unique(quads), index, records, shared.copies)


def quad_count(cached: CachedCorpus, cache: Cache | None = None, ontology: Path | None = None) -> int:
    """How many quads the whole dataset has, without assembling it (fact files are disjoint)."""
    return len(shared_part(cached, cache, ontology).quads) + sum(e.quad_count for e in cached.entries)


def persist(cached: CachedCorpus, cache: Cache) -> None:
    """Store what load_cached read afresh."""
    for kind, name, value in cached.pending:
        cache.write(kind, name, value)
