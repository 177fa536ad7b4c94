"""Fixtures: throwaway databases, a test keyring, app factories, users and signed-in clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session

from app import create_app
from core import keyring
from core.db import make_engine, make_session_factory
from core.fields import KEYS_INFO
from tests.databases import PostgresDatabases, SqliteDatabases

# CI shares two cores with PostgreSQL and Redis: timing says nothing about these properties.
settings.register_profile("silta", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("silta")

PG_URL = os.environ.get("SILTA_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("SILTA_TEST_REDIS_URL")
# Cheap argon2 parameters keep the suite fast; production uses argon2-cffi's defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"

requires_postgres = pytest.mark.skipif(
    PG_URL is None, reason="SILTA_TEST_DATABASE_URL is not set: PostgreSQL tests skipped"
)
requires_redis = pytest.mark.skipif(
    REDIS_URL is None, reason="SILTA_TEST_REDIS_URL is not set: Redis tests skipped"
)


@pytest.fixture(scope="session")
def keyring_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keyring.json"
    keyring.write_new(path, keyring.generate())
    return path


@pytest.fixture(scope="session")
def databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SqliteDatabases | PostgresDatabases]:
    dbs: SqliteDatabases | PostgresDatabases
    dbs = PostgresDatabases(PG_URL) if PG_URL else SqliteDatabases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


def base_config(db_url: str, keyring_path: Path) -> dict[str, Any]:
    return {
        "SILTA_DATABASE_URL": db_url,
        "SILTA_KEYRING": str(keyring_path),
        "SECRET_KEY": SECRET_KEY,
        "TESTING": True,
        "SILTA_PASSWORD_HASHER": FAST_HASHER,
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        "SILTA_RATELIMIT_NAMESPACE": f"silta-test-{uuid.uuid4().hex}",
        # Assertions read English; Finnish and Swedish have tests of their own.
        "SILTA_DEFAULT_LOCALE": "en",
        # Pages protect what is not prepared (production serves only prepared years: the
        # tests of that path set "ahead").
        "SILTA_STATISTICS_PROTECT": "on_view",
    }


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Remove SILTA_* from the environment and point the instance folder at a temp dir."""
    for name in list(os.environ):
        if name.startswith("SILTA_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("SILTA_INSTANCE_PATH", str(instance))
    return instance


def _plain_session(
    databases: SqliteDatabases | PostgresDatabases, keyring_file: Path, source: str | None
) -> Iterator[Session]:
    url = databases.new(source=source)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    factory.configure(info={KEYS_INFO: keyring.KeyringFile(keyring_file)})
    with factory() as session:
        yield session
    engine.dispose()
    databases.drop(url)


@pytest.fixture
def domain_session(
    databases: SqliteDatabases | PostgresDatabases, keyring_file: Path
) -> Iterator[Session]:
    """A session on a fresh migrated database without Flask: what domain services need.

    Like the application's session factory (app/extensions.py), it carries the key provider the
    encrypted columns use; the audit events it records are committed but not chained (no
    sequencer runs after its commits).
    """
    yield from _plain_session(databases, keyring_file, None)


@pytest.fixture
def demo_session(
    databases: SqliteDatabases | PostgresDatabases,
    keyring_file: Path,
    demo_template: tuple[str, list[dict[str, str]]],
) -> Iterator[Session]:
    """Like `domain_session`, on a copy of the demo scenario."""
    yield from _plain_session(databases, keyring_file, demo_template[0])


AppFactory = Callable[..., Flask]

# CPython 3.11.7 (this machine's) can raise this from a correct ast.parse: the parser's
# recursion counter is interpreter-wide state (CPython gh-106905), and Werkzeug parses every URL
# rule in create_app. It struck one fixture in a CI run of 13,000 tests.
SPURIOUS_AST_ERROR = "AST constructor recursion depth mismatch"


def created_app(config: dict[str, Any]) -> Flask:
    """Return `create_app(config)`, built once more if CPython's spurious AST error struck."""
    try:
        return create_app(config)
    except SystemError as error:
        if SPURIOUS_AST_ERROR not in str(error):
            raise
        return create_app(config)


@pytest.fixture
def make_app(
    databases: SqliteDatabases | PostgresDatabases, keyring_file: Path, clean_env: Path
) -> Iterator[AppFactory]:
    made: list[tuple[Flask, str]] = []

    def factory(db_url: str | None = None, **overrides: Any) -> Flask:
        url = db_url or databases.new()
        config = base_config(url, keyring_file)
        config.update(overrides)
        app = created_app(config)
        made.append((app, url))
        return app

    yield factory
    for app, url in made:
        app.extensions["silta"].dispose()
        databases.drop(url)


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture(scope="session")
def demo_template(
    databases: SqliteDatabases | PostgresDatabases,
    keyring_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[str, list[dict[str, str]]]:
    """A database with the demo seed applied once for the whole run, and its logins."""
    from app import demo
    from app.extensions import db, silta

    url = databases.new(name="demo_template")
    os.environ["SILTA_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("demo-instance"))
    try:
        app = created_app(base_config(url, keyring_file))
    finally:
        del os.environ["SILTA_INSTANCE_PATH"]
    with app.app_context():
        listing = demo.seed(db(), silta().keys(), silta().passwords)
        db().commit()
    app.extensions["silta"].dispose()
    return url, [dict(account) for account in listing]


@pytest.fixture
def demo_app(
    make_app: AppFactory,
    databases: SqliteDatabases | PostgresDatabases,
    demo_template: tuple[str, list[dict[str, str]]],
) -> Flask:
    return make_app(db_url=databases.new(source=demo_template[0]))


@pytest.fixture
def demo_accounts(demo_template: tuple[str, list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    return {account["username"]: account for account in demo_template[1]}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked slow first: parallel workers (`-n auto`) then share the rest and end
    together instead of one worker running a long test while the others wait."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
