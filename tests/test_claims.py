"""The claims report: disagreements with the kind of difference and every quote, corroboration
by independent origins, all read from the claim nodes the build made."""

from __future__ import annotations

from click.testing import CliRunner

from kg.analysis.claims import claims_report, corroboration, disagreements
from kg.cli import main


def test_145_and_up_to_245_are_different_rate_kinds_not_a_contradiction(store):
    (found,) = disagreements(store)
    assert (found.subject, found.property) == ("id:us-tariffs-on-china", "tdo:rate")
    assert found.kind == "different rate kinds" and not found.is_contradiction
    values = {v.value: v for v in found.values}
    assert set(values) == {"145", "245"}
    assert values["245"].rate_kinds == ["maximum"]
    assert values["245"].articles == ["000_47059b8c57473c03", "002_412b91df41f90cca"]
    assert values["145"].rate_kinds == ["baseline"]
    assert values["145"].articles == ["002_412b91df41f90cca", "003_6d42f7f9f635dfa1"]
    quotes = {e["quote"] for v in values.values() for e in v.evidence}
    assert "Beijing faces tariffs of up to 245% on exports to the US" in quotes
    assert "the current baseline of 145 per cent" in quotes


def test_letter_is_three_articles_but_one_independent_origin(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    sender = claims[("id:li-qiang-letter-to-ishiba", "tdo:sender", "Li Qiang")]
    assert (sender.articles, sender.origins, sender.facts) == (3, 1, 3)
    assert sender.subject_name.startswith("Li Qiang's letter to Shigeru Ishiba")
    assert sender.stated_as_fact


def test_china_in_the_joint_response_is_two_articles_and_four_origins(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    joint = claims[("id:cjk-joint-response", "tdo:party", "China")]
    assert (joint.articles, joint.origins) == (2, 4)


def test_independent_reports_count_separately(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    rate = claims[("id:us-reciprocal-tariff-on-japan", "tdo:rate", "24")]
    assert (rate.articles, rate.origins) == (4, 4)


def test_claims_only_expected_or_considered_are_not_stated_as_fact(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store, min_articles=1)}
    rice = claims[("id:japan-rice-import-expansion", "tdo:affectsProduct", "rice")]
    assert not rice.stated_as_fact  # considered, never asserted
    assert claims[("id:us-reciprocal-tariff-on-japan", "tdo:rate", "24")].stated_as_fact


def test_min_articles_filters(store):
    found = claims_report(store, min_articles=3)["claims"]
    assert found and all(c["articles"] >= 3 for c in found)
    assert len(claims_report(store, min_articles=1)["claims"]) > len(found)


def test_claims_command(built):
    result = CliRunner().invoke(main, ["claims", "--build-dir", str(built)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Disagreements (1: 0 contradiction(s))" in result.output
    assert (
        "US tariffs on Chinese goods (id:us-tariffs-on-china) tdo:rate: different rate kinds" in result.output
    )
    assert "145 (baseline): 2 article(s), 2 origin(s)" in result.output
    assert "245 (maximum): 2 article(s), 2 origin(s)" in result.output
    assert (
        '000_47059b8c57473c03 [asserted]: "Beijing faces tariffs of up to 245% on exports to the US"'
        in result.output
    )


def test_the_first_claims_are_the_head_of_all_claims(store):
    """kg claims --limit ranks on the stored counts: the same claims and numbers as the full list."""
    everything = corroboration(store, min_articles=2)
    first = corroboration(store, min_articles=2, limit=10)
    assert len(first) == 10
    key = lambda c: (c.articles, c.origins)  # noqa: E731
    assert sorted(map(key, first), reverse=True) == sorted(map(key, everything), reverse=True)[:10]
    assert set(first) <= set(everything)
    assert disagreements(store, limit=1) == disagreements(store)


def test_claims_command_says_how_many_it_leaves_out(built):
    result = CliRunner().invoke(
        main, ["claims", "--build-dir", str(built), "--limit", "5"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Claims made by at least 2 article(s) (73; the 5 most corroborated shown)" in result.output
    report = claims_report(__import__("kg.store", fromlist=["open_store"]).open_store(built), 2, 0)
    assert report["counts"] == {"claims": 73, "disagreements": 1, "contradictions": 0}
    assert len(report["claims"]) == 73
