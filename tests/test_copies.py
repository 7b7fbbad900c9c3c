"""Origins found from the text: articles whose wording says they may copy one story (kg/build/copies.py),
the warning of kg check, the links and marks of the build, and what kg claims and kg diff show."""

from __future__ import annotations

import hashlib
import re

from click.testing import CliRunner

from kg.build.copies import MIN_SHARED_WORDS, possible_copies, quotation_spans, source_copies
from kg.cli import main

A001, A002 = "001_c06ecbde632990cb", "002_412b91df41f90cca"

# A fictional article relaying Kyodo's report of Li Qiang's letter, reworded from 001 in part
RELAY = """Beijing seeks Tokyo's help against US tariffs

Chinese Premier Li Qiang has sent a letter to Japanese Prime Minister Shigeru Ishiba proposing a united response to US tariffs, Kyodo News said on Tuesday.
The letter, delivered through the Chinese embassy in Japan, urged the two neighbours to stand together against protectionism, according to government sources.
Tokyo has not commented on the report.
"""
RELAY_ID = "005_" + hashlib.sha256(RELAY.encode("utf-8")).hexdigest()[:16]
RELAY_FACTS = """
  - id: a005-letter
    quote: Chinese Premier Li Qiang has sent a letter to Japanese Prime Minister Shigeru Ishiba
    subject: li-qiang-letter-to-ishiba
    type: Letter
    sender: li-qiang
    recipient: shigeru-ishiba
"""
# The Hegseth statement of seed article 004, quoted by two fictional articles in their own words
STATEMENT = (
    "Our job at the Defense Department … is to build an alliance so robust that both the reality "
    "and the perception of deterrence is real and ongoing so that the Communist Chinese don’t take "
    "the aggressive action that some have contemplated they will"
)
QUOTING_ONE = (
    f"US Defense Secretary Pete Hegseth spoke in Tokyo on Sunday. “{STATEMENT},” he told his hosts.\n"
)
QUOTING_TWO = f"Visiting Japan, the Pentagon chief said: “{STATEMENT}.” Beijing did not reply at once.\n"


def test_two_seed_articles_rewording_one_wire_story_are_flagged_with_their_shared_passages(corpus):
    pairs = source_copies(corpus.sources)
    assert [(p.first, p.second) for p in pairs] == [(A001, A002)]  # no other pair of seed articles
    (pair,) = pairs
    assert pair.shared_words == 24 and pair.shared_words >= MIN_SHARED_WORDS
    assert [p.text for p in pair.passages] == [
        "sent a letter to Japanese Prime Minister Shigeru Ishiba",
        "Japan's Kyodo news agency",
        "the Chinese embassy in Japan",
        "between the world's two",
    ]
    first, second = corpus.sources[A001].text, corpus.sources[A002].text
    for p in pair.passages:  # the offsets point at the passage in both texts (case and apostrophes aside)
        assert first[p.first[0] : p.first[1]] == p.text
        words = re.findall(r"\w+", second[p.second[0] : p.second[1]].lower())
        assert words == re.findall(r"\w+", p.text.lower())


def test_two_articles_quoting_the_same_speech_are_not_copies():
    assert possible_copies({"a": QUOTING_ONE, "b": QUOTING_TWO}) == []
    # the same texts without quotation marks share the whole statement: then they are flagged
    bare = {k: v.replace("“", "").replace("”", "") for k, v in {"a": QUOTING_ONE, "b": QUOTING_TWO}.items()}
    (pair,) = possible_copies(bare)
    assert pair.shared_words >= 40
    assert "build an alliance so robust" in pair.passages[0].text


def test_quotation_spans_leave_apostrophes_alone():
    text = "Japan’s minister said ‘we don’t agree’ and \"no deal\" was 'final', per Kyodo's report."
    assert [text[s:e] for s, e in quotation_spans(text)] == ["‘we don’t agree’", '"no deal"', "'final'"]


def test_page_furniture_is_not_compared():
    furniture = "Subscribe to our newsletter for the latest news on trade and tariffs every single morning"
    one, two = f"{furniture}\nJapan said no.\n", f"{furniture}\nChina said yes.\n"
    assert len(possible_copies({"a": one, "b": two})) == 1
    ranges = {"a": [(0, len(furniture))], "b": [(0, len(furniture))]}
    assert possible_copies({"a": one, "b": two}, ranges) == []


