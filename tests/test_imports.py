"""The packages import one way (outlast, dashboards -> model -> agents) and without cycles.

Every import statement of every module counts, also those inside functions (a lazy import is
still a dependency), except those under ``if TYPE_CHECKING:``, which never run. Importing
``a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``, so those count as dependencies too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("agents", "model", "outlast", "dashboards")
#: A package may import only packages of its own layer or below.
LAYER = {"agents": 0, "model": 1, "outlast": 2, "dashboards": 2}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Modules named by the import statements of one module (relative ones resolved)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            names.add(base)
            # "from pkg import mod" imports the submodule pkg.mod when there is one.
            names.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def import_graph() -> nx.DiGraph:
    modules = {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target in imported_names(tree, name, path.name == "__init__.py"):
            # The module itself (if ours) and every package above it run on import.
            parts = target.split(".")
            for k in range(1, len(parts) + 1):
                prefix = ".".join(parts[:k])
                if prefix in modules and prefix != name:
                    graph.add_edge(name, prefix)
    return graph


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return import_graph()


def test_the_graph_sees_every_package_and_known_imports(graph):
    assert {n.split(".")[0] for n in graph} == set(PACKAGES)
    assert graph.has_edge("model.model", "agents.soldiers")
    assert graph.has_edge("outlast.cli", "outlast.cli.run")


def import_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Cycles of two or more modules.

    A package's __init__ importing its own submodules is the one allowed loop: the submodule
    imports the package on the way in, but Python has it half-initialised already.
    """
    acyclic = graph.copy()
    acyclic.remove_edges_from(
        (a, b) for a, b in graph.edges if a.startswith(b + ".") and graph.has_edge(b, a)
    )
    return [c for c in nx.simple_cycles(acyclic) if len(c) > 1]


def upward_imports(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """Imports from a lower layer into a higher one (e.g. model importing outlast)."""
    return [(a, b) for a, b in graph.edges if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]]]


def test_no_import_cycles(graph):
    assert not import_cycles(graph), f"import cycles: {import_cycles(graph)[:5]}"


def test_imports_run_one_way(graph):
    assert not upward_imports(graph)


def test_a_cycle_and_an_upward_import_are_caught():
    """The checks can fail: a made-up graph with both faults is flagged."""
    bad = nx.DiGraph([("model.a", "model.b"), ("model.b", "model.a"), ("agents.x", "model.a")])
    assert import_cycles(bad) == [["model.a", "model.b"]] or import_cycles(bad) == [
        ["model.b", "model.a"]
    ]
    assert upward_imports(bad) == [("agents.x", "model.a")]
