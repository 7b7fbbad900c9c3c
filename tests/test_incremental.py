"""Incremental check and build (kg.build.cache): after one fact file changes, the same answers as a
check from scratch, and byte for byte the same outputs as a build from scratch."""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

import pytest
from helpers import snapshot

from kg.build.pipeline import build, check
from kg.errors import KgError, ValidationFailed

FACTS = "000_47059b8c57473c03.yaml"
NEIGHBOURHOOD = "generate RDF of the neighbourhood"


def outcome(fn, *args, **kwargs) -> str:
    """What a user sees: the report's counts, or the error's full text."""
    try:
        report = fn(*args, **kwargs)
    except KgError as exc:
        return f"{type(exc).__name__}: {exc}"
    return (
        f"ok {report.facts} facts, {report.quads} quads, {report.articles} articles, notices {report.notices}"
    )


@pytest.fixture()
def baseline(seeds_copy, tmp_path) -> tuple[Path, Path]:
    """A seeds copy and a successful build of it (which leaves the cache and its baseline)."""
    out = tmp_path / "build"
    build(seeds_copy, out)
    assert (out / "cache" / "state").is_dir()
    return seeds_copy, out


def edit(seeds: Path, old: str, new: str) -> None:
    path = seeds / "facts" / FACTS
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MUTATIONS = {
    # a valid change of a single-valued property: still conforms
    "new rate": ("    rate: 245\n", "    rate: 250\n", None),
    # SHACL: out of range, on a value other facts also state about the same measure
    "rate out of range": (
        "    rate: 245\n",
        "    rate: 2000\n",
        "a rate is a number of per cent between 0 and 1000",
    ),
    # SHACL: a measure status from the agreement scheme
    "agreement status on a measure": (
        "    rateKind: maximum\n    status: in force\n",
        "    rateKind: maximum\n    status: agreed\n",
        "a measure's status comes from tdo:MeasureStatusScheme",
    ),  # fmt: skip
    # violation query over facts of two files about one letter
    "letter to self": (
        "    sender: li-qiang\n    recipient: shigeru-ishiba\n",
        "    sender: li-qiang\n    recipient: li-qiang\n",
        "sender and recipient are the same actor",
    ),  # fmt: skip
    # violation query one hop away: the measure retaliated against has the same imposer
    "retaliation against own measure": (
        "    retaliatesAgainst: us-tariffs-on-china\n",
        "    retaliatesAgainst: china-seafood-import-ban\n",
        "a measure cannot retaliate against a measure of its own imposer",
    ),  # fmt: skip
    # a seed error: unknown key
    "unknown key": (
        "    sender: li-qiang\n",
        "    sender: li-qiangg\n",
        "unknown entity key 'li-qiangg' in sender",
    ),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_incremental_check_answers_as_a_full_check(baseline, name):
    seeds, out = baseline
    old, new, expected = MUTATIONS[name]
    edit(seeds, old, new)
    stages: list[str] = []
    incremental = outcome(check, seeds, stages.append, out)
    assert incremental == outcome(check, seeds)
    if expected is None:
        assert incremental.startswith("ok ")
    else:
        assert expected in incremental
    if name != "unknown key":
        assert NEIGHBOURHOOD in stages, "only the neighbourhood of the change was validated"


def test_removing_a_fact_is_seen(baseline):
    seeds, out = baseline
    path = seeds / "facts" / FACTS
    text = path.read_text(encoding="utf-8")
    # drop the first fact of the file (from its "- id:" to the next one)
    first = text.index("  - id:")
    second = text.index("  - id:", first + 1)
    path.write_text(text[:first] + text[second:], encoding="utf-8")
    stages: list[str] = []
    incremental = outcome(check, seeds, stages.append, out)
    assert incremental == outcome(check, seeds)
    assert NEIGHBOURHOOD in stages
    full = outcome(check, seeds)
    assert int(re.match(r"ok (\d+) facts", full).group(1)) == build_facts(out) - 1


def build_facts(out: Path) -> int:
    import json

    return len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["facts"])


def test_check_writes_nothing(baseline):
    seeds, out = baseline
    before = snapshot(out)
    edit(seeds, "    rate: 245\n", "    rate: 2000\n")
    outcome(check, seeds, build_dir=out)
    assert snapshot(out) == before


