"""The CLI is documented: every command has help with an example and appears in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group = main, prefix: str = "kg") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
    return found


ALL = commands()


def test_the_cli_has_the_commands_of_every_issue():
    names = {path for path, _ in ALL}
    for expected in (
        "kg build",
        "kg check",
        "kg query",
        "kg stats",
        "kg claims",
        "kg analyze",
        "kg viz",
        "kg serve",
        "kg push",
        "kg add",
        "kg suggest",
        "kg diff",
    ):
        assert expected in names


@pytest.mark.parametrize("path,command", ALL, ids=[p for p, _ in ALL])
def test_every_command_has_help_with_an_example(path, command):
    assert command.help and len(command.help.strip()) > 20, f"{path} has no help text"
    if not isinstance(command, click.Group):
        assert "Example" in command.help, f"{path}: add a runnable example to the docstring"
    result = CliRunner().invoke(main, [*path.split()[1:], "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.parametrize("path", [p for p, _ in ALL])
def test_every_command_appears_in_the_readme(path):
    assert f"`{path}" in README or f"$ {path}" in README, f"document '{path}' in README.md"


def test_readme_opens_with_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1][:1200]
    assert "make demo" in quick_start and "make test" in quick_start


def test_version_and_unknown_command():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).exit_code == 0
    result = runner.invoke(main, ["biuld"])
    assert result.exit_code == 2 and "No such command" in result.output
