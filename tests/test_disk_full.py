"""A full disk while a build writes its outputs: a one-line error and exit 2, the previous
outputs untouched. The file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) makes each write past
it fail as a full disk does (EFBIG for ENOSPC), in the build and in every process it forks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build.pipeline import build

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from kg.cli import main
main(["build", "-q", "--seeds", sys.argv[1], "--build-dir", sys.argv[2]])
"""


def outputs(folder: Path) -> dict[str, bytes]:
    """What a reader of the build folder sees."""
    return {name: (folder / name).read_bytes() for name in ("kg.nq", "manifest.json")}


@pytest.mark.parametrize("limit", [64 * 1024, 256 * 1024, 1024 * 1024])
def test_a_full_disk_is_an_error_not_a_traceback_and_loses_nothing(tmp_path, limit):
    out = tmp_path / "build"
    build(ROOT / "seeds", out)
    before = outputs(out)
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    facts = seeds / "facts" / "003_6d42f7f9f635dfa1.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("rate: 145", "rate: 150", 1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(seeds), str(out), str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "make room and run again" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert outputs(out) == before
