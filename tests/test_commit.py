"""One commit (issue 22): the build lock, a build killed at every step of its commit, stale leftovers, offsets' datatype."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.pipeline import build
from kg.build.publish import COMMIT_STEPS, build_lock
from kg.cli import main
from kg.errors import StoreError
from kg.store import BUILDS_DIR as BUILDS
from kg.store import CURRENT_LINK as CURRENT

FACTS = "000_47059b8c57473c03.yaml"

# A build in a process of its own whose kg.build.publish.reached(step) kills it with SIGKILL at the
# step named by argv[3] ("adopt ..." and commit steps), or, with argv[4], waits there until the
# file argv[4] exists (having created argv[4] + ".here").
BUILD_UNTIL = """
import os, signal, sys, time
from pathlib import Path
import kg.build.publish

def reached(step):
    if step != sys.argv[3]:
        return
    if len(sys.argv) < 5:
        os.kill(os.getpid(), signal.SIGKILL)
    Path(sys.argv[4] + ".here").touch()
    deadline = time.monotonic() + 120
    while not Path(sys.argv[4]).exists() and time.monotonic() < deadline:
        time.sleep(0.02)

kg.build.publish.reached = reached
from kg.build.pipeline import build
build(sys.argv[1], sys.argv[2])
"""


def start_build(seeds: Path, out: Path, step: str, go: Path | None = None) -> subprocess.Popen:
    args = [sys.executable, "-c", BUILD_UNTIL, str(seeds), str(out), step]
    if go is not None:
        args.append(str(go))
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def change_a_rate(seeds: Path, old: str = "245", new: str = "250") -> None:
    path = seeds / "facts" / FACTS
    text = path.read_text(encoding="utf-8")
    assert f"    rate: {old}\n" in text
    path.write_text(text.replace(f"    rate: {old}\n", f"    rate: {new}\n", 1), encoding="utf-8")


def nquads_digest(out: Path) -> str:
    return hashlib.sha256((out / "kg.nq").read_bytes()).hexdigest()


def one_build(out: Path) -> str:
    """Check that kg.nq, manifest.json and the store of out belong to one build; its digest."""
    import pyoxigraph as ox

    digest = nquads_digest(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["nquads_sha256"] == digest, "kg.nq and manifest.json come from different builds"
    lines = set((out / "kg.nq").read_text(encoding="utf-8").splitlines())
    assert manifest["quads"] == len(lines)
    store = ox.Store.read_only(str(out / "store"))
    try:
        assert len(store) == len(lines), "the store and kg.nq come from different builds"
        held = set(ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())
    finally:
        del store
    assert held == lines, "the store does not hold kg.nq"
    return digest


def leftovers(out: Path) -> list[str]:
    """What a finished build should not leave: temporary folders, other builds, old stores, links."""
    found = [p.name for p in out.iterdir() if p.name.startswith((".tmp-", "store-")) or ".link-" in p.name]
    current = (out / CURRENT).resolve()
    found += [p.name for p in (out / BUILDS).iterdir() if p.resolve() != current]
    return found


def to_old_layout(out: Path) -> None:
    """Turn a build folder into the layout kg build made before .builds: outputs as files and
    ``store`` a link to ``store-<digest>``."""
    digest = nquads_digest(out)
    folder = (out / CURRENT).resolve()
    for name in ("kg.nq", "manifest.json"):
        (out / name).unlink()
        shutil.copy2(folder / name, out / name)
    (out / "store").unlink()
    os.rename(folder / "store", out / f"store-{digest[:16]}")
    (out / "store").symlink_to(f"store-{digest[:16]}")
    (out / CURRENT).unlink()
    shutil.rmtree(out / BUILDS)


@pytest.fixture()
def old_and_new(seeds_copy, tmp_path) -> tuple[Path, Path, str]:
    """Seeds with a changed rate, and a build folder holding the build from before the change."""
    out = tmp_path / "build"
    build(seeds_copy, out)
    old = one_build(out)
    change_a_rate(seeds_copy)
    return seeds_copy, out, old


# ------------------------------------------------------------------------------ killed commits


@pytest.mark.parametrize("step", COMMIT_STEPS)
def test_a_build_killed_at_each_step_of_its_commit_leaves_one_build(old_and_new, step):
    seeds, out, old = old_and_new
    proc = start_build(seeds, out, step)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    after = one_build(out)
    swapped = COMMIT_STEPS.index(step) >= COMMIT_STEPS.index("swapped")
    assert (after != old) == swapped, "the old build until current is swapped, the new one after"
    # the next build cleans up after the killed one and publishes the new outputs
    build(seeds, out)
    new = one_build(out)
    assert new != old and (new == after or not swapped)
    assert leftovers(out) == []


@pytest.mark.parametrize("step", COMMIT_STEPS)
def test_a_first_build_killed_in_its_commit_leaves_no_outputs_or_its_own(seeds_copy, tmp_path, step):
    out = tmp_path / "build"
    proc = start_build(seeds_copy, out, step)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    if COMMIT_STEPS.index(step) < COMMIT_STEPS.index("swapped"):
        assert not any((out / name).exists() for name in ("kg.nq", "manifest.json", "store"))
        result = CliRunner().invoke(main, ["query", "--build-dir", str(out), "ASK { ?s ?p ?o }"])
        assert result.exit_code == 2 and "run 'kg build' first" in result.output
    else:
        one_build(out)


ADOPT_STEPS = ("adopt staged", "adopt current", "adopt kg.nq", "adopt manifest.json")


@pytest.mark.parametrize("step", [*ADOPT_STEPS, "swapped"])
def test_a_folder_of_the_old_layout_is_adopted_safely(old_and_new, step):
    seeds, out, old = old_and_new
    to_old_layout(out)
    one_build(out)
    proc = start_build(seeds, out, step)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert one_build(out) == old if step != "swapped" else one_build(out) != old
    stages: list[str] = []
    build(seeds, out, stages.append)
    new = one_build(out)
    assert new != old and leftovers(out) == []
    assert (out / "previous" / "kg.nq").is_file() and not (out / "previous" / "kg.nq").is_symlink()
    if step != "swapped":
        assert "update store" in stages and "load store" not in stages, "the adopted store is patched"
        assert hashlib.sha256((out / "previous" / "kg.nq").read_bytes()).hexdigest() == old


# ------------------------------------------------------------------------------------ the lock


def test_a_second_build_is_refused_while_one_runs(old_and_new, tmp_path):
    seeds, out, old = old_and_new
    go = tmp_path / "go"
    first = start_build(seeds, out, "staged", go)
    try:
        deadline = time.monotonic() + 120
        while not Path(f"{go}.here").exists():
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.02)
        work = list(out.glob(".tmp-*"))
        assert len(work) == 1
        second = subprocess.run(
            [sys.executable, "-m", "kg", "build", "-q", "--seeds", str(seeds), "--build-dir", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2, second.stderr
        assert f"error: another kg build is running in {out}" in second.stderr
        assert "Traceback" not in second.stderr
        assert list(out.glob(".tmp-*")) == work and (work[0] / "outputs" / "kg.nq").is_file()
        assert one_build(out) == old
        # kg check writes nothing and takes no lock
        check = CliRunner().invoke(main, ["check", "-q", "--seeds", str(seeds), "--build-dir", str(out)])
        assert check.exit_code == 0, check.output
    finally:
        go.touch()
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    new = one_build(out)
    assert new != old
    # once it is done, the next build goes ahead
    assert (
        CliRunner().invoke(main, ["build", "-q", "--seeds", str(seeds), "--build-dir", str(out)]).exit_code
        == 0
    )
    assert one_build(out) == new and leftovers(out) == []


def test_two_builds_started_together_never_corrupt_each_other(old_and_new):
    seeds, out, old = old_and_new
    command = [sys.executable, "-m", "kg", "build", "-q", "--seeds", str(seeds), "--build-dir", str(out)]
    outcomes = set()
    for _ in range(3):
        procs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.communicate(timeout=120)[1], p.returncode)[::-1] for p in procs]
        for code, err in results:
            assert code in (0, 2), err
            assert code == 0 or "another kg build is running" in err
        assert 0 in {code for code, _ in results}
        outcomes.add(tuple(sorted(code for code, _ in results)))
        assert one_build(out) != old and leftovers(out) == []
    assert outcomes <= {(0, 0), (0, 2)}


# Takes the lock, forks a child that sleeps, and is killed while holding the lock.
FORK_THEN_DIE = """
import multiprocessing, os, signal, sys, time
from pathlib import Path
import kg.build.publish

