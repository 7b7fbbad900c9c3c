"""The build folder's lock and commit: one folder per build, made current by one symlink swap.

Layout of a build folder::

    build/.build.lock               held (flock) by kg build for its whole run, then removed
    build/.builds/<digest>-<pid>/   one build's kg.nq, manifest.json and store/
    build/current                   -> .builds/<digest>-<pid>: the one pointer a build swaps
    build/kg.nq, manifest.json, store
                                    -> current/<name>: fixed links, so every path stays valid
    build/previous/                 the replaced build's kg.nq and manifest.json (kg diff)
    build/cache/                    fact files' entries for incremental builds (kg.build.cache)
    build/.tmp-<pid>/               a running build's work

A build makes its outputs in ``.tmp-<pid>``, moves them into a new folder under ``.builds``, and
renames a new ``current`` link over the old one. That rename is the commit: whenever the process
is killed, ``current`` names either the old build or the new one, and the four outputs are read
through it, so they always belong to one build (a test kills the build at every step of
:func:`commit`). Removing what is left over (``.tmp-*``, builds other than the current one, stores
and half-made links of the old layout) happens only under the lock, after the swap and when the
next build starts. The guarantee is for a killed process; after a power cut it depends on the
file system keeping the order of renames.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kg.build.cache import Cache, entry_name
from kg.errors import StoreError
from kg.store import (
    BUILDS_DIR,
    CURRENT_LINK,
    MANIFEST_FILE,
    NQ_FILE,
    PREVIOUS_DIR,
    STORE_LINK,
    replace_link,
)

LOCK = ".build.lock"
OUTPUT_FILES = (NQ_FILE, MANIFEST_FILE)
LEGACY_FILES = ("kg.trig",)
"""Outputs older builds made and this one does not: their links go (``kg export --format trig``)."""
OUTPUTS = (*OUTPUT_FILES, STORE_LINK)
"""What ``current`` holds and what ``build/<name>`` links to."""

_held: set[int] = set()  # lock file descriptors of this process
_hooked = False


def reached(step: str) -> None:
    """A point between two steps of a commit. Does nothing; the fault-injection test replaces it
    to kill the build there (tests/test_commit.py)."""


def _forget_locks() -> None:
    """In a forked child: close the inherited lock descriptors. The parent's lock stays (it is
    its open file's), and a child left running when the parent is killed cannot hold it."""
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


def _locked(path: Path) -> int | None:
    """A descriptor of path holding its exclusive flock, or None when another process holds it.

    The file is removed when a build ends, so a lock taken on a file that was removed (or
    replaced) meanwhile is dropped and taken again on the file at path.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold the build folder's lock (``build/.build.lock``, removed when done), or refuse at once
    when another build holds it.

    Raises:
        StoreError: another ``kg build`` is running on this folder (exit code 2).
    """
    global _hooked
    path = build_dir / LOCK
    try:
        fd = _locked(path)
    except OSError as exc:
        raise StoreError(f"cannot lock {path}: {exc.strerror}") from None
    if fd is None:
        raise StoreError(
            f"another kg build is running in {build_dir} (it holds {path}); "
            "wait for it to finish, or build into another folder with --build-dir"
        )
    if not _hooked:
        os.register_at_fork(after_in_child=_forget_locks)
        _hooked = True
    _held.add(fd)
    try:
        yield
    finally:
        _held.discard(fd)
        path.unlink(missing_ok=True)  # while still held: see _locked
        os.close(fd)  # releases the lock


def current_build(build_dir: Path) -> Path | None:
    """The folder of the current build (``build/current`` resolved), or None."""
    link = Path(build_dir) / CURRENT_LINK
    return link.resolve() if link.is_symlink() and link.is_dir() else None


