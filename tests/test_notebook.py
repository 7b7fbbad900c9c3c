"""The tutorial notebook runs top to bottom in a fresh Jupyter kernel, on the seed graph."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_committed_notebook_has_no_outputs():
    """Outputs are cleared before committing, so the file never shows stale results."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], "clear outputs before committing (make test runs it anyway)"
            assert cell.execution_count is None


def test_notebook_uses_only_the_public_api():
    """No copies of library logic: code cells import from kg and call it, they define no functions."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(tree)), cell.source
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg."):
                assert not any(alias.name.startswith("_") for alias in node.names), cell.source


@pytest.mark.notebook
def test_notebook_runs_in_a_fresh_kernel(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("KG_BUILD_DIR", str(tmp_path / "build"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "li-qiang" in text and "245" in text
    assert (tmp_path / "build" / "ego-japan.html").exists()

    # it reads like a report: tables of names, no IRIs, no NaN or None cells
    tables = [o["data"]["text/html"] for o in outputs if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 10
    for table in tables:
        assert "https://w3id.org/" not in table and ">id:" not in table, table[:300]
        assert (
            "<td>NaN</td>" not in table
            and "<td>None</td>" not in table
            and "<td>&lt;NA&gt;</td>" not in table
        )
    assert any("<th>personName</th>" in t and "Shigeru Ishiba" in t for t in tables)

    # the as-of graph leaves out the actors no article has mentioned by then
    before = next(line for line in text.splitlines() if line.startswith("2025-03-31:"))
    after = next(line for line in text.splitlines() if line.startswith("2025-04-22:"))
    assert int(before.split()[1]) < int(after.split()[1]) <= 22
    assert (
        "actors that appear: " in text
        and "Li Qiang" in text.split("actors that appear: ", 1)[1].splitlines()[0]
    )

    # the graph is embedded whole, not linked by a path that breaks when the export moves
    frames = [o["data"]["text/html"] for o in outputs if "<iframe" in o.get("data", {}).get("text/html", "")]
    assert len(frames) == 1 and frames[0].startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert "new vis.Network(" in frames[0] and 'src="' not in frames[0].split(">", 1)[0]
