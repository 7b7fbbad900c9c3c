"""The one exception hierarchy of the project; the CLI maps each class to an exit code."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_BAD_INPUT = 2


class KgError(Exception):
    """Base of every error a user may see; its message is shown without a traceback."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in an input file: ``path:line:col: fact: message``."""

    path: str
    line: int
    col: int
    fact: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        return f"{where}: {self.fact}: {self.message}" if self.fact else f"{where}: {self.message}"


class SeedError(KgError):
    """Annotations, sources or registry are malformed; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the seeds"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class OntologyError(KgError):
    """The ontology or shapes cannot be read."""


class ValidationFailed(KgError):
    """The data does not conform to the SHACL shapes or a violation query returned rows."""

    exit_code = EXIT_NOT_CONFORMING

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = f"{count} violation{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in problems))


class QueryError(KgError):
    """A SPARQL query is refused, malformed, or exceeded its time limit."""


class StoreError(KgError):
    """The store is missing, locked or unreachable."""


class OutputError(KgError):
    """Outputs cannot be written: the disk or the file-size limit is full."""


def output_error(exc: OSError) -> OutputError | None:
    """An OutputError for an OSError that says the disk (or a quota, or the file-size limit) is
    full; None for any other OSError.

    Example:
        >>> import errno
        >>> print(output_error(OSError(errno.ENOSPC, "No space left on device", "build/kg.nq")))
        cannot write build/kg.nq: No space left on device; make room and run again (the previous outputs are unchanged)
    """
    import errno

    if exc.errno not in {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}:
        return None
    where = exc.filename or "the outputs"
    return OutputError(
        f"cannot write {where}: {exc.strerror}; make room and run again (the previous outputs are unchanged)"
    )
