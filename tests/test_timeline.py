"""Timeline of measures per dyad on the seed graph: rates with their dates and articles, pauses, retaliation.

From the articles: article 003 (2025-04-15) gives the US 145% tariff on Chinese imports; articles
000 and 002 (2025-04-22) give "up to 245%" and, in 002, "the current baseline of 145 per cent";
China's 125% answer is in 000 ("retaliated by raising ... to as high as 125%") and 002.
"""

from __future__ import annotations

import matplotlib
import pytest
from click.testing import CliRunner

from kg.analysis.timeline import ROW_KEYS, rates_in_force, timeline_png, timeline_rows
from kg.cli import main

ID = "https://w3id.org/trade-dispute/id/"
US_CHINA, CHINA_US, US_JAPAN = "United States -> China", "China -> United States", "United States -> Japan"


@pytest.fixture(scope="module")
def rows(store):
    return timeline_rows(store)


def rated(rows, dyad, measure):
    return {
        (r["date"], r["rate"], r["rate_kind"], r["article_id"])
        for r in rows
        if r["dyad"] == dyad and r["measure"] == ID + measure and r["rate"] is not None
    }


def test_us_rate_on_chinese_goods_145_baseline_up_to_245_with_dates_and_articles(rows):
    assert rated(rows, US_CHINA, "us-tariffs-on-china") == {
        ("2025-04-15", 145, "baseline", "003_6d42f7f9f635dfa1"),
        ("2025-04-22", 145, "baseline", "002_412b91df41f90cca"),
        ("2025-04-22", 245, "maximum", "000_47059b8c57473c03"),
        ("2025-04-22", 245, "maximum", "002_412b91df41f90cca"),
    }
    quotes = {r["quote"] for r in rows if r["measure"] == ID + "us-tariffs-on-china" and r["rate"] == 245}
    assert "Beijing faces tariffs of up to 245% on exports to the US" in quotes


def test_china_answers_with_125_percent_as_retaliation(rows):
    answer = [r for r in rows if r["dyad"] == CHINA_US and r["rate"] == 125]
    assert {(r["date"], r["event"], r["article_id"]) for r in answer} == {
        ("2025-04-22", "retaliation", "000_47059b8c57473c03"),
        ("2025-04-22", "retaliation", "002_412b91df41f90cca"),
    }
    assert all("retaliates against US tariffs on Chinese goods" in r["detail"] for r in answer)


def test_rows_have_every_key_and_cite_a_fact(rows):
    assert rows
    for r in rows:
        assert set(r) == set(ROW_KEYS)
        assert r["fact"].startswith("https://w3id.org/trade-dispute/fact/") and r["quote"]


def test_announcements_pauses_and_exclusions(rows):
    us_japan = {(r["date"], r["event"]) for r in rows if r["dyad"] == US_JAPAN}
    assert ("2025-04-02", "announcement") in us_japan  # "Liberation Day"
    assert ("2025-03-26", "announcement") in us_japan  # the car tariffs
    assert ("2025-04-15", "paused") in us_japan  # "a 90-day reprieve granted to most nations"
    excluded = [r for r in rows if r["dyad"] == US_CHINA and r["event"] == "excluded from pause"]
    assert {r["article_id"] for r in excluded} == {"000_47059b8c57473c03", "003_6d42f7f9f635dfa1"}
    # talks of Japan and the US about the car tariff are not part of the US -> China dyad
    assert not [r for r in rows if r["dyad"] == US_CHINA and r["event"] == "talks"]


def test_rate_in_force_per_dyad_and_date(rows):
    table = rates_in_force(rows)
    us_china = {
        (r["date"], r["rate_kind"]): r["rate"]
        for r in table
        if r["dyad"] == US_CHINA and "Chinese goods" in r["measure_label"]
    }
    assert us_china[("2025-04-15", "baseline")] == 145
    assert us_china[("2025-04-22", "baseline")] == 145
    assert us_china[("2025-04-22", "maximum")] == 245
    assert ("2025-04-15", "maximum") not in us_china  # "up to 245%" is first reported on 2025-04-22
    japan = [
        r
        for r in table
        if r["dyad"] == US_JAPAN and r["date"] == "2025-04-22" and "on Japan" in r["measure_label"]
    ]
    assert [(r["rate"], r["status"]) for r in japan] == [(24, "paused")]


def test_as_of_keeps_only_rows_dated_by_then(store):
    early = timeline_rows(store, as_of="2025-03-31")
    assert early and all(r["date"] <= "2025-03-31" for r in early)
    assert not [r for r in early if r["measure"] == ID + "us-tariffs-on-china"]
    assert ("2025-03-26", 25) in {(r["date"], r["rate"]) for r in early if r["dyad"] == US_JAPAN}


def test_png_is_written_to_the_given_path_without_changing_the_backend(rows, tmp_path):
    backend = matplotlib.get_backend()
    out = timeline_png(rows, tmp_path / "charts" / "timeline.png")
    assert out == tmp_path / "charts" / "timeline.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.get_backend() == backend
    assert [p.name for p in out.parent.iterdir()] == ["timeline.png"]  # no temporary file left
    empty = timeline_png([], tmp_path / "empty.png")
    assert empty.stat().st_size > 0


def test_cli_timeline_table_csv_and_png(built, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "analyze",
            "timeline",
            "--dyad",
            US_CHINA,
            "--format",
            "csv",
            "--build-dir",
            str(built),
            "--png",
            str(tmp_path / "t.png"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()  # "wrote ..." goes to stderr
    assert lines[0] == "date,dyad,measure_label,event,rate,rate_kind,status,article_id,quote"
    assert any(",245,maximum," in line for line in lines)
    assert (tmp_path / "t.png").is_file()
    result = runner.invoke(
        main, ["analyze", "timeline", "--rates", "--wide", "--build-dir", str(built)], catch_exceptions=False
    )
    assert "245" in result.output and "stated_on" in result.output
