"""Helpers for audit tests: record events, and tamper with the log as its owner would."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from flask import Flask
from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.engine import Connection, Engine

from app.extensions import db, silta
from audit.canonical import canonical
from audit.events import Action, AuditContext, event_document, record
from audit.merkle import Frontier, leaf_hash
from audit.sequencer import GENESIS_HASH, chain_t, events_t, head_t
from cases.policy import CliActor

TABLES = ("audit_events", "audit_chain")


def record_events(app: Flask, count: int, per_commit: int = 50) -> None:
    """Record `count` events, committing every `per_commit` (each commit sequences)."""
    ctx = AuditContext(CliActor("tests"))
    with app.app_context():
        for index in range(count):
            record(db(), ctx, Action.DEMO_SEEDED, number=index)
            if (index + 1) % per_commit == 0:
                db().commit()
        db().commit()


def engine_of(app: Flask) -> Engine:
    return silta().engine if _in_context(app) else app.extensions["silta"].engine


def _in_context(app: Flask) -> bool:
    from flask import has_app_context

    return has_app_context()


def _disable(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for table in TABLES:
            for op in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))


def tamper(app: Flask, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run statements with the append-only triggers disabled, as the table owner could."""
    engine = app.extensions["silta"].engine
    with engine.begin() as connection:
        _disable(connection)
        for sql, params in statements:
            statement = text(sql).bindparams(
                *(bindparam(k, type_=Uuid()) for k, v in params.items() if isinstance(v, uuid.UUID))
            )
            connection.execute(statement, params)


def event_id_at(app: Flask, seq: int) -> Any:
    engine = app.extensions["silta"].engine
    with engine.connect() as connection:
        return connection.execute(
            select(chain_t.c.event_id).where(chain_t.c.seq == seq)
        ).scalar_one()


def rehash_from(app: Flask, start: int) -> None:
    """Recompute every hash from `start` on and the head, as a forger without the signing key."""
    engine = app.extensions["silta"].engine
    with engine.begin() as connection:
        _disable(connection)
        rows = connection.execute(
            select(chain_t.c.seq, events_t)
            .join(events_t, events_t.c.id == chain_t.c.event_id)
            .order_by(chain_t.c.seq)
        ).all()
        previous, frontier = GENESIS_HASH, Frontier()
        for row in rows:
            data = canonical(event_document(row, row.seq))
            previous = hashlib.sha256(previous + data).digest()
            frontier.append(leaf_hash(data))
            if row.seq >= start:
                connection.execute(
                    chain_t.update().where(chain_t.c.seq == row.seq).values(hash=previous)
                )
        connection.execute(
            head_t.update().values(size=len(rows), hash=previous, frontier=frontier.to_json())
        )
