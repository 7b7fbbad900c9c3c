"""The claims report: contested values with their sources, corroboration by independent origins."""

from __future__ import annotations

from click.testing import CliRunner

from kg.claims import claims_report, contradictions, corroboration
from kg.cli import main


def test_us_tariff_on_china_is_contested_145_against_up_to_245(store):
    (contested,) = contradictions(store)
    assert (contested.subject, contested.property) == ("id:us-tariffs-on-china", "tdo:rate")
    values = {v.value: v for v in contested.values}
    assert set(values) == {"145", "245"}
    assert values["245"].rate_kinds == ["maximum"]
    assert values["245"].articles == ["000_47059b8c57473c03", "002_412b91df41f90cca"]
    assert values["145"].rate_kinds == ["baseline"]
    assert values["145"].articles == ["002_412b91df41f90cca", "003_6d42f7f9f635dfa1"]
    quotes = {e["quote"] for e in values["245"].evidence}
    assert "Beijing faces tariffs of up to 245% on exports to the US" in quotes


def test_letter_is_three_articles_but_one_independent_origin(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    sender = claims[("id:li-qiang-letter-to-ishiba", "tdo:sender", "id:li-qiang")]
    assert (sender.articles, sender.origins) == (3, 1)
    assert sender.modalities == "reported"
    assert sender.sources == (
        "000_47059b8c57473c03",
        "001_c06ecbde632990cb",
        "002_412b91df41f90cca",
    )


def test_independent_reports_count_separately(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    rate = claims[("id:us-reciprocal-tariff-on-japan", "tdo:rate", "24")]
    assert (rate.articles, rate.origins) == (4, 4)


def test_modality_is_shown_beside_claims(store):
    claims = {(c.subject, c.property, c.value): c for c in corroboration(store)}
    assert (
        "considered" in claims[("id:japan-rice-import-expansion", "tdo:affectsProduct", "id:rice")].modalities
    )
    assert "claimed" in claims[("id:cjk-joint-response", "tdo:party", "id:south-korea")].modalities


def test_min_articles_filters(store):
    assert all(c["articles"] >= 3 for c in claims_report(store, min_articles=3)["claims"])


def test_claims_command(built):
    result = CliRunner().invoke(main, ["claims", "--build-dir", str(built)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "id:us-tariffs-on-china tdo:rate is contested:" in result.output
    assert "145 (baseline) in 002_412b91df41f90cca, 003_6d42f7f9f635dfa1" in result.output
    assert "245 (maximum) in 000_47059b8c57473c03, 002_412b91df41f90cca" in result.output
