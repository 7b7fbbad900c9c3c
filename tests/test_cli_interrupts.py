"""Ctrl-C and closed pipes end a command with a message and an exit code, never a traceback (issue 22)."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time

import click
from click.testing import CliRunner

from kg.cli.common import reports_errors


def command_raising(exc: BaseException) -> click.Command:
    @click.command()
    @reports_errors
    def broken():
        raise exc

    return broken


def test_a_closed_pipe_ends_quietly_with_exit_1():
    result = CliRunner().invoke(command_raising(BrokenPipeError(32, "Broken pipe")))
    assert result.exit_code == 1
    assert result.output == ""


def test_ctrl_c_says_so_once_and_exits_130():
    result = CliRunner().invoke(command_raising(KeyboardInterrupt()))
    assert result.exit_code == 130
    assert result.output == "interrupted; previous outputs are unchanged\n"


def test_ctrl_c_while_writing_to_a_pipe_nobody_reads_leaves_no_traceback(built):
    """kg query ... | head, then Ctrl-C: the output pipe fills, kg is interrupted mid-write, the pipe closes."""
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "query", query, "--build-dir", str(built), "--format", "csv"],
            stdout=subprocess.PIPE,
            stderr=err,
        )
        time.sleep(3)  # the answer is being written; the pipe is full
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
        proc.stdout.close()
        code = proc.wait(30)
        err.seek(0)
        said = err.read().decode()
    assert code in (0, 1, 130), said
    assert "Traceback" not in said and "Exception ignored" not in said
