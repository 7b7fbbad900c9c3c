"""A build from scratch loads its store from a spool while it still makes quads (kg.build.spool): the
store holds exactly kg.nq's quads, whichever process made them, and a failed build stops the
loader and leaves nothing behind."""

from __future__ import annotations

import os
import threading
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg.build.cache
import kg.build.spool
from kg.build.pipeline import build
from kg.build.spool import DONE, Spool, SpoolLoader
from kg.cli import main

EX = "http://example.org/"


def lines(start: int, count: int) -> list[str]:
    return [f'<{EX}s{i}> <{EX}p> "{i}" <{EX}g{i % 3}> .' for i in range(start, start + count)]


def quads_in(store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None)}


def expected(*groups: list[str]) -> set[str]:
    reference = ox.Store()
    reference.load("\n".join(line for group in groups for line in group) + "\n", format=ox.RdfFormat.N_QUADS)
    return quads_in(reference)


def test_a_spool_writes_whole_chunks_named_by_process(tmp_path):
    spool = Spool(tmp_path, chunk_bytes=2_000)
    made = [lines(i * 40, 40) for i in range(5)]
    for group in made:
        spool.add(group)
    written = sorted(tmp_path.glob("*.nq"))
    assert len(written) >= 2, "chunks are written once about chunk_bytes are queued"
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / DONE).exists()
    spool.finish()
    written = sorted(tmp_path.glob("*.nq"))
    assert all(p.name.startswith(f"{os.getpid()}-") for p in written)
    text = "".join(p.read_text(encoding="utf-8") for p in written)
    assert text.splitlines() == [line for group in made for line in group]  # in order, none lost
    assert (tmp_path / DONE).exists()


def test_the_loader_takes_chunks_as_they_come_and_stops_at_done(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    spool = Spool(folder, chunk_bytes=1_000)
    spool.add(lines(0, 50))  # before the loader starts
    loader = SpoolLoader(folder, tmp_path / "store")
    time.sleep(0.2)
    spool.add(lines(50, 50))  # while it waits
    spool.add(lines(0, 10))  # a repeated quad is stored once
    spool.finish()
    store = loader.result()
    assert quads_in(store) == expected(lines(0, 100))
    assert loader.chunks >= 3
    assert not list(folder.glob("*.nq")), "each chunk is deleted once loaded"


def test_a_stopped_loader_ends_without_a_store(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    loader = SpoolLoader(folder, tmp_path / "store")  # no chunk and no done: it would wait
    loader.stop()
    assert not any(t.name == "spool-loader" and t.is_alive() for t in threading.enumerate())
    with pytest.raises(RuntimeError, match="stopped before the last chunk"):
        loader.result()


def test_a_long_list_is_cut_into_chunks_of_about_the_size_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.build.spool, "_SLICE", 10)
    spool = Spool(tmp_path, chunk_bytes=2_000)
    spool.add(lines(0, 500))  # one call, as the registry and articles come
    spool.finish()
    sizes = [p.stat().st_size for p in tmp_path.glob("*.nq")]
    assert len(sizes) > 5 and max(sizes) < 2_000 + 10 * 60  # at most one slice past the size


def test_the_loader_runs_niced_until_asked_for_its_result(tmp_path, monkeypatch):
    calls: list[tuple[int, int]] = []
    setpriority = os.setpriority

    def recording(which, who, value):
        calls.append((who, value))
        setpriority(which, who, value)

    monkeypatch.setattr(os, "setpriority", recording)
    folder = tmp_path / "spool"
    folder.mkdir()
    base = os.getpriority(os.PRIO_PROCESS, 0)
    loader = SpoolLoader(folder, tmp_path / "store")
    waiting = threading.Thread(target=loader.result)  # the build starts waiting for it ...
    waiting.start()
    assert loader._hurry.wait(5)
    spool = Spool(folder)  # ... and only then does a chunk come: the loader goes back first
    spool.add(lines(0, 10))
    spool.finish()
    waiting.join(10)
    assert not waiting.is_alive()
    (tid,) = {who for who, _ in calls}
    assert tid != threading.get_native_id(), "the loader's thread is niced, not the caller's"
    niced = min(base + kg.build.spool.NICE, 19)
    if os.geteuid() == 0:  # going back needs the right to raise a priority
        assert [value for _, value in calls] == [niced, base]
    else:
        assert [value for _, value in calls][0] == niced


def test_a_chunk_the_store_cannot_read_is_raised_by_result(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    (folder / "1-000000.nq").write_text("<not a quad\n", encoding="utf-8")
    (folder / DONE).touch()
    with pytest.raises(SyntaxError):
        SpoolLoader(folder, tmp_path / "store").result()


def test_a_build_spooled_by_two_processes_in_small_chunks_stores_exactly_kg_nq(
    seeds_copy, tmp_path, monkeypatch
):
    monkeypatch.setattr(kg.build.cache, "PARALLEL_FROM", 1)  # the worker makes and spools files too
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    # chunks of several files, from both processes: a fact file makes 190-370 kB of quads
    monkeypatch.setattr(kg.build.spool, "CHUNK_BYTES", 500_000)
    out = tmp_path / "build"
    report = build(seeds_copy, out)
    assert "spool the rest" in report.seconds and "update store" not in report.seconds
    nq = (out / "kg.nq").read_text(encoding="utf-8").splitlines()
    store = ox.Store.read_only(str(out / "store"))
    assert quads_in(store) == expected(nq)
    assert not list(out.glob(".tmp-*"))


def test_a_build_from_scratch_with_bad_seeds_stops_its_loader(seeds_copy, tmp_path):
    facts = seeds_copy / "facts"
    path = sorted(facts.glob("*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "  - id: broken\n    quote: [\n", encoding="utf-8")
    out = tmp_path / "fresh"
    result = CliRunner().invoke(main, ["build", "-q", "--seeds", str(seeds_copy), "--build-dir", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and path.name in result.output
    assert not any(t.name == "spool-loader" and t.is_alive() for t in threading.enumerate())
    assert not list(out.glob(".tmp-*")) and not any(out.glob("kg.*")) and not (out / "store").exists()


def test_a_loader_that_fails_fails_the_build_and_leaves_nothing(seeds_copy, tmp_path, monkeypatch):
    finish = Spool.finish

    def broken(self):
        (self.folder / "0-bad.nq").write_text("<not a quad\n", encoding="utf-8")
        finish(self)

    monkeypatch.setattr(Spool, "finish", broken)
    out = tmp_path / "fresh"
    with pytest.raises(SyntaxError):
        build(seeds_copy, out)
    assert not any(t.name == "spool-loader" and t.is_alive() for t in threading.enumerate())
    assert not list(out.glob(".tmp-*")) and not any(out.glob("kg.*")) and not (out / "store").exists()
