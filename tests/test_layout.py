"""The package's layout holds: no import cycles, no private names across modules, one line on top.

Read from the source with ast, so the rules hold for imports inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

KG = Path(__file__).resolve().parent.parent / "kg"
MODULES = {
    ".".join(("kg", *p.relative_to(KG).with_suffix("").parts)).removesuffix(".__init__"): p
    for p in sorted(KG.rglob("*.py"))
    if "ontology" not in p.parts
}


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every import of a kg module in the file; name None for ``import m``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.startswith("kg")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((sub, None) if sub in MODULES else (node.module, alias.name))
    return found


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for module, _ in _imports(path):
            if module in MODULES and module != name:
                graph.add_edge(name, module)
    return graph


def test_the_modules_were_found():
    assert {"kg.build.pipeline", "kg.sparql.query", "kg.cli", "kg.seeds.corpus"} <= set(MODULES)


def test_no_import_cycles():
    graph = _graph()
    # A package's __init__ may gather its own children (kg.cli registers its commands).
    children = [(u, v) for u, v in graph.edges if v.startswith(u + ".")]
    graph.remove_edges_from(children)
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join([*c, c[0]]) for c in cycles)


def test_no_module_imports_a_private_name_of_another():
    private = [
        f"{name} imports {module}.{imported}"
        for name, path in MODULES.items()
        for module, imported in _imports(path)
        if imported and imported.startswith("_") and module != name
    ]
    assert private == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_opens_with_one_sentence_saying_what_it_is_for(name):
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc, f"{name} has no docstring"
    first = " ".join(doc.strip().split("\n\n")[0].split())
    assert first.endswith(".") and len(first) < 240, (
        f"{name}: the first paragraph is not one sentence: {first!r}"
    )


STAGES = (
    "kg.errors", "kg.files", "kg.resources", "kg.output", "kg.rdf", "kg.seeds", "kg.store", "kg.build",
    "kg.sparql", "kg.analysis", "kg.viz", "kg.authoring", "kg.api", "kg.cli", "kg.__main__",
)  # fmt: skip
"""The packages in the order the data flows: a module may import its own stage or earlier ones."""


def _stage(module: str) -> int:
    return max(i for i, s in enumerate(STAGES) if module == s or module.startswith(s + ".") or s == "kg")


def test_no_import_runs_back_up_the_data_flow():
    assert all(any(n == s or n.startswith(s + ".") for s in STAGES) for n in MODULES if n != "kg")
    upward = [
        f"{name} imports {module}"
        for name, path in MODULES.items()
        if name != "kg"
        for module, _ in _imports(path)
        if module in MODULES and module != "kg" and _stage(module) > _stage(name)
    ]
    assert upward == []
