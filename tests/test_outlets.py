"""kg add creates a registry entry for an outlet the registry does not know yet (kg/authoring/outlets.py)."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.seeds.corpus import load_corpus

TEXT = "Japan weighs its answer to the tariffs\n\nTokyo said on Friday it would study the US proposal.\n"
ARTICLE_ID = "005_" + hashlib.sha256(TEXT.encode("utf-8")).hexdigest()[:16]
DATE = ["--date", "2025-05-02", "--date-basis", "stated: written for the test"]


@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def _add(seeds, article, *extra, **kwargs):
    return CliRunner().invoke(main, ["add", str(article), "--seeds", str(seeds), *extra], **kwargs)


def test_new_outlet_flag_adds_a_registry_entry_and_records_it(seeds_copy, article):
    result = _add(seeds_copy, article, "--new-outlet", "Pacific Ledger", *DATE)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"added outlet pacific-ledger (Pacific Ledger) to {seeds_copy / 'entities' / 'outlets.yaml'}\n"
    )
    corpus = load_corpus(seeds_copy)  # the seeds stay valid
    outlet = corpus.entities["pacific-ledger"]
    assert (outlet.type, outlet.label) == ("NewsOutlet", "Pacific Ledger")
    assert corpus.sources[ARTICLE_ID].outlet == "pacific-ledger"
    assert "pacific-ledger:\n  type: NewsOutlet\n" in (seeds_copy / "entities" / "outlets.yaml").read_text()


def test_new_outlet_key_can_be_given(seeds_copy, article):
    result = _add(
        seeds_copy,
        article,
        "--new-outlet",
        "Harbour Times (fictional)",
        "--outlet-key",
        "harbour-times",
        *DATE,
    )
    assert result.exit_code == 0, result.output
    assert load_corpus(seeds_copy).sources[ARTICLE_ID].outlet == "harbour-times"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--new-outlet", "Kyodo"], "the registry already has 'Kyodo' as outlet 'kyodo-news': use --outlet kyodo-news"),
        (["--new-outlet", "Pacific Ledger", "--outlet-key", "japan"], "the registry already has the key 'japan' (State 'Japan')"),
        (["--new-outlet", "Pacific Ledger", "--outlet-key", "Bad Key"], "'Bad Key' is not a registry key"),
        (["--outlet-key", "pacific-ledger"], "--outlet-key names the key of a --new-outlet"),
        (["--new-outlet", "Pacific Ledger", "--outlet", "kyodo-news"], "not both"),
        (["--outlet", "pacific-ledger"], 'add a new outlet with --new-outlet "Name"'),
    ],
)  # fmt: skip
def test_bad_outlets_are_refused_in_one_line_and_nothing_is_written(seeds_copy, article, args, message):
    before = {p: p.read_bytes() for p in seeds_copy.rglob("*") if p.is_file()}
    result = _add(seeds_copy, article, *args, *DATE)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in seeds_copy.rglob("*") if p.is_file()} == before


def test_a_terminal_is_asked_whether_to_add_an_unknown_outlet(seeds_copy, article, monkeypatch):
    monkeypatch.setattr("kg.cli.add._interactive", lambda: True)
    # title, outlet, add it?, its key (the default), author, date, url, date basis
    answers = "A title\nPacific Ledger\ny\n\nTaro Yamada\n2025-05-02\n\nstated: typed in\n"
    result = _add(seeds_copy, article, input=answers)
    assert result.exit_code == 0, result.output
    assert "'Pacific Ledger' is not in the registry; add it as a new outlet? [Y/n]" in result.output
    assert "Registry key for it [pacific-ledger]" in result.output
    assert "added outlet pacific-ledger (Pacific Ledger)" in result.output
    corpus = load_corpus(seeds_copy)
    assert corpus.entities["pacific-ledger"].type == "NewsOutlet"
    assert (corpus.sources[ARTICLE_ID].outlet, corpus.sources[ARTICLE_ID].author) == (
        "pacific-ledger",
        "Taro Yamada",
    )


def test_a_terminal_answer_naming_a_known_outlet_uses_its_key(seeds_copy, article, monkeypatch):
    monkeypatch.setattr("kg.cli.add._interactive", lambda: True)
    answers = (
        "A title\nkyodo news\n\n2025-05-02\n\nstated: typed in\n"  # title, outlet, author, date, url, basis
    )
    result = _add(seeds_copy, article, input=answers)
    assert result.exit_code == 0, result.output
    assert "outlet: kyodo-news" in result.output
    assert load_corpus(seeds_copy).sources[ARTICLE_ID].outlet == "kyodo-news"
    assert not (seeds_copy / "entities" / "outlets.yaml").exists()


def test_a_terminal_can_decline_to_add_the_outlet(seeds_copy, article, monkeypatch):
    monkeypatch.setattr("kg.cli.add._interactive", lambda: True)
    answers = "A title\nPacific Ledger\nn\n\n2025-05-02\n\nstated: typed in\n"
    result = _add(seeds_copy, article, input=answers)
    assert result.exit_code == 0, result.output
    assert load_corpus(seeds_copy).sources[ARTICLE_ID].outlet is None
    assert not (seeds_copy / "entities" / "outlets.yaml").exists()
