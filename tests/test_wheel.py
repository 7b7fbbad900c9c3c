"""A wheel of the project, installed without the repository, builds the seeds and answers queries.

The ontology and the named queries must travel with the package (kg/resources.py): this test
builds a wheel, installs it into a fresh virtual environment whose only other packages are the
dependencies (reached through a .pth file, so the editable install of the repository is not
seen), and runs ``kg build`` and ``kg query`` from a folder outside the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # a copy of what the wheel is built from, so that setuptools' build/ stays out of the checkout
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "ontology", source / "ontology")
    shutil.copytree(ROOT / "kg", source / "kg", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    (found,) = out.glob("trade_dispute_kg-*.whl")
    return found


def test_the_wheel_carries_the_ontology_the_queries_and_every_subpackage(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kg/ontology/tdo.ttl", "kg/ontology/shapes.ttl", "kg/ontology/context.jsonld"} <= names
    queries = {n for n in names if n.startswith("kg/ontology/queries/") and n.endswith(".rq")}
    assert len(queries) == len(list((ROOT / "ontology" / "queries").glob("*.rq")))
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "kg").rglob("__init__.py")}
    assert {f"{p}/__init__.py" for p in packages} <= names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env)
    site = Path(
        subprocess.run(
            [str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    # then the dependencies from the test's own environment, but not its editable kg (a plain
    # path entry does not run that environment's .pth files); added after the install, so that
    # pip does not see, and replace, the test environment's own kg
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def test_an_installed_wheel_builds_a_seeds_folder_anywhere_and_queries_it(installed, tmp_path):
    kg = installed / "bin" / "kg"
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import kg; print(kg.__file__)"],
        cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(installed)), f"kg was imported from {where}, not the wheel"
    build = subprocess.run(
        [str(kg), "build", "--quiet", "--seeds", str(ROOT / "seeds"), "--build-dir", str(tmp_path / "b")],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    assert "built " in build.stdout
    listed = subprocess.run([str(kg), "query", "--list"], cwd=tmp_path, capture_output=True, text=True)
    assert "cq-letters" in listed.stdout
    letters = subprocess.run(
        [str(kg), "query", "--build-dir", str(tmp_path / "b"), "cq-letters", "--format", "csv"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert letters.returncode == 0, letters.stderr
    assert "Li Qiang" in letters.stdout and "Shigeru Ishiba" in letters.stdout