def test_incremental_build_gives_the_bytes_and_store_of_a_full_build(baseline, tmp_path):
    seeds, out = baseline
    edit(seeds, "    rate: 245\n", "    rate: 250\n")
    stages: list[str] = []
    build(seeds, out, stages.append)
    assert NEIGHBOURHOOD in stages
    assert "update store" in stages and "load store" not in stages, "the last store is patched"
    fresh = tmp_path / "fresh"
    build(seeds, fresh)
    for name in ("kg.nq", "manifest.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert store_content(out) == store_content(fresh)
    assert '"250"^^<http://www.w3.org/2001/XMLSchema#decimal>' in (out / "kg.nq").read_text(encoding="utf-8")


def test_a_store_that_does_not_match_its_nquads_is_loaded_again(baseline, tmp_path):
    seeds, out = baseline
    nq = out / "kg.nq"
    nq.write_bytes(nq.read_bytes().replace(b"245", b"246"))  # no longer what the store holds
    edit(seeds, "    rate: 245\n", "    rate: 250\n")
    stages: list[str] = []
    build(seeds, out, stages.append)
    assert "update store" in stages and "load store" in stages  # tried, refused, loaded
    fresh = tmp_path / "fresh"
    build(seeds, fresh)
    assert store_content(out) == store_content(fresh)


def test_patching_a_store_adds_and_removes_exactly_the_changed_lines(baseline, tmp_path):

    from kg.store import bulk_load, patch_store, store_path

    _, out = baseline
    old = out / "kg.nq"
    lines = old.read_bytes().splitlines(keepends=True)
    kept = lines[:10] + lines[11:]  # one quad gone
    extra = b'<https://w3id.org/trade-dispute/id/zz> <https://w3id.org/trade-dispute/ontology#rate> "1" <https://w3id.org/trade-dispute/fact/zz> .\n'  # fmt: skip
    new = tmp_path / "new.nq"
    new.write_bytes(b"".join(sorted(kept + [extra])))
    sha = hashlib.sha256(old.read_bytes()).hexdigest()
    store = patch_store(store_path(out), old, sha, new, tmp_path / "patched")
    # the same quads as a bulk load of the new file (Oxigraph stores some datatypes its own way)
    assert {str(q) for q in store} == {str(q) for q in bulk_load(new, tmp_path / "loaded")}
    assert len(store) == len(lines)
    # a wrong digest, or more than the allowed share of changed lines: no patch, nothing written
    assert patch_store(store_path(out), old, "0" * 64, new, tmp_path / "wrong") is None
    assert patch_store(store_path(out), old, sha, new, tmp_path / "tiny", most=1e-6) is None
    assert not (tmp_path / "wrong").exists() and not (tmp_path / "tiny").exists()


def store_content(build_dir: Path) -> tuple[set[str], set[str]]:
    from kg.store import open_store

    store = open_store(build_dir)
    quads = {str(q) for q in store}
    graphs = {str(g) for g in store.named_graphs()}
    del store
    return quads, graphs


def test_failed_incremental_build_changes_nothing(baseline):
    seeds, out = baseline
    before = snapshot(out)
    edit(seeds, "    rate: 245\n", "    rate: 2000\n")
    assert outcome(build, seeds, out).startswith("ValidationFailed")
    assert snapshot(out) == before


def test_a_changed_registry_validates_everything_again(baseline):
    seeds, out = baseline
    registry = seeds / "entities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\nextra-place:\n  type: Place\n  label: Extra\n", encoding="utf-8")  # fmt: skip
    edit(seeds, "    rate: 245\n", "    rate: 2000\n")
    stages: list[str] = []
    incremental = outcome(check, seeds, stages.append, out)
    assert incremental == outcome(check, seeds)
    assert NEIGHBOURHOOD not in stages
    assert "a rate is a number of per cent between 0 and 1000" in incremental


def test_cache_keeps_only_the_entries_of_the_last_build(baseline):
    seeds, out = baseline
    files = len(list((seeds / "facts").glob("*.yaml")))
    edit(seeds, "    rate: 245\n", "    rate: 250\n")
    build(seeds, out)
    assert len(list((out / "cache" / "data").iterdir())) == files
    assert len(list((out / "cache" / "meta").iterdir())) == files


