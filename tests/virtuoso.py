"""A throwaway Virtuoso on loopback, for the push tests and benchmarks/push.py.

``virtuoso-t`` (Debian: ``apt-get install virtuoso-opensource``) runs in the foreground on a
virtuoso.ini written into a temporary folder: a new, empty database there, SQL and HTTP on free
loopback ports, and no row cap or time limit on SPARQL answers (Debian's own virtuoso.ini caps
answers at 10,000 rows and sends partial "anytime" results after 60 s). A new database's
administrator is dba with the password dba: the SPARQL endpoint is ``/sparql`` (read, no
password), the Graph Store Protocol endpoint ``/sparql-graph-crud-auth`` (Digest
authentication). The server is ended by its PID.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO = shutil.which("virtuoso-t")
MISSING = "virtuoso-t is not installed here (apt-get install virtuoso-opensource; .ci/run installs it)"
LAYER = "https://w3id.org/trade-dispute/graph/layer"
"""Where the tests push the default graph: Virtuoso has no default graph of its own."""

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Virtuoso:
    """A running throwaway Virtuoso and its URLs."""

    proc: subprocess.Popen
    folder: Path
    http_port: int
    sql_port: int
    user: str = "dba"
    password: str = "dba"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The query endpoint (no password)."""
        return f"{self.url}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint (Digest authentication)."""
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def layer_query(self) -> str:
        """The query endpoint with the pushed default graph as the default graph."""
        return f"{self.sparql}?default-graph-uri={LAYER}"

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, grace: float = 30) -> int:
        """End the server by PID: signal it, kill it if it is still there after grace seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_virtuoso(
    folder: Path, buffers: int = 20_000, max_rows: int = 10_000_000, wait: float = 120
) -> Virtuoso:
    """Start virtuoso-t on a new database in folder; return once /sparql answers.

    Args:
        folder: an empty folder for the database, its log and virtuoso.ini.
        buffers: 8 KB pages of cache (Virtuoso's advice: 170,000 for 2 GB of memory to use).
        max_rows: the most rows of an answer (ResultSetMaxRows; Debian's virtuoso.ini: 10,000).
        wait: seconds to wait for the HTTP server.
    """
    if VIRTUOSO is None:
        raise RuntimeError(MISSING)
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(
            folder=folder,
            sql_port=sql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            max_rows=max_rows,
        )
    )
    proc = subprocess.Popen(
        [VIRTUOSO, "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Virtuoso(proc, folder, http_port, sql_port)
    try:
        _wait_ready(server, wait)
    except BaseException:
        server.stop(signal.SIGKILL)
        raise
    return server


def _wait_ready(server: Virtuoso, wait: float) -> None:
    deadline = time.monotonic() + wait
    probe = f"{server.sparql}?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {server.proc.returncode}: {server.log()[-2000:]}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as resp:
                if resp.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"Virtuoso did not answer on {server.sparql} within {wait:g} s: {server.log()[-2000:]}"
    )
