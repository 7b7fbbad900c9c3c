"""The build folder's names, and the embedded Oxigraph store in it: bulk loading and opening it."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from kg.errors import StoreError

NQ_FILE = "kg.nq"
"""Every quad of the build, sorted: the graph's one source of truth for other tools."""
TRIG_FILE = "kg.trig"
"""The same quads as TriG, with prefixes, for reading."""
MANIFEST_FILE = "manifest.json"
"""What was built from what: counts, digests of the inputs and outputs."""
STORE_LINK = "store"
"""``build/store`` is a symlink to the current build's store (``current/store``, see :mod:`kg.build.publish`)."""
BUILDS_DIR = ".builds"
"""One folder per build under it; ``current`` points at one of them."""
CURRENT_LINK = "current"
"""The one pointer a build swaps to publish its outputs."""
PREVIOUS_DIR = "previous"
"""The outputs a build replaced, kept for ``kg diff``."""
CACHE_DIR = "cache"
"""Per fact file, its validated facts and quads (:mod:`kg.build.cache`)."""


def bulk_load(nquads: Path, directory: Path, chunk_bytes: int = 64 << 20):
    """Create an on-disk store in directory and bulk load an N-Quads file into it.

    The file goes to Oxigraph's bulk loader a chunk of whole lines at a time: the loader holds
    what it is given in memory while it sorts it into the indexes (1.6 GB for 3 million quads in
    one piece, 0.8 GB in 100 MB chunks, in the same time).

    The loader does not check the IRIs again (``lenient``): the build mints every IRI from
    fixed namespaces and names it has checked against patterns that only allow IRI-safe
    characters (registry keys, fact and article ids, Wikidata ids; :mod:`kg.seeds.corpus`), or takes
    them from the ontology, which is parsed strictly. Chunk by chunk, checking them costs about
    a tenth of the load.

    Args:
        nquads: the N-Quads file.
        directory: a folder that does not exist yet.
        chunk_bytes: about how much of the file each call to the loader gets.

    Returns:
        The open pyoxigraph Store.
    """
    import pyoxigraph as ox

    store = ox.Store(str(directory))
    with open(nquads, "rb") as f:
        while lines := f.readlines(chunk_bytes):
            store.bulk_load(b"".join(lines), format=ox.RdfFormat.N_QUADS, lenient=True)
            del lines
    store.flush()
    return store


def _sorted_diff(old: Path, new: Path) -> tuple[list[bytes], list[bytes], str]:
    """Lines only in old, lines only in new, and old's sha256, for two sorted N-Quads files.

    UTF-8 bytes sort as their code points do, so the lines compare as bytes. No line is a prefix
    of another (each ends with " ."), so the newline does not change their order.
    """
    digest = hashlib.sha256()
    removed: list[bytes] = []
    added: list[bytes] = []
    with open(old, "rb") as a, open(new, "rb") as b:
        x, y = a.readline(), b.readline()
        digest.update(x)
        while x or y:
            if x == y:
                x, y = a.readline(), b.readline()
                digest.update(x)
            elif not y or (x and x < y):
                removed.append(x)
                x = a.readline()
                digest.update(x)
            else:
                added.append(y)
                y = b.readline()
    return removed, added, digest.hexdigest()


def patch_store(
    current: Path, old_nquads: Path, old_sha256: str, nquads: Path, directory: Path, most: float = 0.05
):
    """A copy of the store at current, changed from old_nquads to nquads; or None.

    The copy is a RocksDB checkpoint (hard links, so it takes no time and no space); the lines
    only in old_nquads are removed from it and those only in nquads added, in one transaction
    each. The result holds exactly the quads of nquads, as a bulk load would.

    Args:
        current: the folder of the store that holds exactly old_nquads.
        old_nquads, old_sha256: the sorted N-Quads the current store was loaded from, and the
            digest its manifest records (a file that does not match is not trusted).
        nquads: the new sorted N-Quads.
        directory: a folder that does not exist yet.
        most: the largest share of changed lines worth patching; past it a bulk load is faster.

    Returns:
        The open pyoxigraph Store, or None when the old file does not match its digest or too
        much changed (nothing is left in directory then).
    """
    import pyoxigraph as ox

    removed, added, digest = _sorted_diff(old_nquads, nquads)
    total = max(1, nquads.stat().st_size)
    changed = sum(map(len, removed)) + sum(map(len, added))
    if digest != old_sha256 or changed > most * total:
        return None
    ox.Store.read_only(str(current)).backup(str(directory))
    store = ox.Store(str(directory))
    for q in ox.parse(input=b"".join(removed), format=ox.RdfFormat.N_QUADS):
        store.remove(q)
    store.extend(ox.parse(input=b"".join(added), format=ox.RdfFormat.N_QUADS))
    store.flush()
    return store


def memory_store(nquads_text: str):
    """An in-memory store holding the given N-Quads (used by ``kg check``)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(nquads_text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def store_path(build_dir: Path | str = "build") -> Path:
    """The current store folder of a build folder; StoreError when there is none."""
    link = Path(build_dir) / STORE_LINK
    if not link.exists():
        raise StoreError(f"no store at {link}: run 'kg build' first")
    return link.resolve()


def open_store(build_dir: Path | str = "build"):
    """Open the built store read-only (several readers may share it)."""
    import pyoxigraph as ox

    path = store_path(build_dir)
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


def replace_link(link: Path, target: str) -> None:
    """Make link a symlink to target in one step: a new link renamed over the old name.

    Readers see the old target or the new one, never no link; a kill leaves at most a
    ``.<name>.link-<pid>`` file, which the next build removes.
    """
    tmp_link = link.with_name(f".{link.name}.link-{os.getpid()}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(target, tmp_link)
    os.replace(tmp_link, link)


def swap_store(build_dir: Path, new_store: Path) -> None:
    """Point ``build_dir/store`` straight at new_store, then delete the store it replaced.

    For a folder that holds only a store (tests, tools); ``kg build`` publishes a whole build at
    once instead (:func:`kg.build.publish.commit`).
    """
    link = build_dir / STORE_LINK
    old = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        raise StoreError(f"{link} is not a symlink made by kg build; move it away first")
    replace_link(link, new_store.name)
    if old is not None and old != new_store.resolve() and old.exists():
        shutil.rmtree(old, ignore_errors=True)
