"""The layout holds (docs/architecture.md): imports run one way (import-linter's contracts in
pyproject.toml), no module takes another's private name, and no module grows past about 400
lines unless it is one concept (named below, with the reason)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("store", "loaders", "synthetic", "graph", "api", "cli", "bench", "scripts")
#: Modules allowed over the size, each one concept.
LONG = {
    "graph/catalogue.py": "the KPI catalogue: one entry per KPI",
    "graph/tree.py": "the org tree of one structure date, with its lazy NetworkX graph",
}
MAX_LINES = 420


def _modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.parts
    ]


def test_imports_follow_the_flow() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_module_imports_a_private_name_of_another() -> None:
    taken = [
        f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert taken == []


def test_modules_stay_small_unless_they_are_one_concept() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in _modules()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert set(long) <= set(LONG), {k: v for k, v in long.items() if k not in LONG}


def test_the_kpi_table_of_the_docs_is_the_catalogue() -> None:
    from scripts.docs_tables import PAGE, render

    text = PAGE.read_text()
    assert render(text) == text, "docs/kpis.md is stale: run `make docs`"