def record_side_jobs(monkeypatch, seen: Path) -> None:
    """Each run of the SHACL job leaves a line in seen: its name, niceness and pid."""
    import kg.build.pipeline as pipeline

    def recording(name, job):
        def run(*args):
            with open(seen, "a", encoding="utf-8") as out:
                out.write(f"{name} {os.nice(0)} {os.getpid()}\n")
            return job(*args)

        return run

    monkeypatch.setattr(pipeline, "_shacl_job", recording("shacl", pipeline._shacl_job))


def test_a_build_runs_shacl_niced_in_a_process_of_its_own(seeds_copy, tmp_path, monkeypatch):
    """The store is on the critical path: the SHACL process yields the CPU to it."""

    seen = tmp_path / "side-jobs"
    record_side_jobs(monkeypatch, seen)
    build(seeds_copy, tmp_path / "build")
    runs = [line.split() for line in seen.read_text().splitlines()]
    assert [name for name, _, _ in runs] == ["shacl"]
    assert {int(nice) for _, nice, _ in runs} == {os.nice(0) + 10}
    pids = {int(pid) for _, _, pid in runs}
    assert len(pids) == 1 and os.getpid() not in pids


def test_a_shacl_failure_publishes_nothing(seeds_copy, tmp_path, monkeypatch):
    seen = tmp_path / "side-jobs"
    record_side_jobs(monkeypatch, seen)
    path = seeds_copy / "facts" / FACTS
    body = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(
        body + "  - id: t-shacl\n    quote: his Japanese counterpart Shigeru Ishiba\n"
        "    subject: prime-minister-of-japan\n    heldBy: japan\n",
        encoding="utf-8",
    )
    out = tmp_path / "build"
    with pytest.raises(ValidationFailed, match="a post is held by a person"):
        build(seeds_copy, out)
    assert "shacl" in seen.read_text().split()
    assert not (out / "kg.nq").exists() and not list(out.glob(".tmp-*"))


def test_a_failed_incremental_build_runs_no_side_jobs(baseline, tmp_path, monkeypatch):
    seeds, out = baseline
    seen = tmp_path / "side-jobs"
    record_side_jobs(monkeypatch, seen)
    edit(seeds, *MUTATIONS["rate out of range"][:2])
    with pytest.raises(ValidationFailed, match="a rate is a number of per cent between 0 and 1000"):
        build(seeds, out)
    assert not seen.exists(), "the neighbourhood failed: SHACL did not have to run"


# --- file hashes: seed files whose metadata is unchanged are not read again (kg.build.cache.FileHashes)


def seed_files(seeds: Path) -> list[Path]:
    """The seed files a build reads: gold mentions (seeds/mentions) are evaluation data it leaves alone."""
    return [
        p
        for p in seeds.rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".txt") and p.parent.name != "mentions"
    ]


def test_a_check_after_a_build_reads_only_the_changed_file(baseline, monkeypatch):
    import kg.build.cache

    seeds, out = baseline
    monkeypatch.setattr(kg.build.cache, "RACY_NS", 0)  # the copy was made just now; see the racy tests
    build(seeds, out)  # records the hashes with the window closed
    assert kg.build.cache.load_cached(seeds, out, data=False).hashes.read == 0
    edit(seeds, "    sender: li-qiang\n", "    sender: li-qianx\n")  # same size
    loaded = kg.build.cache.load_cached(seeds, out, data=False)
    assert loaded.hashes.read == 1
    assert any("unknown entity key 'li-qianx'" in p.message for p in loaded.problems)


