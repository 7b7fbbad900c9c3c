"""Bounded input (issue 22): alias bombs, YAML 1.1 forms, sizes, BOMs, unreadable files, each a located problem.

Every case that gave a traceback, exit 70 or a silent wrong value before is checked through
``kg check`` on a private copy of the seeds: exit 2, ``path:line:col``, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import Problem
from kg.seeds.yamlpos import ALIAS_BUDGET, MAX_SCALAR_CHARS, load_yaml

FACTS = "facts/000_47059b8c57473c03.yaml"


def bomb(levels: int = 10, width: int = 9) -> str:
    """The 1 KB alias bomb of issue 22: each level lists the previous one width times."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def read(text: str) -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    return load_yaml(text, "f.yaml", problems), problems


def check(seeds: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "-q", "--seeds", str(seeds), "--build-dir", str(seeds / "b")])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def add_fact(seeds: Path, body: str) -> int:
    """Append a fact to the first fact file; the line it starts on."""
    path = seeds / FACTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return text.count("\n") + 1


# --------------------------------------------------------------------------- aliases


def test_the_alias_bomb_is_refused_in_under_a_second_and_100_mb():
    text = bomb()
    assert len(text) < 1100
    script = (
        "import sys, time\n"
        "from kg.seeds.yamlpos import load_yaml\n"
        "problems = []\n"
        "start = time.perf_counter()\n"
        "load_yaml(sys.stdin.read(), 'bomb.yaml', problems)\n"
        "took = time.perf_counter() - start\n"
        # VmHWM, not ru_maxrss: a child's ru_maxrss starts from its parent's (pytest's) size
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "peak = int(status.split()[0]) / 1024\n"
        "print(took, peak, problems[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=text, capture_output=True, text=True, timeout=60, check=True
    )
    took, peak, problem = done.stdout.split(" ", 2)
    assert float(took) < 1.0
    assert float(peak) < 100, f"{peak} MB"
    assert problem.startswith(f"bomb.yaml:2:5: aliases expand past {ALIAS_BUDGET} collections")
    assert len(problem) < 200


def test_a_self_referencing_alias_is_a_located_problem_not_a_recursion_error():
    value, problems = read("a: &x [*x]\n")
    assert value is None
    assert [str(p) for p in problems] == [
        "f.yaml:1:4: an alias refers to its own anchor (a value that contains itself)"
    ]
    _, problems = read("a: &m {k: [1, {j: *m}]}\n")
    assert "refers to its own anchor" in problems[0].message


def test_a_few_aliases_are_still_read():
    value, problems = read("a: &x {k: 1}\nb: *x\nc: [*x, *x]\n")
    assert problems == []
    assert value["b"] == value["c"][1] == {"k": 1}


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        ("012", "ambiguous number 012"),
        ("-024", "ambiguous number -024"),
        ("1:30", "ambiguous number 1:30"),
        ("1_000", "ambiguous number 1_000"),
        ("0b101", "ambiguous number 0b101"),
        ("1:30.5", "ambiguous number 1:30.5"),
        ("yes", "ambiguous value yes"),
        ("Off", "ambiguous value Off"),
        (".nan", ".nan is not a number"),
        ("-.inf", "-.inf is not a number"),
        ("1.0e+999", "1.0e+999 is not a number"),
    ],
)
def test_yaml_11_forms_and_non_numbers_are_refused_with_quote_it(raw, what):
    value, problems = read(f"rate: {raw}\n")
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"f.yaml:1:7: {what}")
    assert "quote it" in problems[0].message
    assert value["rate"] == raw  # kept as read, marked unreadable: no silent 10 for 012


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12),
        ("0", 0),
        ("-3", -3),
        ("0x1A", 26),
        ("17.5", 17.5),
        ("true", True),
        ("'012'", "012"),
        ('"yes"', "yes"),
    ],
)
def test_plain_numbers_booleans_and_quoted_forms_are_read_as_before(raw, value):
    doc, problems = read(f"v: {raw}\n")
    assert problems == [] and doc["v"] == value and type(doc["v"]) is type(value)


def test_a_scalar_past_the_limit_is_refused_where_it_starts():
    _, problems = read("a: 1\nnote: " + "x" * (MAX_SCALAR_CHARS + 1) + "\n")
    assert (
        str(problems[0])
        == f"f.yaml:2:7: value of {MAX_SCALAR_CHARS + 1} characters: the limit is {MAX_SCALAR_CHARS}"
    )


# --------------------------------------------------------------------------- through kg check


def test_rate_012_is_an_error_not_ten(seeds_copy):
    line = add_fact(
        seeds_copy,
        """\
        - id: a000-octal-rate
          quote: Beijing faces tariffs of up to 245% on exports to the US
          subject: us-tariffs-on-china
          rate: 0245
        """,
    )
    code, out = check(seeds_copy)
    assert code == 2
    assert f"{FACTS}:{line + 3}:11: ambiguous number 0245: YAML 1.1 and 1.2 read it differently" in out


