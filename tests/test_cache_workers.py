"""A build from scratch reads its fact files in two processes (kg.build.cache._read_afresh): the same
entries, problems and outputs as one process, and a failure on either side is reported."""

from __future__ import annotations

import os
import pickle
import signal
from pathlib import Path

import pytest

import kg.build.cache
from kg.build.cache import Cache, load_cached
from kg.build.pipeline import build


@pytest.fixture()
def forks(monkeypatch) -> list[int]:
    """Reading in two processes from the first file on (as on two cores, whatever this machine
    has); the pids forked here are recorded."""
    monkeypatch.setattr(kg.build.cache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    pids: list[int] = []
    fork = os.fork

    def recording_fork() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return pids


def serial(monkeypatch) -> None:
    monkeypatch.setattr(kg.build.cache, "PARALLEL_FROM", 10**9)


def read(seeds: Path, tmp_path: Path, name: str):
    stage = Cache(tmp_path / name)
    return load_cached(seeds, tmp_path / f"{name}-build", stage=stage), stage


def made_here(monkeypatch) -> list[str]:
    """The names of the fact files whose entries this process makes from now on."""
    names: list[str] = []
    make = kg.build.cache._file_entry

    def recording(path, *args):
        names.append(path.name)
        return make(path, *args)

    monkeypatch.setattr(kg.build.cache, "_file_entry", recording)
    return names


def test_two_processes_make_the_entries_and_cache_of_one(seeds_copy, tmp_path, monkeypatch, forks):
    here = made_here(monkeypatch)
    two, two_stage = read(seeds_copy, tmp_path, "two")
    assert len(forks) == 1, "the fact files were not shared with a worker"
    files = sorted(p.name for p in (seeds_copy / "facts").glob("*.yaml"))
    assert here == [files[1], files[3]], "this process makes the even-numbered files, the worker the rest"
    serial(monkeypatch)
    one, one_stage = read(seeds_copy, tmp_path, "one")
    assert len(forks) == 1
    assert len(two.entries) == 5
    assert two.entries == one.entries
    assert two.changed == one.changed
    assert two.problems == one.problems == []
    for folder in ("data", "meta"):
        written = {p.name: pickle.loads(p.read_bytes()) for p in (two_stage.root / folder).iterdir()}
        expected = {p.name: pickle.loads(p.read_bytes()) for p in (one_stage.root / folder).iterdir()}
        assert len(written) == 5
        assert written == expected
    assert not [p for p in two_stage.root.rglob("*") if ".tmp-" in p.name]


def test_a_bad_file_read_by_the_worker_is_reported_as_by_one_process(
    seeds_copy, tmp_path, monkeypatch, forks
):
    # the worker takes the odd-numbered files of every nine, from the first: this one is its
    path = sorted((seeds_copy / "facts").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    rate: 245\n", "    rate: lots\n", 1), encoding="utf-8")
    two, _ = read(seeds_copy, tmp_path, "two")
    assert forks
    serial(monkeypatch)
    one, _ = read(seeds_copy, tmp_path, "one")
    assert two.problems == one.problems
    (problem,) = [p for p in two.problems if "lots" in p.message]
    assert problem.path.endswith(path.name) and problem.line > 0


@pytest.mark.parametrize("side", ["worker", "parent"])
def test_a_failure_on_either_side_ends_both(seeds_copy, tmp_path, monkeypatch, forks, side):
    files = sorted((seeds_copy / "facts").glob("*.yaml"))
    failing = files[0 if side == "worker" else 1].name
    make = kg.build.cache._file_entry

    def broken(path, *args):
        if path.name == failing:
            raise ValueError(f"cannot read {path.name}")
        return make(path, *args)

    monkeypatch.setattr(kg.build.cache, "_file_entry", broken)
    # the parent's own error as it is; the worker's with its traceback
    with pytest.raises(RuntimeError if side == "worker" else ValueError) as raised:
        read(seeds_copy, tmp_path, "two")
    assert f"cannot read {failing}" in str(raised.value)
    if side == "worker":
        assert "the worker reading fact files failed (exit code 1)" in str(raised.value)
    (pid,) = forks
    with pytest.raises(ChildProcessError):  # the worker has ended and been waited for
        os.waitpid(pid, os.WNOHANG)


def test_a_failed_worker_stops_this_process_before_its_next_file(seeds_copy, tmp_path, monkeypatch, forks):
    files = sorted((seeds_copy / "facts").glob("*.yaml"))
    here: list[str] = []
    make = kg.build.cache._file_entry

    def broken(path, *args):
        if path.name == files[0].name:  # the worker's first file
            raise ValueError(f"cannot read {path.name}")
        if os.getpid() == parent:
            here.append(path.name)
            (pid,) = forks
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # until the worker has ended (not reaped)
        return make(path, *args)

    parent = os.getpid()
    monkeypatch.setattr(kg.build.cache, "_file_entry", broken)
    with pytest.raises(RuntimeError, match=f"cannot read {files[0].name}"):
        read(seeds_copy, tmp_path, "two")
    assert here == [files[1].name], "this process went on with its share after the worker failed"


def test_a_worker_killed_by_a_signal_is_reported(seeds_copy, tmp_path, monkeypatch, forks):
    files = sorted((seeds_copy / "facts").glob("*.yaml"))
    make = kg.build.cache._file_entry

    def killed(path, *args):
        if path.name == files[2].name:  # the worker's second file
            os.kill(os.getpid(), signal.SIGKILL)
        return make(path, *args)

    monkeypatch.setattr(kg.build.cache, "_file_entry", killed)
    with pytest.raises(RuntimeError, match=r"the worker reading fact files failed \(exit code -9\)"):
        read(seeds_copy, tmp_path, "two")


def test_a_build_read_in_two_processes_writes_the_outputs_of_one(seeds_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.build.cache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    makers = tmp_path / "makers"
    make = kg.build.cache._file_entry

    def recording(path, *args):  # the build runs in children: each appends its pid to a file
        with open(makers, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return make(path, *args)

    monkeypatch.setattr(kg.build.cache, "_file_entry", recording)
    build(seeds_copy, tmp_path / "two")
    assert len(set(makers.read_text().split())) == 2, "the build's fact files were not read by two processes"
    serial(monkeypatch)
    build(seeds_copy, tmp_path / "one")
    for name in ("kg.nq", "manifest.json"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    cached = {}
    for side in ("two", "one"):
        root = tmp_path / side / "cache"
        cached[side] = {
            str(p.relative_to(root)): pickle.loads(p.read_bytes()) for p in root.rglob("*.pickle")
        }
    hashes = f"state/{kg.build.cache.Cache.name('hashes')}.pickle"
    for side in cached:  # the file hashes are dated by the build that recorded them
        assert cached[side][hashes].pop("taken_ns") > 0
    assert cached["two"] == cached["one"]
    assert len(cached["one"]) >= 10
