"""Coverage of the articles by fact quotes, and the stats command."""

from __future__ import annotations

from click.testing import CliRunner

from kg.cli import main
from kg.seeds.coverage import coverage, sentences


def test_sentence_splitting_keeps_offsets():
    text = "Japan said no. “We won’t,” he said.\nHeadline line\n\nMr Trump added."
    found = sentences(text)
    assert [s.text for s in found] == [
        "Japan said no.",
        "“We won’t,” he said.",
        "Headline line",
        "Mr Trump added.",
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


def test_every_article_is_at_least_ninety_percent_covered(corpus):
    for article_id, c in coverage(corpus).items():
        assert c.sentences > 0
        assert c.ratio >= 0.9, f"{article_id}: uncovered {[s.text for s in c.uncovered]}"


def test_excluded_page_furniture_is_not_counted(corpus):
    c = coverage(corpus)["001_c06ecbde632990cb"]
    counted_text = " ".join(s.text for s in sentences(corpus.sources["001_c06ecbde632990cb"].text))
    assert "Subscribe to Our Newsletter" in counted_text
    assert all("Subscribe" not in s.text for s in c.uncovered)
    assert c.sentences < len(sentences(corpus.sources["001_c06ecbde632990cb"].text))


def test_stats_command(built):
    result = CliRunner().invoke(main, ["stats", "--build-dir", str(built)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["State", "4"] for line in lines)
    assert any(line.startswith("000_47059b8c57473c03") and line.rstrip().endswith("100%") for line in lines)