def test_nan_rate_is_an_error(seeds_copy):
    line = add_fact(
        seeds_copy,
        """\
        - id: a000-nan-rate
          quote: Beijing faces tariffs of up to 245% on exports to the US
          subject: us-tariffs-on-china
          rate: .nan
        """,
    )
    code, out = check(seeds_copy)
    assert code == 2 and f"{FACTS}:{line + 3}:11: .nan is not a number" in out
    assert "expects a number" not in out  # reported once


def test_an_alias_bomb_in_a_fact_file_is_one_located_problem(seeds_copy):
    (seeds_copy / "facts" / "zz_bomb.yaml").write_text(bomb())
    code, out = check(seeds_copy)
    assert code == 2 and "zz_bomb.yaml:2:5: aliases expand past" in out
    assert len(out) < 5000


def test_a_60_mb_scalar_is_refused_by_size(seeds_copy):
    path = seeds_copy / "facts" / "zz_huge.yaml"
    with path.open("w") as fh:
        fh.write("article: zz_huge\nfacts:\n  - id: x\n    note: ")
        fh.write("x" * (60 * 1024 * 1024))
    code, out = check(seeds_copy)
    assert code == 2 and "zz_huge.yaml: file of 62914" in out and "the limit is 33554432 bytes" in out


def test_an_empty_fact_file_is_reported(seeds_copy):
    (seeds_copy / "facts" / "zz_empty.yaml").write_text("")
    (seeds_copy / "facts" / "zz_comment.yaml").write_text("# nothing yet\n")
    code, out = check(seeds_copy)
    assert code == 2
    assert "zz_empty.yaml:1:1: empty fact file" in out and "zz_comment.yaml:1:1: empty fact file" in out


def test_a_fact_file_that_is_a_folder_or_a_symlink_loop_is_reported(seeds_copy):
    (seeds_copy / "facts" / "zz_folder.yaml").mkdir()
    os.symlink("zz_loop.yaml", seeds_copy / "facts" / "zz_loop.yaml")
    code, out = check(seeds_copy)
    assert code == 2
    assert "zz_folder.yaml: is a folder, not a YAML file" in out
    assert "zz_loop.yaml: cannot read the file: Too many levels of symbolic links" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_fact_file_is_reported(seeds_copy):
    path = seeds_copy / FACTS
    path.chmod(0)
    code, out = check(seeds_copy)
    assert code == 2 and "cannot read the file: Permission denied" in out


def test_a_yaml_file_with_a_bom_is_read_with_right_columns(seeds_copy):
    path = seeds_copy / FACTS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, out = check(seeds_copy)
    assert code == 0, out


def test_an_article_with_a_bom_or_not_utf8_is_reported_at_its_record(seeds_copy):
    articles = sorted((seeds_copy / "articles").glob("*.txt"))
    articles[0].write_bytes(b"\xef\xbb\xbf" + articles[0].read_bytes())
    data = articles[1].read_bytes()
    articles[1].write_bytes(data[:100] + b"\xff" + data[101:])
    code, out = check(seeds_copy)
    assert code == 2
    assert f"{articles[0].stem}: " in out and "starts with a byte order mark" in out
    assert "is not UTF-8: byte 0xff at line" in out and "(offset 100)" in out
    assert any("sources.yaml:" in line and "byte order mark" in line for line in out.splitlines())


def test_a_registry_key_with_a_bracket_used_by_a_fact_is_a_seed_problem(seeds_copy):
    registry = seeds_copy / "entities.yaml"
    registry.write_text(registry.read_text() + "bad>key:\n  type: State\n  label: Bad\n")
    add_fact(
        seeds_copy,
        """\
        - id: a000-bad-key
          quote: Beijing faces tariffs of up to 245% on exports to the US
          subject: bad>key
        """,
    )
    code, out = check(seeds_copy)
    assert code == 2
    assert "bad>key: entity keys are lower-case words joined by '-'" in out
    assert "unknown entity key 'bad>key' in subject" in out


def test_effective_before_announced_is_an_error_unless_a_note_says_why(seeds_copy):
    body = """\
        - id: a000-dates-{n}
          quote: Beijing faces tariffs of up to 245% on exports to the US
          subject: us-tariffs-on-china
          announcedOn: 2025-04-09
          effectiveFrom: 2025-03
        """
    line = add_fact(seeds_copy, body.format(n=1))
    code, out = check(seeds_copy)
    assert code == 2
    assert (
        f"{FACTS}:{line + 4}:20: a000-dates-1: effectiveFrom 2025-03 is before announcedOn 2025-04-09" in out
    )
    path = seeds_copy / FACTS
    path.write_text(path.read_text().replace("effectiveFrom: 2025-03\n", "effectiveFrom: 2025-04\n"))
    assert "is before announcedOn" not in check(seeds_copy)[1]  # same month: not surely before