folder = Path(sys.argv[1])

def child():
    (folder / "child.pid").write_text(str(os.getpid()))
    time.sleep(60)

with kg.build.publish.build_lock(folder):
    multiprocessing.get_context("fork").Process(target=child).start()
    while not (folder / "child.pid").exists():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_child_left_running_by_a_killed_build_does_not_hold_the_lock(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", FORK_THEN_DIE, str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert proc.wait(timeout=60) == -signal.SIGKILL
    child = int((tmp_path / "child.pid").read_text())
    try:
        assert (tmp_path / ".build.lock").exists()  # left by the killed build
        os.kill(child, 0)  # the child still runs, with the lock file open...
        with build_lock(tmp_path):  # ...yet the lock is free
            assert (tmp_path / ".build.lock").exists()
            with pytest.raises(StoreError, match="another kg build is running"), build_lock(tmp_path):
                pass
        assert not (tmp_path / ".build.lock").exists()
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_lock_file_that_cannot_be_opened_is_a_clear_error(seeds_copy, tmp_path):
    out = tmp_path / "build"
    (out / ".build.lock").mkdir(parents=True)  # (a read-only folder does the same, except for root)
    result = CliRunner().invoke(main, ["build", "-q", "--seeds", str(seeds_copy), "--build-dir", str(out)])
    assert result.exit_code == 2
    assert f"error: cannot lock {out / '.build.lock'}: Is a directory" in result.output


# A build whose SHACL process writes its pid to argv[3] and sleeps, so that it can be killed then.
SLOW_SHACL = """
import os, sys, time
from pathlib import Path
import kg.build.pipeline

def slow_shacl(nq, locations, progress):
    Path(sys.argv[3]).write_text(str(os.getpid()))
    time.sleep(60)

kg.build.pipeline._shacl_job = slow_shacl
kg.build.pipeline.build(sys.argv[1], sys.argv[2])
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" not in status.read_text()


def test_a_killed_build_leaves_no_process_working(seeds_copy, tmp_path):
    pid_file = tmp_path / "shacl.pid"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_SHACL, str(seeds_copy), str(tmp_path / "build"), str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not pid_file.exists() or not pid_file.read_text():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    side = int(pid_file.read_text())
    proc.kill()
    proc.wait()
    try:
        deadline = time.monotonic() + 10
        while alive(side) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(side), "the SHACL process of a killed build kept working"
    finally:
        if alive(side):
            os.kill(side, signal.SIGKILL)


# ------------------------------------------------------------------------- stale leftovers


def test_stale_builds_stores_and_links_are_removed(old_and_new):
    seeds, out, old = old_and_new
    junk = [
        out / ".tmp-999999" / "store",
        out / BUILDS / "0123456789abcdef-1" / "store",
        out / BUILDS / ".adopt-7",
        out / "store-0123456789abcdef",
    ]
    for folder in junk:
        folder.mkdir(parents=True)
        (folder / "data").write_text("x")
    (out / ".store.link-42").symlink_to("store-0123456789abcdef")
    (out / ".current.link-43").symlink_to(BUILDS)
    assert len(leftovers(out)) == 6
    build(seeds, out)
    assert one_build(out) != old
    assert leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [BUILDS, "cache", CURRENT, "kg.nq", "manifest.json", "previous", "store"]
    )


@pytest.mark.parametrize("name", ["current", "kg.nq", "store"])
def test_a_folder_in_the_way_is_refused_before_any_work(seeds_copy, tmp_path, name):
    out = tmp_path / "build"
    (out / name).mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", "-q", "--seeds", str(seeds_copy), "--build-dir", str(out)])
    assert result.exit_code == 2
    assert f"error: {out / name} is a folder kg build did not make; move it away first" in result.output
    assert sorted(p.name for p in out.iterdir()) == [name]


# ---------------------------------------------------------------------------- offsets' datatype


def test_the_store_holds_kg_nq_term_for_term(built):
    # Oxigraph stores every xsd:integer subtype (nonNegativeInteger included) as xsd:integer;
    # the build writes offsets as xsd:integer, so what the store gives back is what kg.nq says
    one_build(built)
    assert "XMLSchema#nonNegativeInteger" not in (built / "kg.nq").read_text(encoding="utf-8")
