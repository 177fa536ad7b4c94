"""The append-only triggers exist and refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.audit.helpers import record_events


def _triggers(app: Flask) -> set[str]:
    engine = app.extensions["silta"].engine
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                    "AND tgrelid::regclass::text IN ('audit_events', 'audit_chain')"
                )
            )
        else:
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {row[0] for row in rows}


def test_triggers_exist(app: Flask) -> None:
    names = _triggers(app)
    if app.extensions["silta"].engine.dialect.name == "postgresql":
        expected = {
            f"{t}_{k}"
            for t in ("audit_events", "audit_chain")
            for k in ("append_only", "no_truncate")
        }
    else:
        expected = {
            f"{t}_no_{k}" for t in ("audit_events", "audit_chain") for k in ("update", "delete")
        }
    assert expected <= names


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "UPDATE audit_chain SET hash = hash",
        "DELETE FROM audit_chain",
    ],
)
def test_log_rows_cannot_be_changed_or_removed(app: Flask, statement: str) -> None:
    record_events(app, 3)
    engine = app.extensions["silta"].engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_chain")).scalar() == 3


@pytest.mark.parametrize("table", ["audit_events", "audit_chain"])
def test_truncate_is_refused_on_postgresql(app: Flask, table: str) -> None:
    engine = app.extensions["silta"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    record_events(app, 2)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {table}"))