def test_a_change_that_keeps_size_and_modification_time_is_seen(baseline, monkeypatch):
    import kg.build.cache

    seeds, out = baseline
    monkeypatch.setattr(kg.build.cache, "RACY_NS", 0)
    build(seeds, out)
    path = seeds / "facts" / FACTS
    before = path.stat()
    edit(seeds, "    sender: li-qiang\n", "    sender: li-qianx\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or `touch -r` would
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert "unknown entity key 'li-qianx'" in outcome(check, seeds, build_dir=out)


def record_for(path: Path, taken_ns: int, sha: str) -> dict:
    st = path.stat()
    signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
    return {"format": 1, "taken_ns": taken_ns, "files": {os.path.abspath(path): (signature, sha)}}


def test_a_recorded_hash_is_trusted_only_outside_the_racy_window(tmp_path):
    from kg.build.cache import RACY_NS, FileHashes

    path = tmp_path / "f.yaml"
    path.write_text("facts: []\n", encoding="utf-8")
    true = hashlib.sha256(path.read_bytes()).hexdigest()
    changed = max(path.stat().st_mtime_ns, path.stat().st_ctime_ns)
    # a recorded hash is trusted without reading the file: a wrong one shows that it was
    settled = FileHashes(record_for(path, changed + RACY_NS + 1, "0" * 64))
    assert (settled.sha256(path), settled.read) == ("0" * 64, 0)
    # recorded too soon after the file changed: it may have changed again in the same tick
    racy = FileHashes(record_for(path, changed + RACY_NS, "0" * 64))
    assert (racy.sha256(path), racy.read) == (true, 1)
    # any part of the signature differing means reading the file
    other = record_for(path, changed + RACY_NS + 1, "0" * 64)
    name, (signature, sha) = next(iter(other["files"].items()))
    other["files"][name] = ((signature[0] + 1, *signature[1:]), sha)
    assert FileHashes(other).sha256(path) == true
    # an unknown format, nothing recorded, a missing file
    assert FileHashes({"format": 99, "taken_ns": 0, "files": {}}).sha256(path) == true
    assert FileHashes(None).sha256(path) == true
    assert FileHashes(None).sha256(tmp_path / "gone.yaml") == hashlib.sha256(b"").hexdigest()


def test_the_record_is_dated_before_any_file_is_looked_at(tmp_path, monkeypatch):
    import kg.build.cache
    from kg.build.cache import FileHashes

    monkeypatch.setattr(kg.build.cache, "RACY_NS", 0)
    # a long build: it starts a second before the file changes and records 100 s later
    now = time.time_ns()
    clock = iter([now - 10**9, now + 100 * 10**9, now + 200 * 10**9])
    monkeypatch.setattr(kg.build.cache, "time_ns", lambda: next(clock))
    hashes = FileHashes(None)
    path = tmp_path / "f.yaml"
    path.write_text("facts: []\n", encoding="utf-8")
    hashes.sha256(path)
    again = FileHashes(hashes.record())
    again.sha256(path)
    assert again.read == 1, "the file changed after the build started: its hash is not trusted"


def test_a_file_that_cannot_be_read_is_not_recorded(tmp_path):
    from kg.build.cache import FileHashes

    hashes = FileHashes(None)
    folder = tmp_path / "d.yaml"
    folder.mkdir()  # stat works, reading fails
    assert hashes.sha256(folder) == hashlib.sha256(b"").hexdigest()
    assert hashes.record()["files"] == {}


@pytest.mark.parametrize("record", [None, {}, [], {"format": 1}, {"format": 1, "taken_ns": "x", "files": {}}, {"format": 1, "taken_ns": 0, "files": 3}, {"format": 1, "taken_ns": 0, "files": {"a": 1}}])  # fmt: skip
def test_a_malformed_record_means_reading_every_file(tmp_path, record):
    from kg.build.cache import FileHashes

    path = tmp_path / "f.yaml"
    path.write_text("facts: []\n", encoding="utf-8")
    if isinstance(record, dict) and isinstance(record.get("files"), dict) and record["files"]:
        record["files"] = {os.path.abspath(path): 1}
    hashes = FileHashes(record)
    assert hashes.sha256(path) == hashlib.sha256(b"facts: []\n").hexdigest()
    assert hashes.read == 1


def test_a_replaced_file_is_read_again(tmp_path):
    from kg.build.cache import RACY_NS, FileHashes

    path = tmp_path / "f.yaml"
    path.write_text("facts: []\n", encoding="utf-8")
    st = path.stat()
    record = record_for(path, max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS + 1, "0" * 64)
    twin = tmp_path / "g.yaml"
    twin.write_text("facts: {}\n", encoding="utf-8")  # same size, another inode
    os.utime(twin, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(twin, path)
    hashes = FileHashes(record)
    assert hashes.sha256(path) == hashlib.sha256(b"facts: {}\n").hexdigest()
    assert hashes.read == 1


def test_a_build_records_the_hashes_of_every_seed_file(baseline):
    from kg.build.cache import Cache

    seeds, out = baseline
    recorded = Cache(out).read("state", "hashes")
    files = {os.path.abspath(p) for p in seed_files(seeds)}
    assert files <= set(recorded["files"])
    for name in files:
        assert recorded["files"][name][1] == hashlib.sha256(Path(name).read_bytes()).hexdigest()
