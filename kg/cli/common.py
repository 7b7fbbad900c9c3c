"""What every command shares: the --seeds/--build-dir options, error reporting and progress lines."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from kg.errors import KgError, output_error


def seeds_options(fn):
    """--seeds and --build-dir, shared by every command that reads seeds or outputs."""
    fn = click.option(
        "--build-dir",
        default="build",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of build outputs.",
    )(fn)
    fn = click.option(
        "--seeds",
        default="seeds",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of articles, sources, registry and facts.",
    )(fn)
    return fn


def _set_full_width(ctx, param, value):
    from kg import output

    output.FULL_WIDTH = bool(value)
    return value


def wide_option(fn):
    """--wide: print tables at full width instead of fitting the terminal."""
    return click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_full_width,
        help="Keep every cell whole; tables otherwise fit the terminal (or $COLUMNS).",
    )(fn)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that flushing it at exit cannot fail on a closed pipe."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _say_quietly(message: str) -> None:
    """Write a line on stderr unless stderr is gone too (a closed pipe)."""
    with contextlib.suppress(BrokenPipeError, ValueError):
        click.echo(message, err=True)


def reports_errors(fn):
    """Turn KgError into a message on stderr and its exit code; never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _say_quietly("interrupted; previous outputs are unchanged")
            _discard_stdout()
            sys.exit(130)
        except BrokenPipeError:  # the reader went away (kg ... | head): nothing left to say
            _discard_stdout()
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException):
            raise  # click prints usage errors itself, with exit code 2
        except OSError as exc:
            full = output_error(exc)
            if full is None:
                _internal_error(exc)
            click.echo(f"error: {full}", err=True)
            sys.exit(full.exit_code)
        except Exception as exc:  # a bug: say so plainly, traceback only on request
            _internal_error(exc)

    return wrapper


def _internal_error(exc: Exception) -> NoReturn:
    """A bug: say so plainly, traceback only on request (KG_DEBUG=1)."""
    if os.environ.get("KG_DEBUG"):
        raise exc
    click.echo(
        f"internal error: {type(exc).__name__}: {exc}\n(set KG_DEBUG=1 to see the traceback)",
        err=True,
    )
    sys.exit(70)


def progress_printer(quiet: bool):
    """A progress callback that prints each stage on stderr, or nothing with --quiet."""
    if quiet:
        return lambda _stage: None
    return lambda stage: click.echo(f"  {stage} ...", err=True)
