"""The gold mentions (seeds/mentions): they load, they quote their articles, bad files are reported
with file and line, the leave-one-out evaluation never sees them, and the scoring against them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.authoring.suggest import held_out_context
from kg.authoring.suggest.evaluate import evaluate, gold_mention_score, report
from kg.authoring.suggest.find import Mention, Suggestions
from kg.cli import main
from kg.rdf.vocabulary import vocabulary
from kg.seeds.mentions import (
    GoldMention,
    gold_mention_problems,
    gold_path,
    load_gold_mentions,
    occurrences,
    read_gold_mentions,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
A000, A004 = "000_47059b8c57473c03", "004_0ace5de719f6b055"


@pytest.fixture(scope="module")
def gold(corpus):
    return load_gold_mentions(SEEDS, corpus.sources, corpus.entities)


def test_every_article_has_a_gold_file_that_loads_without_problems(corpus, gold):
    assert gold_mention_problems(SEEDS, corpus.sources, corpus.entities, vocabulary().classes) == []
    assert sorted(gold) == sorted(corpus.sources)
    sizes = {a: len(ms) for a, ms in gold.items()}
    assert all(size >= 50 for size in sizes.values()), sizes


def test_every_gold_mention_is_its_article_slice_outside_page_furniture(corpus, gold):
    for article_id, mentions in gold.items():
        source = corpus.sources[article_id]
        for m in mentions:
            assert source.text[m.start : m.end] == m.surface, (article_id, m)
            assert not any(m.start < r.end and r.start < m.end for r in source.excluded), (article_id, m)
            if m.key is None:
                assert m.label and m.type
            else:
                assert m.key in corpus.entities
        spans = [(m.key, m.start, m.end) for m in mentions]
        assert len(spans) == len(set(spans)), article_id


def test_the_gold_reads_as_a_careful_reader_would(corpus, gold):
    text = corpus.sources[A000].text
    marked = {(text[m.start : m.end], m.key) for m in gold[A000]}
    # correct links inside facts about something else are gold (the proxy judged them wrong)
    assert {("US", "united-states"), ("Chinese", "china"), ("Trump", "donald-trump")} <= marked
    # metonymy and the city: Tokyo the government, and the place a news agency is based in
    tokyo = sorted((m.start, m.key) for m in gold[A000] if m.surface == "Tokyo")
    assert [k for _, k in tokyo] == ["japan", "japan", "tokyo", "japan"]
    assert ("Tokyo-based news agency", "kyodo-news") in marked
    # the repeated headline is page furniture: "Japan" is marked once per occurrence outside it
    furniture = corpus.sources[A000].excluded
    assert len([m for m in gold[A000] if m.surface == "Japan"]) == len(
        occurrences(text, "Japan", [(r.start, r.end) for r in furniture])
    )
    # generic tariffs are not mentions; a measure named by its rate is
    assert ("tariffs imposed by US President Donald Trump", None) not in marked
    assert ("24% tariffs", "us-reciprocal-tariff-on-japan") in marked


def test_every_mention_the_facts_imply_is_in_the_gold_but_one(corpus, gold):
    from kg.authoring.suggest.evaluate import annotated_mentions

    differences = []
    for article_id, mentions in gold.items():
        text = corpus.sources[article_id].text
        implied = set()
        for fact in corpus.facts:
            if fact.article_id == article_id:
                implied |= annotated_mentions(fact, text, corpus.entities)
        for key, start, end in implied:
            if not any(m.key == key and m.start < end and start < m.end for m in mentions):
                differences.append((article_id, key, text[start:end]))
    # the one deliberate difference: "Tokyo-based" is the city (seeds/README.md, section 7)
    assert differences == [(A000, "japan", "Tokyo")]


def _write(seeds: Path, article_id: str, body: str) -> Path:
    path = gold_path(seeds, article_id)
    path.write_text(f"article: {article_id}\nmentions:\n{body}", encoding="utf-8")
    return path


def test_bad_gold_files_are_reported_with_file_line_and_column(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory
    (tmp_path / "mentions").mkdir()
    path = _write(
        tmp_path,
        A000,
        "  - {text: ANKARA, key: ankara}\n"  # fine
        "  - {text: Ankara, key: ankara}\n"  # not in the article with this case
        "  - {text: Tokyo, key: japan, at: 7}\n"  # four occurrences
        "  - {text: Beijing, key: chian}\n"  # unknown key
        "  - {text: government official, key: null}\n"  # null without label and type
        "  - {text: Anadolu Agency, key: anadolu-agency}\n"  # only in the boilerplate
        "  - {text: Kyodo News, key: kyodo-news, occurrence: 1}\n"  # unknown field
        "  - {text: ANKARA, key: ankara, at: 1}\n",  # listed twice
    )
    mentions, problems = read_gold_mentions(path, corpus.sources[A000], corpus.entities)
    lines = [str(p) for p in problems]
    assert lines == [
        "mentions/000_47059b8c57473c03.yaml:4:12: 'Ankara' is not in the article as a whole word "
        "with this case and punctuation",
        "mentions/000_47059b8c57473c03.yaml:5:35: at 7 is out of range: the text occurs 4 times "
        "in the article (outside page furniture)",
        "mentions/000_47059b8c57473c03.yaml:6:26: unknown key 'chian' (did you mean 'china'?)",
        "mentions/000_47059b8c57473c03.yaml:7:33: a mention with key null needs a 'label' "
        "(what the registry would call it)",
        "mentions/000_47059b8c57473c03.yaml:7:33: a mention with key null needs a 'type' "
        "(what the registry would call it)",
        "mentions/000_47059b8c57473c03.yaml:8:12: 'Anadolu Agency' occurs only in page furniture "
        "(excluded in sources.yaml)",
        "mentions/000_47059b8c57473c03.yaml:9:41: unknown field 'occurrence': a mention has text, "
        "key, at, label, type, note (quote a text or label that holds a comma)",
        "mentions/000_47059b8c57473c03.yaml:10:12: 'ANKARA' at 279-285 is already listed for ankara (line 3)",
    ]
    assert [(m.key, m.surface) for m in mentions] == [("ankara", "ANKARA"), ("kyodo-news", "Kyodo News")]


def test_kg_check_reports_a_bad_gold_file_and_the_build_ignores_it(seeds_copy, tmp_path, monkeypatch):
    from kg.build.pipeline import build
    from kg.seeds.corpus import load_corpus

    path = gold_path(seeds_copy, A004)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{text: Gen Nakatani,", "{text: Gen Nakatany,"), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "Gen Nakatani," in row)
    result = CliRunner().invoke(main, ["check", "-q", "--seeds", str(seeds_copy)])
    assert result.exit_code == 2
    assert f"{A004}.yaml:{line}:12: 'Gen Nakatany' is not in the article" in result.output
    # the build does not read them: the same graph, byte for byte, as a build without them (each
    # built from its own folder, as the graph records fact files relative to the working directory)
    bare = tmp_path / "bare"
    shutil.copytree(SEEDS, bare / "seeds", ignore=shutil.ignore_patterns("mentions"))
    graphs = []
    for folder in (seeds_copy.parent, bare):
        monkeypatch.chdir(folder)
        build("seeds", "build")
        graphs.append((folder / "build" / "kg.nq").read_bytes())
    assert graphs[0] == graphs[1]
    # an unknown article, and YAML that is not YAML, are located too
    (seeds_copy / "mentions" / "009_nothing.yaml").write_text("article: 009_nothing\n", encoding="utf-8")
    gold_path(seeds_copy, A000).write_text("article: [\n", encoding="utf-8")
    corpus = load_corpus(seeds_copy)  # what the build reads: the gold mentions are not part of it
    problems = [str(p) for p in gold_mention_problems(seeds_copy, corpus.sources, corpus.entities)]
    assert any("009_nothing.yaml: no article 009_nothing in sources.yaml" in p for p in problems)
    assert any(f"{A000}.yaml:2:1: YAML syntax error" in p for p in problems)


def test_the_left_out_context_never_sees_the_gold(corpus, gold, tmp_path):
    vocab = vocabulary()
    # "Japanese Cooperation" is marked only in 001's gold; no fact quotes it as a form of anything
    ctx = held_out_context(corpus, A004, vocab)
    assert not any("Japanese Cooperation" in forms for forms in ctx.forms.values())
    # the evaluation without seeds/mentions suggests exactly the same: only the scoring changes
    bare = tmp_path / "seeds"
    shutil.copytree(SEEDS, bare, ignore=shutil.ignore_patterns("mentions"))
    with_gold, without = evaluate(SEEDS), evaluate(bare)
    for a, b in zip(with_gold.articles, without.articles, strict=True):
        assert a.gold and not b.gold
        assert (a.facts_suggested, a.facts_right, a.mentions_all) == (
            b.facts_suggested,
            b.facts_right,
            b.mentions_all,
        )
        assert (a.proxy_found, a.proxy_right) == (b.mentions_found, b.mentions_right)
    assert without.overall.mention_recall == with_gold.overall.proxy_recall
    assert report(without)[2].split()[0] == f"{A000}*"  # the proxy is marked in the table


TEXT = "Beijing told Tokyo. Donald Trump met Gen Nakatani in Tokyo. Page furniture: Beijing."


def _m(key: str, surface: str, via: str = "alias", occurrence: int = 1) -> Mention:
    start = -1
    for _ in range(occurrence):
        start = TEXT.index(surface, start + 1)
    return Mention(key, "Thing", start, start + len(surface), surface, via)


def _g(key: str | None, surface: str, occurrence: int = 1) -> GoldMention:
    m = _m(key or "", surface, occurrence=occurrence)
    return GoldMention(key, m.start, m.end, surface, None if key else "x", None if key else "Post", 1)


def test_scoring_against_the_gold_by_hand():
    gold = [
        _g("china", "Beijing"),
        _g("japan", "Tokyo"),
        _g("donald-trump", "Donald Trump"),
        _g("gen-nakatani", "Gen Nakatani"),  # unknown to the held-out registry
        _g("tokyo", "Tokyo", 2),
    ]
    suggested = Suggestions(
        A000,
        mentions=[
            _m("china", "Beijing"),  # right
            _m("tokyo", "Tokyo"),  # wrong: the gold reads the government here
            _m("donald-trump", "Donald Trump"),  # right
            _m("donald-trump", "Trump"),  # duplicate: the same gold mention again
            _m("china", "Beijing", occurrence=2),  # in page furniture: not counted
        ],
        candidates=[],
        facts=[],
        dates=[],
        new_mentions=[_m("gen-nakatani-new", "Gen Nakatani", via="new")],  # right: a new entity
    )
    furniture = [(TEXT.index("Page furniture"), len(TEXT))]
    known = {"china", "japan", "tokyo", "donald-trump"}
    score = gold_mention_score(suggested, gold, furniture, known)
    assert (score.mentions_found, score.mentions_expected) == (3, 5)
    assert (score.mentions_right, score.mentions_judged) == (4, 5)
    assert score.mentions_duplicate == 1
    assert [w[:1] + w[3:] for w in score.wrong_mentions] == [("tokyo", "Tokyo")]
    assert score.wrong_readings == {(13, 18): "gold: japan"}
    assert {(k, t) for k, _, _, t in score.missed_mentions} == {("japan", "Tokyo"), ("tokyo", "Tokyo")}
    # a new entity where the gold names a thing the held-out registry knows is wrong
    known.add("gen-nakatani")
    assert gold_mention_score(suggested, gold, furniture, known).mentions_right == 3
