"""The architecture holds: layers (import-linter contracts in .importlinter), no import cycles,
and the database drivers and SQL only in ``clusterix.storage``."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "clusterix"
DRIVERS = {"duckdb", "psycopg", "psycopg2", "sqlalchemy", "sqlite3"}
# an SQL statement in a string: the verbs followed by what they act on
SQL = re.compile(
    r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|SEQUENCE)|DROP\s+TABLE)\b",
    re.DOTALL,  # SQL keywords are written in capitals here; prose is not
)


def _sources(outside: str | None = None) -> list[Path]:
    paths = sorted(PACKAGE.rglob("*.py"))
    return [p for p in paths if outside is None or p.relative_to(PACKAGE).parts[0] != outside]


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_outside_storage_imports_a_database_driver() -> None:
    offenders = {}
    for path in _sources(outside="storage"):
        found = _imported(ast.parse(path.read_text(encoding="utf-8"))) & DRIVERS
        if found:
            offenders[str(path.relative_to(PACKAGE))] = sorted(found)
    assert not offenders, f"database drivers imported outside clusterix.storage: {offenders}"


def test_no_module_outside_storage_writes_sql() -> None:
    offenders = {}
    for path in _sources(outside="storage"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        strings = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        ]
        hits = [text[:60] for text in strings if SQL.search(text)]
        if hits:
            offenders[str(path.relative_to(PACKAGE))] = hits
    assert not offenders, f"SQL outside clusterix.storage: {offenders}"


def test_the_sql_check_sees_sql() -> None:
    assert SQL.search("SELECT id FROM organisations WHERE id = ?")
    assert SQL.search("DELETE FROM users")
    assert not SQL.search("Select the region from the list")


def test_no_import_cycles() -> None:
    grimp = pytest.importorskip("grimp", reason="grimp comes with import-linter (the dev extra)")
    import networkx as nx

    graph = grimp.build_graph("clusterix", exclude_type_checking_imports=True)
    directed = nx.DiGraph()
    for module in graph.modules:
        directed.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            directed.add_edge(module, imported)
    cycles = [sorted(component) for component in nx.strongly_connected_components(directed) if len(component) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_the_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("lint-imports is not installed (pip install -e '.[dev]')")
    result = subprocess.run([lint], capture_output=True, text=True, cwd=PACKAGE.parents[1], check=False)
    assert result.returncode == 0, result.stdout[-3000:]
