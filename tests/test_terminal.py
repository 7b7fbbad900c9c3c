"""Every table the CLI prints fits an 80-column terminal; --wide and the machine formats keep
every cell whole; tables show labels, not IRIs, unless --iris asks for them."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.sparql.query import named_queries

SEPARATOR = re.compile(r"^-+(  -+)*$")


def run(args: list[str], columns: int = 80):
    result = CliRunner().invoke(main, args, env={"COLUMNS": str(columns)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def tables(output: str) -> list[list[str]]:
    """The tables of an output: the header above each line of dashes, and the rows down to a blank line."""
    lines = output.splitlines()
    found = []
    for i, line in enumerate(lines):
        if SEPARATOR.match(line) and i > 0:
            end = next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines))
            found.append(lines[i - 1 : end])
    return found


def commands(build: str) -> list[list[str]]:
    b = ["--build-dir", build]
    out = [["query", "--list"], ["claims", *b], ["claims", *b, "--limit", "0"], ["stats", *b]]
    out += [["query", name, *b] for name in named_queries()]
    out += [
        ["analyze", "centrality", *b],
        ["analyze", "centrality", "--view", "state", *b],
        ["analyze", "communities", *b],
        ["analyze", "balance", *b],
        ["analyze", "path", "pete-hegseth", "li-qiang", *b],
        ["analyze", "timeline", *b],
        ["analyze", "timeline", "--rates", *b],
        ["analyze", "edges", *b],
        ["analyze", "view", *b],
        ["analyze", "view", "roles", *b],
    ]
    return out


def test_every_table_fits_eighty_columns(built):
    seen = 0
    for args in commands(str(built)):
        for table in tables(run(args)):
            seen += 1
            wide = [line for line in table if len(line) > 80]
            assert wide == [], f"kg {' '.join(args)}: {len(wide[0])} columns: {wide[0]!r}"
    assert seen >= 40, "the commands printed fewer tables than expected"


def test_wide_keeps_every_cell_whole(built):
    narrow = run(["query", "cq-letters", "--build-dir", str(built)])
    wide = run(["query", "cq-letters", "--build-dir", str(built), "--wide"])
    assert "…" in narrow and max(map(len, narrow.splitlines())) <= 80
    assert "Li Qiang's letter to Shigeru Ishiba on US tariffs" in wide
    assert max(map(len, wide.splitlines())) > 80


def test_csv_is_never_cut(built):
    out = run(["query", "cq-letters", "--build-dir", str(built), "--format", "csv"])
    assert "a letter from Chinese Prime Minister Li Qiang to his Japanese counterpart Shigeru Ishiba" in out


def test_tables_show_labels_and_iris_on_request(built):
    labelled = run(
        ["query", "SELECT ?who WHERE { ?l a tdo:Letter ; tdo:sender ?who }", "--build-dir", str(built)]
    )
    assert "Li Qiang" in labelled and "id:li-qiang" not in labelled
    iris = run(
        [
            "query",
            "SELECT ?who WHERE { ?l a tdo:Letter ; tdo:sender ?who }",
            "--build-dir",
            str(built),
            "--iris",
        ]
    )
    assert "id:li-qiang" in iris


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "nt"])
def test_construct_honours_every_format(built, fmt):
    out = run(["query", "CONSTRUCT { ?l tdo:sender ?who } WHERE { ?l a tdo:Letter ; tdo:sender ?who }",
               "--build-dir", str(built), "--format", fmt])  # fmt: skip
    expected = {
        "table": "id:li-qiang-letter-to-ishiba",
        "csv": "https://w3id.org/trade-dispute/id/li-qiang",
        "tsv": "<https://w3id.org/trade-dispute/id/li-qiang>",
        "json": '"subject"',
        "nt": "<https://w3id.org/trade-dispute/ontology#sender>",
    }[fmt]
    assert expected in out


def test_nt_of_a_select_is_refused_in_one_line(built):
    result = CliRunner().invoke(
        main, ["query", "SELECT * { ?s ?p ?o } LIMIT 1", "--build-dir", str(built), "--format", "nt"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --format nt is for CONSTRUCT and DESCRIBE; a SELECT or ASK answer has no triples"
    ]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_list_honours_format(fmt):
    out = run(["query", "--list", "--format", fmt])
    assert ("name,question" in out) if fmt == "csv" else ('"name": "cq-letters"' in out)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_shells_script(shell):
    out = run(["completion", shell])
    assert "_KG_COMPLETE" in out and f"{shell}_complete" in out


def complete(words: str) -> list[str]:
    env = {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_KG_COMPLETE": "bash_complete"}  # fmt: skip
    result = CliRunner().invoke(main, [], env=env, prog_name="kg")
    return [line.split(",", 1)[1] for line in result.output.splitlines()]


def test_completion_knows_commands_named_queries_and_entity_keys(monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)  # the seeds folder of the checkout
    assert "query" in complete("kg qu")
    assert complete("kg query cq-let") == ["cq-letters"]
    assert "li-qiang" in complete("kg analyze path li")
    assert "japan" in complete("kg viz --focus jap")
    assert "--wide" in complete("kg claims --w")
