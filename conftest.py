"""Doctests of kg/ run in a project of their own: a copy of the seeds and a build of them.

The examples in docstrings say ``open_graph("build")`` or ``evaluate("seeds")`` as a user
would in a checkout; here they run in a temporary folder holding exactly that, so every
example is executed by ``make test`` and none may write into the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

collect_ignore = ["kg/__main__.py", "benchmarks", "notebooks", "build"]


@pytest.fixture(scope="session")
def doctest_project(tmp_path_factory) -> Path:
    """A folder with ``seeds/`` (a copy) and ``build/`` (a build of it), as in a checkout.

    The seeds are built twice, first without article 004's facts, so that ``build/previous``
    holds an earlier build and ``kg diff`` has an article's worth of changes to show.
    """
    from kg.build.pipeline import build

    root = tmp_path_factory.mktemp("doctest-project")
    seeds = root / "seeds"
    shutil.copytree(Path(__file__).parent / "seeds", seeds)
    (last,) = seeds.glob("facts/004_*.yaml")
    aside = last.rename(root / last.name)
    build(seeds, root / "build")
    aside.rename(last)
    build(seeds, root / "build")
    return root


@pytest.fixture(autouse=True)
def _doctests_run_in_their_project(request, monkeypatch):
    if isinstance(request.node, DoctestItem):
        monkeypatch.chdir(request.getfixturevalue("doctest_project"))