def _manifest_digest(manifest: Path) -> str | None:
    try:
        sha = json.loads(manifest.read_text(encoding="utf-8"))["nquads_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sha if isinstance(sha, str) and len(sha) == 64 else None


def previous_store(build_dir: Path) -> tuple[Path, Path, str] | None:
    """The current build's store folder, its kg.nq and the digest its manifest records, for
    patching (:func:`kg.store.patch_store`); None when there is no current build or its folder
    is not named after that digest."""
    folder = current_build(build_dir)
    if folder is None:
        return None
    store, nq = folder / STORE_LINK, folder / NQ_FILE
    sha = _manifest_digest(folder / MANIFEST_FILE)
    if sha is None or not (store.is_dir() and nq.is_file()) or not folder.name.startswith(sha[:16]):
        return None
    return store.resolve(), nq, sha


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _fresh_folder(build_dir: Path, digest: str) -> Path:
    """A name under ``.builds`` that is not taken: the digest's start and this process's id."""
    builds = build_dir / BUILDS_DIR
    builds.mkdir(exist_ok=True)
    name = f"{digest[:16]}-{os.getpid()}"
    folder, n = builds / name, 1
    while folder.exists() or folder.is_symlink():
        n += 1
        folder = builds / f"{name}-{n}"
    return folder


def _link_or_copy(source: Path, dest: Path) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _legacy_store(build_dir: Path, sha: str | None) -> Path | None:
    """The ``store-<digest>`` folder an old-layout ``build/store`` points at, when it is named
    after the manifest's digest (so it holds that kg.nq)."""
    link = build_dir / STORE_LINK
    if sha is None or not link.is_symlink():
        return None
    target = link.resolve()
    if target.is_dir() and target.parent == build_dir.resolve() and target.name == f"store-{sha[:16]}":
        return target
    return None


def adopt_legacy(build_dir: Path) -> None:
    """Turn a build folder of the old layout (outputs as files, ``store`` a link to
    ``store-<digest>``) into this one without changing what any path reads: a build folder of
    hard links to those files is made current, then each name becomes a link through it.

    A store that does not match the manifest is not adopted (its link is replaced at the next
    commit). Every step can be killed: the next build starts this again or finishes it.
    """
    if (build_dir / CURRENT_LINK).is_symlink():
        return
    files = [n for n in OUTPUT_FILES if (build_dir / n).is_file() and not (build_dir / n).is_symlink()]
    if not files:
        return
    sha = _manifest_digest(build_dir / MANIFEST_FILE)
    store = _legacy_store(build_dir, sha)
    staging = build_dir / BUILDS_DIR / f".adopt-{os.getpid()}"
    _remove(staging)
    staging.mkdir(parents=True)
    for name in files:
        _link_or_copy(build_dir / name, staging / name)
    if store is not None:
        os.symlink(f"../../{store.name}", staging / STORE_LINK)
        files.append(STORE_LINK)
    folder = _fresh_folder(build_dir, sha or "legacy")
    os.rename(staging, folder)
    reached("adopt staged")
    replace_link(build_dir / CURRENT_LINK, f"{BUILDS_DIR}/{folder.name}")
    reached("adopt current")
    for name in files:
        replace_link(build_dir / name, f"{CURRENT_LINK}/{name}")
        reached(f"adopt {name}")


def clean_stale(build_dir: Path) -> None:
    """Remove what killed or replaced builds left: temporary folders, builds other than the
    current one, old-layout stores that nothing points at, half-made links. Call it only while
    holding the lock (a running build's ``.tmp-*`` would go too)."""
    keep = {p.resolve() for p in (build_dir / CURRENT_LINK, build_dir / STORE_LINK) if p.exists()}
    current = current_build(build_dir)
    if current is not None and (current / STORE_LINK).exists():
        keep.add((current / STORE_LINK).resolve())
    for path in build_dir.glob(".tmp-*"):
        _remove(path)
    builds = build_dir / BUILDS_DIR
    if builds.is_dir():
        for path in builds.iterdir():
            if path.resolve() not in keep:
                _remove(path)
    for path in build_dir.glob("store-*"):  # the stores of the layout before .builds
        if path.resolve() not in keep:
            _remove(path)
    for path in build_dir.glob(".*.link-*"):
        path.unlink(missing_ok=True)
    for name in LEGACY_FILES:  # links to an output builds no longer make
        link = build_dir / name
        if link.is_symlink() and os.readlink(link).startswith(f"{CURRENT_LINK}/"):
            link.unlink()


def _check_names(build_dir: Path) -> None:
    """Refuse a folder where kg build would have to replace a folder it did not make."""
    for name in (*OUTPUTS, CURRENT_LINK):
        path = build_dir / name
        if path.is_dir() and not path.is_symlink():
            raise StoreError(f"{path} is a folder kg build did not make; move it away first")


def prepare_folder(build_dir: Path) -> None:
    """Before a build, under the lock: check the names, adopt an old-layout folder, then clean
    what is stale.

    Raises:
        StoreError: a folder stands where an output or ``current`` belongs.
    """
    _check_names(build_dir)
    adopt_legacy(build_dir)
    clean_stale(build_dir)


def _link_outputs(build_dir: Path) -> None:
    """Make each ``build/<output>`` a link to ``current/<output>`` (done by the first commit; a
    link is dangling until ``current`` exists)."""
    for name in OUTPUTS:
        link, target = build_dir / name, f"{CURRENT_LINK}/{name}"
        if not (link.is_symlink() and os.readlink(link) == target):
            replace_link(link, target)


def publish_cache(tmp: Path, build_dir: Path) -> None:
    """Move the staged cache entries into build/cache, the baseline last; drop unused entries.

    Entries are named by content, so a kill midway leaves entries the old baseline does not use
    and at worst an old baseline with new entries: both are valid for the next build.
    """
    staged, cache = Cache(tmp), Cache(build_dir)
    baseline_name = Cache.name("baseline") + ".pickle"
    for kind in ("registry", "sources", "shared", "meta", "data", "state"):
        folder = staged.root / kind
        if not folder.is_dir():
            continue
        (cache.root / kind).mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.iterdir(), key=lambda p: p.name == baseline_name):
            os.replace(path, cache.root / kind / path.name)
    baseline = cache.baseline()
    if baseline is not None:
        keep = {entry_name(path, key) for path, key in baseline.entries.items()}
        cache.prune("meta", keep)
        cache.prune("data", keep)
        cache.prune("shared", {baseline.version})


