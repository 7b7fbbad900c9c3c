"""The synthetic corpus: deterministic, valid, and shaped like real reporting (corroboration,
contradictions, relayed wire reports)."""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ is not installed with kg

from benchmarks.synth import generate  # noqa: E402
from kg.build.pipeline import check  # noqa: E402
from kg.seeds.corpus import load_corpus  # noqa: E402


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def synth_1k(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "seeds"
    counts = generate(1000, out, seed=7)
    assert counts["facts"] == 1000
    return out


@pytest.fixture(scope="module")
def corpus_1k(synth_1k):
    return load_corpus(synth_1k)


def test_same_seed_gives_byte_identical_files(synth_1k, tmp_path):
    again = tmp_path / "again"
    generate(1000, again, seed=7)
    assert digests(again) == digests(synth_1k)


def test_another_seed_gives_another_corpus(synth_1k, tmp_path):
    other = tmp_path / "other"
    generate(1000, other, seed=8)
    assert digests(other) != digests(synth_1k)


def test_regenerating_into_a_used_folder_leaves_no_stale_files(tmp_path):
    out = tmp_path / "seeds"
    generate(1000, out, seed=1)
    generate(200, out, seed=1)
    fresh = tmp_path / "fresh"
    generate(200, fresh, seed=1)
    assert digests(out) == digests(fresh)


def test_corpus_passes_check(synth_1k):
    report = check(synth_1k)
    assert report.facts == 1000
    assert report.quads > 25 * report.facts  # a fact is its triples and its provenance record


def test_quotes_are_real_spans_and_hashes_are_true(synth_1k, corpus_1k):
    for fact in corpus_1k.facts[:200]:
        text = corpus_1k.sources[fact.article_id].text
        assert text[fact.anchor.start : fact.anchor.end] == fact.anchor.exact
    for article_id, source in corpus_1k.sources.items():
        data = (synth_1k / "articles" / f"{article_id}.txt").read_bytes()
        assert source.sha256 == hashlib.sha256(data).hexdigest()
        assert article_id.endswith(source.sha256[:16])


def test_some_quotes_need_the_documented_normalisation(corpus_1k):
    assert corpus_1k.notices, "a few quotes are typed with straight quotes where the text has curly ones"
    assert all("matched after normalising" in n for n in corpus_1k.notices)


def test_reports_corroborate_and_contradict(corpus_1k):
    articles_per_claim: dict[tuple, set[str]] = defaultdict(set)
    rates: dict[str, set[str]] = defaultdict(set)
    for fact in corpus_1k.facts:
        for claim in fact.claims:
            articles_per_claim[(fact.subject, claim.prop, claim.value.value)].add(fact.article_id)
            if claim.prop == "rate":
                rates[fact.subject].add(claim.value.value)
    corroborated = [k for k, arts in articles_per_claim.items() if len(arts) >= 3]
    assert len(corroborated) >= 20
    contradicted = [s for s, values in rates.items() if len(values) > 1]
    assert contradicted, "some reports give another rate for the same measure"


def test_wire_reports_make_origins_fewer_than_articles(corpus_1k):
    from kg.build.origins import independent_origin

    origins: dict[tuple, set[str]] = defaultdict(set)
    articles: dict[tuple, set[str]] = defaultdict(set)
    for fact in corpus_1k.facts:
        source = corpus_1k.sources[fact.article_id]
        for claim in fact.claims:
            key = (fact.subject, claim.prop, claim.value.value)
            origins[key].add(independent_origin(fact, source, corpus_1k.entities))
            articles[key].add(fact.article_id)
    assert any(len(origins[k]) < len(articles[k]) for k in articles)


def test_registry_has_many_kinds_of_entities(corpus_1k):
    kinds = defaultdict(int)
    for entity in corpus_1k.entities.values():
        kinds[entity.type] += 1
    for needed in ("State", "Person", "Post", "Ministry", "NewsOutlet", "Tariff", "Letter", "Meeting"):
        assert kinds[needed] > 0, needed
    assert kinds["Person"] > kinds["State"]


def test_command_line(tmp_path):
    import subprocess

    out = tmp_path / "cli"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "synth.py"),
            "--facts",
            "300",
            "--out",
            str(out),
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "300 facts" in result.stdout
    assert len(list((out / "facts").glob("*.yaml"))) == len(list((out / "articles").glob("*.txt")))
