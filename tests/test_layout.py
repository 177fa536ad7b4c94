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


# Routes call services: no ORM query and no role comparison in the web layer (issue 10); the
# CLI and the demo call the same services. Only the session factory works below them.
NOT_ROUTES = (ROOT / "app" / "extensions.py",)
_QUERY_METHODS = {"execute", "scalars", "scalar", "query", "get", "add", "delete"}


def _session_names(tree: ast.AST) -> set[str]:
    """Names bound to the database session in a module (`session = db()`)."""
    names = {"db_session"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_db_call(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_db_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "db"


def _is_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id == "Role")
    )


def web_layer_problems(source: str) -> list[str]:
    """What a route module does that belongs in a service: SQLAlchemy, queries, role checks."""
    tree = ast.parse(source)
    sessions = _session_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            # The session's type may be named (commands pass it on); nothing else of SQLAlchemy.
            if (node.module, [a.name for a in node.names]) != ("sqlalchemy.orm", ["Session"]):
                found.append(f"line {node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "sqlalchemy" for a in node.names
        ):
            found.append(f"line {node.lineno}: imports sqlalchemy")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            on_session = _is_db_call(receiver) or (
                isinstance(receiver, ast.Name) and receiver.id in sessions
            )
            if on_session and method in _QUERY_METHODS:
                found.append(f"line {node.lineno}: session.{method}(…)")
            elif method in {"execute", "scalars", "query"}:
                found.append(f"line {node.lineno}: .{method}(…)")
        elif isinstance(node, ast.Compare) and any(
            _is_role(n) for n in [node.left, *node.comparators]
        ):
            found.append(f"line {node.lineno}: compares a role")
    return found


def _web_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "app").rglob("*.py")) if p not in NOT_ROUTES]


@pytest.mark.parametrize("path", _web_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_web_layer_runs_no_query_and_compares_no_role(path: Path) -> None:
    problems = web_layer_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: move these into a service: {problems}"


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import select\n",
        "import sqlalchemy.orm\n",
        "from sqlalchemy.orm import Session, joinedload\n",
        "from sqlalchemy.exc import SQLAlchemyError\n",
        "def f():\n    return db().get(Agency, 1)\n",
        "def f():\n    session = db()\n    return session.scalars(q)\n",
        "def f(s):\n    return s.execute(q)\n",
        "def f():\n    return db().query(Agency).all()\n",
        "def f(user):\n    return user.role == 'supervisor'\n",
        "def f(user):\n    return user.role in {'supervisor', 'admin'}\n",
        "def f(user):\n    return Role.ADMIN != user.kind\n",
    ],
)
def test_the_web_layer_check_finds_each_kind_of_problem(source: str) -> None:
    assert web_layer_problems(source)


def test_the_web_layer_check_lets_flask_session_and_services_be() -> None:
    source = (
        "from flask import session\n"
        "from sqlalchemy.orm import Session\n"
        "def f():\n"
        "    data = session.get('pending')\n"
        "    return accounts.get_user(db(), data), request.args.get('x')\n"
    )
    assert web_layer_problems(source) == []
