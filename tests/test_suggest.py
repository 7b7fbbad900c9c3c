"""kg suggest: entity mentions, candidate entities and facts, and accepting them, on the real seeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.authoring.suggest import (
    accept_suggestions,
    evaluate,
    find_countries,
    find_mentions,
    find_unknown_names,
    held_out_context,
    resolve_date,
    suggest,
    suggest_in,
    write_suggestions,
)
from kg.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

A000, A001, A002, A003, A004 = (
    "000_47059b8c57473c03", "001_c06ecbde632990cb", "002_412b91df41f90cca",
    "003_6d42f7f9f635dfa1", "004_0ace5de719f6b055",
)  # fmt: skip
ARTICLES = (A000, A001, A002, A003, A004)


@pytest.fixture(scope="module")
def found():
    """Suggestions for each seed article (nothing written)."""
    return {a: suggest(a, SEEDS) for a in ARTICLES}


def _at(text: str, surface: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def test_the_evaluation_never_sees_the_left_out_articles_aliases(corpus):
    from kg.authoring.suggest.heldout import _annotated_text, _occurs, attested_forms
    from kg.rdf.vocabulary import vocabulary

    vocab = vocabulary()
    attested = attested_forms(corpus)
    # "Tokyo-based news agency" is an alias of Kyodo News that only article 000's annotations quote
    assert attested[("kyodo-news", "Tokyo-based news agency")] == {A000}
    ctx = held_out_context(corpus, A000, vocab, attested)
    assert "Tokyo-based news agency" not in ctx.forms["kyodo-news"]
    assert "Kyodo News" in ctx.forms["kyodo-news"]  # 001, 002 and 004 quote it too
    held_out = suggest_in(ctx)
    span = _at(corpus.sources[A000].text, "Tokyo-based news agency")
    # not by its alias; "said the Tokyo-based news agency" is found as the outlet named before
    assert [m.via for m in held_out.mentions if (m.start, m.end) == span] == ["anaphor"]
    assert [m for m in suggest(A000, SEEDS).mentions if (m.start, m.end) == span]  # the full registry has it
    for article in ARTICLES:
        ctx = held_out_context(corpus, article, vocab, attested)
        text = _annotated_text(corpus.sources[article])  # page furniture blanked: it is never read
        # every form the matcher may use that occurs in the article is quoted by another article's facts
        for key, forms in ctx.forms.items():
            for form in forms:
                if _occurs(form, text):
                    assert attested.get((key, form), set()) - {article}, (article, key, form)
        # entities only the left-out article's facts reference are unknown, and so are its facts
        assert not [f for f in ctx.facts if f.article_id == article]
        # whatever the suggestions learn from (forms, holders, measures' parties and rates, events'
        # dates), every key they name is in the held-out registry or proposed as new
        s = suggest_in(ctx)
        proposed = {c.key for c in s.candidates}
        assert {m.key for m in s.mentions} <= set(ctx.entities), article
        for fs in s.facts:
            for value in fs.fields.values():
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and v in corpus.entities:
                        assert v in ctx.entities or v in proposed, (article, fs.id, v)
    ctx = held_out_context(corpus, A004, vocab, attested)
    assert "gen-nakatani" not in ctx.entities and "hegseth-remarks-to-nakatani" not in ctx.entities
    assert "li-qiang-letter-to-ishiba" in ctx.entities  # known from 000, 001 and 002


def test_evaluate_scores_each_article_left_out(corpus):
    result = evaluate(SEEDS)
    assert [a.article_id for a in result.articles] == list(ARTICLES)
    overall = result.overall
    # the gold mentions of seeds/mentions, every article has them
    assert overall.gold and overall.mentions_expected == 367
    assert sum(a.mentions_expected for a in result.articles) == 367
    # the proxy: registry entities the hand facts reference, named inside their quotes
    assert overall.proxy_expected == 235
    # measured (see docs/adding.md); the targets are recall >= 0.95 at precision >= 0.9
    assert overall.mention_recall >= 0.65
    assert overall.mention_precision >= 0.95
    assert overall.proxy_recall >= 0.7 and overall.proxy_precision >= 0.7
    assert overall.fact_precision >= 0.8
    assert overall.fact_recall >= 0.2
    a004 = result.articles[-1]
    # Gen Nakatani is unknown without article 004's annotations: found as a new name, not by alias
    assert ("gen-nakatani", *_at(corpus.sources[A004].text, "Gen Nakatani")) not in {
        m[:3] for m in a004.missed_mentions
    }


def test_mentions_are_linked_at_their_offsets(corpus, found):
    text = corpus.sources[A000].text
    mentions = {(m.key, m.start, m.end) for m in found[A000].mentions}
    assert ("shigeru-ishiba", *_at(text, "Shigeru Ishiba")) in mentions
    assert ("kyodo-news", *_at(text, "Kyodo News")) in mentions
    assert ("kyodo-news", *_at(text, "Tokyo-based news agency")) in mentions  # an alias
    us_president = _at(text, "US President")
    assert ("president-of-the-united-states", *us_president) in mentions
    assert ("united-states", us_president[0], us_president[0] + 2) in mentions  # the state inside the post
    trump = _at(text, "Donald Trump")
    assert ("donald-trump", *trump) in mentions
    assert ("donald-trump", trump[0] + 7, trump[1]) not in mentions  # "Trump" is the same mention
    # page furniture is not read: the headline's repetition and the boilerplate are excluded
    boilerplate = _at(text, "Anadolu Agency website")
    assert not [m for m in found[A000].mentions if m.start >= boilerplate[0]]


def test_city_names_mean_the_state_except_as_a_place(corpus, found):
    text = corpus.sources[A004].text
    keys_at = {}
    for m in found[A004].mentions:
        keys_at.setdefault((m.start, m.end), set()).add(m.key)
    assert keys_at[_at(text, "Tokyo", 2)] == {"tokyo"}  # "During a trip to Tokyo on Sunday"
    assert keys_at[_at(text, "Tokyo", 3)] == {"japan"}  # "adding that Tokyo is a cornerstone"


def test_post_holders_are_proposed(corpus, found):
    text = corpus.sources[A004].text
    (fact,) = [f for f in found[A004].facts if f.fields.get("subject") == "defense-minister-of-japan"]
    assert fact.quote == "Japanese Defense Minister Gen Nakatani"
    assert (fact.start, fact.end) == _at(text, fact.quote)
    assert fact.fields == {"subject": "defense-minister-of-japan", "type": "Post", "heldBy": "gen-nakatani"}
    held = {
        (f.fields["subject"], f.fields["heldBy"])
        for a in ARTICLES
        for f in found[a].facts
        if f.kind == "post"
    }
    assert (
        "premier-of-china",
        "li-qiang",
    ) in held  # "Chinese Prime Minister Li Qiang", "Chinese Premier Li Qiang"
    assert ("us-secretary-of-the-treasury", "scott-bessent") in held


def test_speakers_and_recipients_are_proposed(found):
    told = next(f for f in found[A004].facts if f.id == "a004-pete-hegseth-told")
    assert (told.fields["speaker"], told.fields["recipient"]) == ("pete-hegseth", "gen-nakatani")
    # the registry knows a statement of Hegseth to Nakatani: proposed under its key, not a new one
    assert told.fields["subject"] == "hegseth-remarks-to-nakatani"
    assert told.needs == []
    assert "the registry's event hegseth-remarks-to-nakatani" in told.notes[0]
    inverted = next(f for f in found[A000].facts if f.id == "a000-kyodo-news-said")
    assert inverted.quote.endswith("said the Tokyo-based news agency.")  # "..., said the news agency"
    assert inverted.fields["speaker"] == "kyodo-news"


def test_relative_dates_agree_with_the_hand_annotations(found):
    def resolved(article, words):
        return {d.text: d.value for d in found[article].dates}[words]

    assert resolved(A000, "on Tuesday") == "2025-04-22"  # a000-kyodo-report
    assert resolved(A002, "on Monday") == "2025-04-21"  # China's warning
    assert resolved(A003, "starting Wednesday") == "2025-04-16"  # Akazawa travels
    assert resolved(A003, "on Monday") == "2025-04-14"  # Ishiba spoke
    assert resolved(A004, "last Wednesday") == "2025-03-26"  # the car-tariff announcement
    assert resolved(A004, "over the weekend") == "2025-03-30"
    kyodo = next(f for f in found[A000].facts if f.id == "a000-kyodo-news-reported")
    assert kyodo.fields["date"] == {
        "value": "2025-04-22",
        "inferred_from": "'on Tuesday' in an article dated Tue 2025-04-22: the latest Tuesday up to it",
    }
    assert resolve_date("next Friday", dt.date(2025, 5, 2)) == (dt.date(2025, 5, 9), "the Friday after it")


def test_rates_go_to_the_measure_the_registry_or_other_articles_know(found):
    rates = {(f.fields["subject"], f.fields["rate"], f.fields.get("rateKind"), f.quote) for f in found[A000].facts if f.kind == "rate"}  # fmt: skip
    assert rates == {
        ("us-tariffs-on-china", 245, "maximum", "tariffs of up to 245%"),
        ("china-tariffs-on-us-goods", 125, "maximum", "tariffs on American goods to as high as 125%"),
        ("us-reciprocal-tariff-on-japan", 24, None, "24% tariffs"),  # the registry alias "24% tariffs"
    }
    kinds = {(f.fields["subject"], f.fields.get("rateKind")) for f in found[A001].facts if f.kind == "rate"}
    # "a 10% universal rate and 25% duty": baseline is the 10%; the 25% is the car tariff, whose
    # rate kind other articles give
    assert ("us-auto-tariff", "additional") in kinds
    assert ("us-baseline-tariff", "baseline") in kinds


def test_country_names_come_from_pycountry(corpus):
    text = "Vietnam and Germany joined Japan and South Korea."
    mentions = find_mentions(text, corpus.entities)
    extra, candidates = find_countries(text, corpus.entities, mentions)
    assert {(c.key, c.type, c.label) for c in candidates} == {
        ("vietnam", "State", "Vietnam"),
        ("germany", "State", "Germany"),
    }
    assert extra == []  # Japan and South Korea are registry mentions already
    assert {m.key for m in mentions} == {"japan", "south-korea"}


def test_unknown_capitalised_names_are_candidates_headlines_are_not(corpus):
    text = "Steel Makers Brace For Tariff Shock\n\nJapanese Trade Minister Kenji Moriyama met Ursula Weber in Geneva."
    mentions = find_mentions(text, corpus.entities)
    names = {c.label: c.type for c in find_unknown_names(text, mentions)}
    assert names == {"Kenji Moriyama": "Person", "Ursula Weber": "Person", "Geneva": "Place"}


def test_every_seed_suggestion_passes_check_once_uncommented(seeds_copy):
    from kg.build.pipeline import check

    written = 0
    for article in ARTICLES:
        result = write_suggestions(suggest(article, seeds_copy), seeds_copy)
        written += len(result.facts_written)
        accept_suggestions(article, None, seeds_copy)
    assert written == 105
    report = check(seeds_copy)  # YAML, quotes, SHACL and violation queries
    assert report.facts == 196 + 105


def test_suggesting_twice_adds_nothing_and_accepting_one_takes_its_entities(seeds_copy):
    first = write_suggestions(suggest(A002, seeds_copy), seeds_copy)
    fact_file = first.fact_file.read_text(encoding="utf-8")
    second = write_suggestions(suggest(A002, seeds_copy), seeds_copy)
    assert (second.facts_written, second.entities_written) == ([], [])
    assert first.fact_file.read_text(encoding="utf-8") == fact_file
    accepted = accept_suggestions(A002, ["a002-scott-bessent-said"], seeds_copy)
    assert accepted == ["a002-scott-bessent-said", "scott-bessent-statement-002"]
    from kg.seeds.corpus import load_corpus

    corpus = load_corpus(seeds_copy)
    (fact,) = [f for f in corpus.facts if f.id == "a002-scott-bessent-said"]
    assert (fact.subject, fact.anchor.exact) == ("scott-bessent-statement-002", fact.quote)
    assert "scott-bessent-statement-002" in corpus.entities
    assert "scott-bessent-statement-002-2" not in corpus.entities  # still commented out


def test_cli_suggest_reports_and_refuses_bad_input(seeds_copy):
    runner = CliRunner()
    dry = runner.invoke(
        main, ["suggest", A004, "--seeds", str(seeds_copy), "--dry-run"], catch_exceptions=False
    )
    assert "  - id: a004-defense-minister-of-japan\n" in dry.output
    assert not (seeds_copy / "entities").exists()  # nothing written on a dry run
    assert "kg suggest" not in (seeds_copy / "facts" / f"{A004}.yaml").read_text(encoding="utf-8")
    unknown = runner.invoke(main, ["suggest", "009_nothing", "--seeds", str(seeds_copy)])
    assert unknown.exit_code == 2
    assert "article '009_nothing' is not in" in unknown.output
    bad_accept = runner.invoke(main, ["suggest", A004, "--seeds", str(seeds_copy), "--accept", "a004-nope"])
    assert bad_accept.exit_code == 2
    assert "not a commented-out suggestion" in bad_accept.output
    measured = runner.invoke(
        main, ["suggest", "--evaluate", "--seeds", str(seeds_copy)], catch_exceptions=False
    )
    lines = measured.output.splitlines()
    assert lines[0].startswith("leave one article out")
    assert [line.split()[0] for line in lines[2:]] == [*ARTICLES, "overall"]
