"""kg diff: what a rebuild changed, from the outputs build keeps in build/previous/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.analysis.diff import build_diff, compare, contradictions, load_snapshot, origins
from kg.build.pipeline import build
from kg.build.publish import keep_previous
from kg.cli import main
from kg.errors import KgError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

RATE_24 = (
    "<https://w3id.org/trade-dispute/id/us-reciprocal-tariff-on-japan>",
    "<https://w3id.org/trade-dispute/ontology#rate>",
    '"24"^^<http://www.w3.org/2001/XMLSchema#decimal>',
)


@pytest.fixture()
def seeds_build(built, tmp_path):
    """A build folder whose outputs are the seed build (as if kg build had just run on the seeds)."""
    folder = tmp_path / "build"
    folder.mkdir()
    for name in ("kg.nq", "manifest.json"):
        shutil.copy(built / name, folder / name)
    return folder


def test_corroboration_counts_independent_origins_not_articles(built):
    snapshot = load_snapshot(built)
    found = origins(snapshot.quads)
    # 000 (Anadolu), 001, 002 and 003 (no outlet: each article is its own origin) state the 24% rate
    assert sorted(found[RATE_24]) == [
        "<https://w3id.org/trade-dispute/article/001_c06ecbde632990cb>",
        "<https://w3id.org/trade-dispute/article/002_412b91df41f90cca>",
        "<https://w3id.org/trade-dispute/article/003_6d42f7f9f635dfa1>",
        "<https://w3id.org/trade-dispute/id/anadolu-agency>",
    ]
    # 000, 001 and 002 all relay Kyodo's letter story: one origin, whatever the article count
    letter_sender = (
        "<https://w3id.org/trade-dispute/id/li-qiang-letter-to-ishiba>",
        "<https://w3id.org/trade-dispute/ontology#sender>",
        "<https://w3id.org/trade-dispute/id/li-qiang>",
    )
    assert found[letter_sender] == {"<https://w3id.org/trade-dispute/id/kyodo-news>"}


def test_contradictions_are_the_layers_contradictions_not_rate_kind_differences(built, tmp_path):
    """145 % (baseline) and up to 245 % (maximum) differ in rate kind: no contradiction; a second
    baseline rate for the same tariff, stated on the same day, is one."""
    import shutil

    snapshot = load_snapshot(built)
    assert contradictions(snapshot.quads) == {}
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    facts = seeds / "facts" / "003_6d42f7f9f635dfa1.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "rate: 145" in text
    facts.write_text(text.replace("rate: 145", "rate: 150", 1), encoding="utf-8")
    build(seeds, tmp_path / "build")
    found = contradictions(load_snapshot(tmp_path / "build").quads)
    assert found == {
        (
            "<https://w3id.org/trade-dispute/id/us-tariffs-on-china>",
            "<https://w3id.org/trade-dispute/ontology#rate>",
        ): {
            '"145"^^<http://www.w3.org/2001/XMLSchema#decimal>',
            '"150"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        }
    }


def test_the_same_build_compared_with_itself_has_no_changes(built):
    snapshot = load_snapshot(built)
    assert compare(snapshot, snapshot).is_empty()


def test_no_previous_build_is_a_clear_error(seeds_build):
    with pytest.raises(KgError, match="no previous build in"):
        build_diff(seeds_build)
    result = CliRunner().invoke(main, ["diff", "--build-dir", str(seeds_build)])
    assert result.exit_code == 2
    assert "build once more" in result.output


def test_keep_previous_does_nothing_before_the_first_build(tmp_path):
    keep_previous(tmp_path)
    assert not (tmp_path / "previous").exists()


def test_rebuild_keeps_previous_outputs_and_reports_a_changed_rate(seeds_build, seeds_copy):
    from kg.build.pipeline import build

    before = (seeds_build / "kg.nq").read_bytes()
    facts = seeds_copy / "facts" / "003_6d42f7f9f635dfa1.yaml"
    text = facts.read_text(encoding="utf-8")
    edited = text.replace("    target: japan\n    rate: 24\n", "    target: japan\n    rate: 26\n", 1)
    assert edited != text
    facts.write_text(edited, encoding="utf-8")
    build(seeds_copy, seeds_build)

    assert (seeds_build / "previous" / "kg.nq").read_bytes() == before  # the hook kept the old outputs
    diff = build_diff(seeds_build)
    assert (diff.articles, diff.entities) == ([], [])
    assert [(c.kind, c.item) for c in diff.facts] == [("changed", "a003-japan-24-tariff")]
    assert diff.facts[0].detail == (
        "003_6d42f7f9f635dfa1, subject id:us-reciprocal-tariff-on-japan; "
        '-tdo:rate "24"^^xsd:decimal; +tdo:rate "26"^^xsd:decimal'
    )
    assert [(c.kind, c.item, c.detail) for c in diff.corroborations] == [
        ("changed", 'id:us-reciprocal-tariff-on-japan tdo:rate "24"^^xsd:decimal',
         "4 -> 3 independent origins (- article:003_6d42f7f9f635dfa1); possibly one origin "
         "(article:001_c06ecbde632990cb ~ article:002_412b91df41f90cca)"),
    ]  # fmt: skip
    assert [(c.kind, c.item, c.detail) for c in diff.contradictions] == [
        ("added", "id:us-reciprocal-tariff-on-japan tdo:rate", '"24"^^xsd:decimal | "26"^^xsd:decimal'),
    ]
    as_json = CliRunner().invoke(main, ["diff", "--build-dir", str(seeds_build), "--format", "json"])
    assert json.loads(as_json.output)["contradictions"][0]["kind"] == "added"
    text_report = CliRunner().invoke(main, ["diff", "--build-dir", str(seeds_build)]).output
    assert (
        "contradictions: 1 added, 0 removed, 0 changed\n  + id:us-reciprocal-tariff-on-japan tdo:rate"
        in text_report
    )
