"""Shared fixtures: the seed corpus and one real build of it, made once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def corpus():
    """The validated seed corpus."""
    from kg.seeds.corpus import load_corpus

    return load_corpus(SEEDS)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A build folder holding a real build of the seeds (read-only for tests)."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("build")
    build(SEEDS, out)
    return out


@pytest.fixture(scope="session")
def store(built):
    """The built store, opened read-only."""
    from kg.store import open_store

    return open_store(built)


@pytest.fixture()
def seeds_copy(tmp_path) -> Path:
    """A private, writable copy of the seeds for tests that break things."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture(scope="session")
def actors(store):
    """The actor graph of the seed build (shared by the projection and analytics tests)."""
    from kg.analysis.project import actor_graph

    return actor_graph(store)


@pytest.fixture(scope="session")
def states(store, actors):
    """The signed state graph of the seed build."""
    from kg.analysis.project import state_graph

    return state_graph(store, actors=actors)