KEPT_FILES = (MANIFEST_FILE, NQ_FILE)
"""The outputs a build keeps in ``previous/`` when it replaces them, for ``kg diff``."""


def keep_previous(build_dir: Path | str) -> None:
    """Keep the current ``manifest.json`` and ``kg.nq`` in ``build_dir/previous/`` before they are replaced.

    Hard links when the file system allows (outputs are replaced by rename, never rewritten in
    place, so a link keeps the old content at no cost), copies otherwise. Does nothing before the
    first build.

    Args:
        build_dir: the build folder.
    """
    build_dir = Path(build_dir)
    if not all((build_dir / name).is_file() for name in KEPT_FILES):
        return
    previous = build_dir / PREVIOUS_DIR
    previous.mkdir(exist_ok=True)
    for name in KEPT_FILES:
        source = (build_dir / name).resolve()  # build/kg.nq is a link into build/current
        tmp = previous / f".{name}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copy2(source, tmp)
        os.replace(tmp, previous / name)


def commit(build_dir: Path, tmp: Path, digest: str) -> None:
    """Publish the outputs made in tmp (kg.nq, manifest.json, store/) as the current build.

    Steps, each followed by :func:`reached`: the outputs are moved into one folder in tmp
    ("staged"); the build being replaced is kept for kg diff ("kept previous"); the folder moves
    to ``.builds`` ("moved"); the output links are made if missing ("linked"); ``current`` is
    swapped, the commit itself ("swapped"); the cache is published ("cache"); what is stale is
    removed ("cleaned"). Call it under the lock, with the store closed.
    """
    staged = tmp / "outputs"
    staged.mkdir()
    for name in OUTPUTS:
        os.rename(tmp / name, staged / name)
    reached("staged")
    keep_previous(build_dir)  # build/previous: the outputs about to be replaced
    reached("kept previous")
    folder = _fresh_folder(build_dir, digest)
    os.rename(staged, folder)
    reached("moved")
    _link_outputs(build_dir)
    reached("linked")
    replace_link(build_dir / CURRENT_LINK, f"{BUILDS_DIR}/{folder.name}")
    reached("swapped")
    publish_cache(tmp, build_dir)
    reached("cache")
    clean_stale(build_dir)
    reached("cleaned")


COMMIT_STEPS = ("staged", "kept previous", "moved", "linked", "swapped", "cache", "cleaned")
"""The names :func:`commit` passes to :func:`reached`, in order."""