def test_seed_check_stays_clear(tmp_path):
    result = CliRunner().invoke(main, ["check", "-q", "--build-dir", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # 001 and 002 both relay Kyodo: their facts say so


def _strip_kyodo(seeds):
    path = seeds / "facts" / f"{A002}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if x.strip() != "attribution: [kyodo-news]"), encoding="utf-8")


def test_check_warns_about_copies_whose_facts_name_no_common_source(seeds_copy, tmp_path):
    _strip_kyodo(seeds_copy)
    build_dir = str(tmp_path / "build")
    passage = f'"sent a letter to Japanese Prime Minister Shigeru Ishiba" ({A001} 404-459, {A002} 150-205)'
    for command in ("check", "build", "check"):  # the second check reads the build's cache
        result = CliRunner().invoke(
            main, [command, "-q", "--seeds", str(seeds_copy), "--build-dir", build_dir]
        )
        assert result.exit_code == 0, result.output  # a warning, not an error
        assert result.output.count("warning: ") == 1
        assert f"warning: {A001} and {A002} share 24 words in 4 passages outside quotations" in result.output
        assert passage in result.output


def test_build_links_the_copies_and_marks_the_claims_they_may_overcount(built, store):
    from kg.analysis.claims import corroboration
    from kg.sparql.query import execute

    nq = (built / "kg.nq").read_text(encoding="utf-8")
    link = "<https://w3id.org/trade-dispute/ontology#possibleCopyOf>"
    assert nq.count(f" {link} ") == 2  # both ways, in the provenance graph
    rows = execute(store, "SELECT ?a ?b WHERE { GRAPH graph:provenance { ?a tdo:possibleCopyOf ?b } }")
    assert len(rows.rows) == 2
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store, min_articles=1)}
    ten = claims[("id:us-baseline-tariff", "tdo:rate", "10")]  # in 001 and 002 in their own words
    assert (ten.origins, ten.possibly_one_origin) == (3, True)
    sender = claims[("id:li-qiang-letter-to-ishiba", "tdo:sender", "Li Qiang")]
    assert (sender.origins, sender.possibly_one_origin) == (1, False)  # all relay Kyodo: one origin already
    seafood = [c for k, c in claims.items() if k[0] == "id:china-seafood-import-ban"]
    assert seafood and not any(c.possibly_one_origin for c in seafood)  # 000 alone


def test_claims_table_marks_possibly_one_origin(built):
    result = CliRunner().invoke(
        main, ["claims", "--build-dir", str(built), "--min-articles", "3", "--wide"], catch_exceptions=False
    )
    header = next(line for line in result.output.splitlines() if line.startswith("subject"))
    assert header.split()[-1] == "copies"
    row = next(
        line for line in result.output.splitlines() if "US 10% universal" in line and "tdo:rate" in line
    )
    assert row.rstrip().endswith("possibly one origin")


def _add_relay(seeds, build_dir, attribution: str | None):
    """Add RELAY from a new outlet with its letter fact (attributed as given); check it."""
    source = build_dir.parent / "relay.txt"
    source.write_bytes(RELAY.encode("utf-8"))
    added = CliRunner().invoke(
        main,
        ["add", str(source), "--seeds", str(seeds), "--new-outlet", "Harbour Times (fictional)", "--outlet-key",
         "harbour-times", "--date", "2025-04-23", "--date-basis", "stated: written for the test"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    facts = seeds / "facts" / f"{RELAY_ID}.yaml"
    extra = f"    attribution: [{attribution}]\n" if attribution else ""
    facts.write_text(
        facts.read_text().replace("facts: []\n", "facts:" + RELAY_FACTS + extra), encoding="utf-8"
    )


def test_a_relay_without_attribution_is_warned_about_then_confirms_once_attributed(seeds_copy, tmp_path):
    from kg.analysis.diff import build_diff
    from kg.build.pipeline import build, check

    build_dir = tmp_path / "build"
    build(seeds_copy, build_dir)
    _add_relay(seeds_copy, build_dir, None)
    (warning,) = check(seeds_copy).warnings
    assert warning.startswith(f"{A001} and {RELAY_ID} share 28 words in 2 passages")
    assert "Chinese Premier Li Qiang has sent a letter to Japanese Prime Minister Shigeru Ishiba" in warning
    facts = seeds_copy / "facts" / f"{RELAY_ID}.yaml"
    facts.write_text(facts.read_text() + "    attribution: [kyodo-news]\n", encoding="utf-8")
    assert check(seeds_copy).warnings == []
    build(seeds_copy, build_dir)
    diff = build_diff(build_dir)
    confirmed = {c.item: c.detail for c in diff.confirmations}
    assert confirmed["id:li-qiang-letter-to-ishiba tdo:sender id:li-qiang"] == (
        f"3 -> 4 articles (+ article:{RELAY_ID}), 1 independent origin as before"
    )
    assert not [c for c in diff.corroborations if "li-qiang-letter-to-ishiba" in c.item]
    text = CliRunner().invoke(main, ["diff", "--build-dir", str(build_dir)]).output
    assert f"confirmations: {len(diff.confirmations)} (more articles, the same origins)" in text
    assert (
        f"  ~ id:li-qiang-letter-to-ishiba tdo:sender id:li-qiang  (3 -> 4 articles (+ article:{RELAY_ID})"
        in text
    )


def test_stats_says_not_built_yet_for_an_article_added_since_the_build(seeds_copy, tmp_path):
    from kg.build.pipeline import build

    build_dir = tmp_path / "build"
    build(seeds_copy, build_dir)
    _add_relay(seeds_copy, build_dir, "kyodo-news")
    result = CliRunner().invoke(
        main, ["stats", "--seeds", str(seeds_copy), "--build-dir", str(build_dir)], catch_exceptions=False
    )
    row = next(line for line in result.output.splitlines() if line.startswith(RELAY_ID))
    assert row.split()[1:] == ["not", "built", "yet"]
    assert "1 article(s) added since the last build: run kg build to count them" in result.output
    seed_row = next(line for line in result.output.splitlines() if line.startswith(A001))
    assert "100%" in seed_row
    data = CliRunner().invoke(
        main, ["stats", "--seeds", str(seeds_copy), "--build-dir", str(build_dir), "--format", "json"]
    )
    import json

    articles = json.loads(data.output)["articles"]
    assert articles[RELAY_ID]["built"] is False and articles[A001]["built"] is True
    build(seeds_copy, build_dir)
    again = CliRunner().invoke(main, ["stats", "--seeds", str(seeds_copy), "--build-dir", str(build_dir)])
    assert "not built yet" not in again.output
