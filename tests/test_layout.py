"""The architecture rules a tool can check (issue 10); import-linter checks the layers
(`make test` runs `lint-imports`, contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = ("app", "cases", "audit", "core", "migrations", "bench")
# Cycles are a matter of the application packages; benchmarks are scripts.
IMPORT_CHECKED = ("app", "cases", "audit", "core", "migrations")
MAX_LINES = 400


def _sources() -> list[Path]:
    return sorted(p for package in SOURCE_PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_there_are_sources_to_check() -> None:
    assert len(_sources()) > 50


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_file_is_over_400_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by area"


def _function_level_imports(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner.lineno)
    return found


# The application factory imports its blueprints when it builds the app: that is the factory
# pattern, not a cycle (nothing it imports imports `app` back at module level).
FACTORY = ROOT / "app" / "__init__.py"


@pytest.mark.parametrize(
    "path",
    [p for p in _sources() if p.relative_to(ROOT).parts[0] in IMPORT_CHECKED],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_function_level_imports(path: Path) -> None:
    if path == FACTORY or path.parts[-3:-1] == ("migrations", "versions"):
        return
    lines = _function_level_imports(ast.parse(path.read_text(encoding="utf-8")))
    assert not lines, f"{path.relative_to(ROOT)} imports inside a function at lines {lines}"
