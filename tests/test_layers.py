"""The packages form layers and no import runs back up: core ← graph, gnn ← nlu ← api ← bench (an AST walk over
every module, lazy imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("core", "graph", "gnn", "nlu", "api", "bench", "tests")
# What each layer may import from the project (itself included); gnn never sees Neo4j, neither through the driver.
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "graph": {"core", "graph"},
    "gnn": {"core", "gnn"},
    "nlu": {"core", "graph", "nlu"},
    "api": {"core", "graph", "gnn", "nlu", "api"},
    "bench": {"core", "graph", "gnn", "nlu", "api", "bench"},
}
FORBIDDEN_LIBRARIES: dict[str, set[str]] = {"gnn": {"neo4j"}, "core": {"neo4j", "torch", "fastapi"}}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module `path` imports (absolute imports; the project uses no relative ones)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add((node.module or "").split(".")[0])
    return names


def violations(layer: str) -> list[str]:
    """Every import of a module of `layer` that its layer may not make."""
    found = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if (name in PROJECT and name not in ALLOWED[layer]) or name in FORBIDDEN_LIBRARIES.get(layer, set()):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("layer", list(ALLOWED))
def test_no_import_runs_back_up(layer: str) -> None:
    assert violations(layer) == []


def test_the_walk_sees_lazy_imports_and_would_flag_one(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import numpy\n\ndef f() -> None:\n    from api.cli import app\n    import graph.db\n")
    assert imported_modules(module) == {"numpy", "api", "graph"}
