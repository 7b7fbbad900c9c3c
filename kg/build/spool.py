"""Quads handed to the store's loader while a build is still making them.

A build from scratch makes its quads fact file by fact file (in two processes, see
:func:`kg.build.cache.load_cached`), then sorts them into ``kg.nq``. The store does not need them
sorted: each process writes what it has made into a spool folder as numbered chunk files, and
the build's own process loads each chunk as soon as it appears (:class:`SpoolLoader`), while
fact files are still being read. The process that made the last quads writes a ``done`` file
after its last chunk; the loader stops once it has seen it and loaded every chunk.

Every chunk is published by a rename, so the loader never reads half of one. The quads loaded
are the same as ``kg.nq``'s, possibly repeated (the store keeps one of each): a test compares
the store with a load of ``kg.nq``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

DONE = "done"
CHUNK_BYTES = 16 << 20
"""About how much one chunk holds: Oxigraph's loader keeps a chunk in memory while it sorts it
into its indexes (about 180 MB of memory for 16 MB chunks, 500 MB for 64 MB ones)."""
_SLICE = 10_000  # lines joined at a time (about 2 MB)


class Spool:
    """Collects quad lines and writes them to folder in chunks of about chunk_bytes.

    One per process: chunk names hold the process id, so a forked worker given the (empty)
    spool of its parent writes chunks of its own.
    """

    def __init__(self, folder: Path, chunk_bytes: int | None = None):
        self.folder = Path(folder)
        self.chunk_bytes = chunk_bytes or CHUNK_BYTES
        self._parts: list[str] = []
        self._size = 0
        self._written = 0

    def add(self, quads: list[str]) -> None:
        """Queue these lines; write a chunk whenever enough are queued (a long list is taken a
        slice at a time, so no chunk grows much past chunk_bytes)."""
        for start in range(0, len(quads), _SLICE):
            text = "\n".join(quads[start : start + _SLICE]) + "\n"
            self._parts.append(text)
            self._size += len(text)  # characters: close enough to bytes for a chunk's size
            if self._size >= self.chunk_bytes:
                self.flush()

    def flush(self) -> None:
        """Write what is queued as one chunk (nothing when nothing is queued)."""
        if not self._parts:
            return
        name = f"{os.getpid()}-{self._written:06d}"
        part = self.folder / f"{name}.part"
        with open(part, "wb") as f:
            for text in self._parts:
                f.write(text.encode("utf-8"))
        os.replace(part, self.folder / f"{name}.nq")
        self._written += 1
        self._parts, self._size = [], 0

    def finish(self) -> None:
        """Write what is queued, then tell the loader that no more chunks will come."""
        self.flush()
        (self.folder / DONE).touch()


NICE = 10
"""How much lower the loader's thread runs while the child and its worker make quads."""


def _priority(tid: int) -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, tid)
    except (AttributeError, OSError):  # not Linux
        return None


def _set_priority(tid: int, value: int) -> bool:
    """Set one thread's nice value (a thread's own, on Linux); False where not allowed."""
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(value, 19))
        return True
    except (AttributeError, OSError):  # not Linux; or a lower value without CAP_SYS_NICE
        return False


class SpoolLoader:
    """Loads the chunks of a spool folder into a new on-disk store, in a thread of this process.

    The thread runs ``NICE`` lower than the process while the chunks are being made, so the
    processes making them go first; :meth:`result` asks it back to the process's own priority
    (between two chunks) and waits for the ``done`` file and the last chunk. Going back needs
    the right to raise a priority (root, or CAP_SYS_NICE): without it the loader stays niced,
    as the build's SHACL and TriG processes are, and shares the cores with them equally. The
    threads Oxigraph starts for each chunk take the loader's priority, and so do RocksDB's
    background threads (compaction), started when the thread opens the store: they stay
    niced, which made builds of 100,000 facts 1.1 to 2.9 s faster (three pairs, taking turns)
    than with the store opened in the calling thread. pyoxigraph is imported in the calling
    thread, so that no fork catches the import half done.

    :meth:`stop` ends the thread early (after the chunk being loaded), for a build that failed.
    """

    def __init__(self, folder: Path, directory: Path, poll: float = 0.02):
        import pyoxigraph  # noqa: F401  (imported in the calling thread: see above)

        self.folder = Path(folder)
        self.directory = Path(directory)
        self.poll = poll
        self.chunks = 0
        self._store = None
        self._loaded = False
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="spool-loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import pyoxigraph as ox

        tid = threading.get_native_id()
        base = _priority(tid)
        niced = base is not None and _set_priority(tid, base + NICE)
        store = None
        try:
            store = self._store = ox.Store(str(self.directory))
            while not self._stop.is_set():
                done = (self.folder / DONE).exists()  # before listing: chunks come before done
                chunks = sorted(self.folder.glob("*.nq"))
                for chunk in chunks:
                    if self._stop.is_set():
                        return
                    if niced and self._hurry.is_set():
                        _set_priority(tid, base)
                        niced = False  # tried once: without the right, it stays niced
                    store.bulk_load(path=str(chunk), format=ox.RdfFormat.N_QUADS, lenient=True)
                    chunk.unlink()
                    self.chunks += 1
                if done:
                    store.flush()
                    self._loaded = True
                    return
                if not chunks:
                    self._stop.wait(self.poll)
        except BaseException as exc:  # raised again in the build's thread, by result()
            store = None  # the traceback keeps this frame: it must not keep the store open
            self._store = None
            self._error = exc

    def result(self):
        """The store, once every chunk is in (errors of the loader are raised here)."""
        self._hurry.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        if not self._loaded:
            raise RuntimeError("the store's loader was stopped before the last chunk")
        return self._store

    def stop(self) -> None:
        """Stop loading, wait for the thread to end, and close the store."""
        self._stop.set()
        self._thread.join()
        self._store = None
