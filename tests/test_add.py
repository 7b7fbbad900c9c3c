"""kg add registers an article; the whole flow add -> suggest -> accept -> rebuild -> diff works."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.seeds.corpus import load_corpus

# A fictional article written for this test: known actors (Japan, Shigeru Ishiba, Donald Trump),
# one unknown actor (Kenji Moriyama), a new measure (30% on steel) and a known one (the 24% tariffs).
NEW_ARTICLE = """Japan rejects US threat of 30% steel tariff

Japanese Prime Minister Shigeru Ishiba said on Thursday that Tokyo would not accept a 30% tariff on Japanese steel, which US President Donald Trump threatened this week.
Ishiba told reporters that talks with Washington would continue. Japan already faces the 24% tariffs imposed in April.
Japanese Trade Minister Kenji Moriyama said the government would ask for a full exemption.
"""
NEW_ID = "005_" + hashlib.sha256(NEW_ARTICLE.encode("utf-8")).hexdigest()[:16]
DATE_ARGS = ["--date", "2025-05-02", "--date-basis", "stated: written for the test"]


def _add(seeds, path, *extra):
    return CliRunner().invoke(main, ["add", str(path), "--seeds", str(seeds), *DATE_ARGS, *extra])


@pytest.fixture()
def new_article(tmp_path):
    path = tmp_path / "new-article.txt"
    path.write_bytes(NEW_ARTICLE.encode("utf-8"))
    return path


def test_add_copies_text_records_source_and_starts_fact_file(seeds_copy, new_article):
    sources = seeds_copy / "sources.yaml"
    before = sources.read_text(encoding="utf-8")
    result = _add(seeds_copy, new_article, "--title", "Japan rejects US threat of 30% steel tariff")
    assert result.exit_code == 0, result.output
    assert f"added article {NEW_ID}" in result.output
    assert (seeds_copy / "articles" / f"{NEW_ID}.txt").read_bytes() == new_article.read_bytes()
    after = sources.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: the comments and records above are untouched
    assert "# One record per article" in after
    corpus = load_corpus(seeds_copy)  # the seeds stay valid
    record = corpus.sources[NEW_ID]
    assert record.outlet is None  # not named by the text, never guessed
    assert record.author is None
    assert record.title == "Japan rejects US threat of 30% steel tariff"
    assert record.date.value == "2025-05-02"
    assert record.sha256 == hashlib.sha256(NEW_ARTICLE.encode("utf-8")).hexdigest()
    fact_file = (seeds_copy / "facts" / f"{NEW_ID}.yaml").read_text(encoding="utf-8")
    assert f"\narticle: {NEW_ID}\nfacts: []\n" in fact_file
    assert fact_file.startswith("# Facts of article")
    assert [f for f in corpus.facts if f.article_id == NEW_ID] == []


def test_add_refuses_the_same_text_twice(seeds_copy, new_article):
    assert _add(seeds_copy, new_article).exit_code == 0
    again = _add(seeds_copy, new_article)
    assert again.exit_code == 2
    assert f"already in the seeds as article {NEW_ID}" in again.output
    seed_text = seeds_copy / "articles" / "000_47059b8c57473c03.txt"
    copy = new_article.with_name("copy.txt")
    shutil.copy(seed_text, copy)
    refused = _add(seeds_copy, copy)
    assert refused.exit_code == 2
    assert "000_47059b8c57473c03" in refused.output
    assert len(list((seeds_copy / "articles").glob("*.txt"))) == 6


def test_add_refuses_unknown_outlet_and_date_without_basis(seeds_copy, new_article):
    result = _add(seeds_copy, new_article, "--outlet", "kyodo")
    assert result.exit_code == 2
    assert "unknown outlet 'kyodo' (did you mean 'kyodo-news'?)" in result.output
    no_basis = CliRunner().invoke(
        main, ["add", str(new_article), "--seeds", str(seeds_copy), "--date", "2025-05-02"]
    )
    assert no_basis.exit_code == 2
    assert "--date-basis" in no_basis.output
    bad_date = _add(seeds_copy, new_article, "--date", "2025-13-02")
    assert bad_date.exit_code == 2
    assert "malformed date '2025-13-02'" in bad_date.output
    assert not list((seeds_copy / "articles").glob("005_*"))  # nothing written on refusal


def test_add_asks_for_missing_details_on_a_terminal(seeds_copy, new_article, monkeypatch):
    monkeypatch.setattr("kg.cli.add._interactive", lambda: True)
    answers = "Typed title\n\nTaro Yamada\n2025-05-02\n\nstated: typed in\n"  # title, outlet, author, date, url, basis
    result = CliRunner().invoke(main, ["add", str(new_article), "--seeds", str(seeds_copy)], input=answers)
    assert result.exit_code == 0, result.output
    record = load_corpus(seeds_copy).sources[NEW_ID]
    assert (record.title, record.outlet, record.author, record.url) == (
        "Typed title",
        None,
        "Taro Yamada",
        None,
    )
    assert record.date_basis == "stated: typed in"


def test_add_suggest_accept_rebuild_and_diff(built, seeds_copy, new_article, tmp_path):
    from kg.analysis.diff import build_diff
    from kg.authoring.suggest import suggest
    from kg.build.pipeline import build

    build_dir = tmp_path / "build"
    build_dir.mkdir()
    for name in ("kg.nq", "manifest.json"):  # the seed build stands as the build before the new article
        shutil.copy(built / name, build_dir / name)
    runner = CliRunner()
    assert _add(seeds_copy, new_article).exit_code == 0

    found = suggest(NEW_ID, seeds_copy)
    text = NEW_ARTICLE
    registry = load_corpus(seeds_copy).entities
    # known entities are linked to their registry keys, at their offsets
    mentions = {(m.key, m.start, m.end) for m in found.mentions}
    for key, surface in [
        ("shigeru-ishiba", "Shigeru Ishiba"),
        ("donald-trump", "Donald Trump"),
        ("japan", "Japan"),
    ]:
        at = text.index(surface)
        assert (key, at, at + len(surface)) in mentions
    posts = {(f.fields["subject"], f.fields["heldBy"]) for f in found.facts if f.kind == "post"}
    assert ("prime-minister-of-japan", "shigeru-ishiba") in posts
    assert ("president-of-the-united-states", "donald-trump") in posts
    speakers = {f.fields["speaker"] for f in found.facts if f.kind == "statement"}
    assert speakers == {"shigeru-ishiba", "kenji-moriyama"}
    # ... and never proposed again as new entities
    candidates = {c.key: c for c in found.candidates}
    assert not set(candidates) & set(registry)
    assert not {c.label for c in found.candidates} & {"Shigeru Ishiba", "Donald Trump", "Japan", "Tokyo"}
    # the unknown actor is proposed, typed from the title before the name
    moriyama = candidates["kenji-moriyama"]
    assert (moriyama.type, moriyama.label, moriyama.fields) == (
        "Person",
        "Kenji Moriyama",
        {"nationality": "japan"},
    )
    assert candidates["trade-minister-of-japan"].fields == {"postIn": "japan"}
    # the rate, with its exact quote and offsets
    (rate,) = [f for f in found.facts if f.kind == "rate" and f.fields["rate"] == 30 and "target" in f.fields]
    assert rate.quote == "30% tariff on Japanese steel, which US President Donald Trump threatened this week"
    assert text[rate.start : rate.end] == rate.quote
    # Ishiba said Tokyo would not accept it: the tariff in his words is attributed to him
    assert rate.fields == {
        "subject": "us-tariff-on-japan-steel", "type": "Tariff", "imposedBy": "united-states",
        "target": "japan", "affectsProduct": "steel", "status": "threatened", "rate": 30,
        "attribution": ["shigeru-ishiba"],
    }  # fmt: skip
    said = next(f for f in found.facts if f.id == "a005-shigeru-ishiba-said")
    assert said.fields["date"]["value"] == "2025-05-01"  # "on Thursday" in an article of Fri 2025-05-02

    written = runner.invoke(main, ["suggest", NEW_ID, "--seeds", str(seeds_copy)], catch_exceptions=False)
    assert "11 candidate facts appended" in written.output
    # written, but commented out: the seeds still load and the article has no facts yet
    assert not [f for f in load_corpus(seeds_copy).facts if f.article_id == NEW_ID]
    assert (
        "#   - id: a005-us-tariff-on-japan-steel-rate-30\n"
        in (seeds_copy / "facts" / f"{NEW_ID}.yaml").read_text()
    )
    accepted = runner.invoke(main, ["suggest", NEW_ID, "--seeds", str(seeds_copy), "--accept", "all"])
    assert accepted.exit_code == 0, accepted.output
    build(seeds_copy, build_dir)

    corpus = load_corpus(seeds_copy)
    assert [e.key for e in corpus.entities.values() if e.label == "Shigeru Ishiba"] == ["shigeru-ishiba"]
    diff = build_diff(build_dir)
    added = lambda changes: sorted(c.item for c in changes if c.kind == "added")  # noqa: E731
    assert added(diff.articles) == [NEW_ID]
    # "Ishiba told reporters that talks with Washington would continue": a statement of his own (a
    # plain "told" is no evidence of his known "won't compromise" statement) about the known talks
    assert added(diff.entities) == [
        "id:kenji-moriyama", "id:kenji-moriyama-statement-005", "id:shigeru-ishiba-statement-005",
        "id:shigeru-ishiba-statement-005-2", "id:trade-minister-of-japan", "id:us-tariff-on-japan-steel",
    ]  # fmt: skip
    assert added(diff.facts) == [
        "a005-kenji-moriyama-said", "a005-president-of-the-united-states", "a005-prime-minister-of-japan",
        "a005-shigeru-ishiba-said", "a005-shigeru-ishiba-told", "a005-trade-minister-of-japan",
        "a005-us-japan-tariff-talks", "a005-us-reciprocal-tariff-on-japan-parties",
        "a005-us-reciprocal-tariff-on-japan-rate-24", "a005-us-tariff-on-japan-steel-rate-30",
        "a005-us-tariff-on-japan-steel-rate-30-2",
    ]  # fmt: skip
    assert all(c.kind == "added" for c in diff.articles + diff.entities + diff.facts)
    origin = f"article:{NEW_ID}"
    # 001 and 002 reword one wire story: the claims both give from different origins say so
    copies = "; possibly one origin (article:001_c06ecbde632990cb ~ article:002_412b91df41f90cca)"
    # the talks Ishiba speaks of are the known ones, his words an origin of their own; the steel
    # tariff stands on the headline (the article) and on Ishiba's words
    both = f"0 -> 2 independent origins (+ {origin}, id:shigeru-ishiba)"
    assert [(c.kind, c.item, c.detail) for c in diff.corroborations] == [
        ("changed", "id:president-of-the-united-states tdo:heldBy id:donald-trump",
         f"4 -> 5 independent origins (+ {origin}){copies}"),
        ("changed", "id:prime-minister-of-japan tdo:heldBy id:shigeru-ishiba",
         f"4 -> 5 independent origins (+ {origin}){copies}"),
        ("changed", "id:us-japan-tariff-talks tdo:participant id:japan",
         f"5 -> 6 independent origins (+ id:shigeru-ishiba){copies}"),
        ("changed", "id:us-japan-tariff-talks tdo:participant id:united-states",
         f"5 -> 6 independent origins (+ id:shigeru-ishiba){copies}"),
        ("changed", "id:us-reciprocal-tariff-on-japan tdo:imposedBy id:united-states",
         f"4 -> 5 independent origins (+ {origin}){copies}"),
        ("changed", 'id:us-reciprocal-tariff-on-japan tdo:rate "24"^^xsd:decimal',
         f"4 -> 5 independent origins (+ {origin}){copies}"),
        ("changed", "id:us-reciprocal-tariff-on-japan tdo:target id:japan",
         f"4 -> 5 independent origins (+ {origin}){copies}"),
        ("added", "id:us-tariff-on-japan-steel tdo:affectsProduct id:steel", both),
        ("added", "id:us-tariff-on-japan-steel tdo:imposedBy id:united-states", both),
        ("added", 'id:us-tariff-on-japan-steel tdo:rate "30"^^xsd:decimal', both),
        ("added", "id:us-tariff-on-japan-steel tdo:status tdo:Threatened", both),
    ]  # fmt: skip
    assert diff.confirmations == []  # every claim it makes comes from an origin of its own
    assert diff.contradictions == []
