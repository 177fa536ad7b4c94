"""Declarative base, column types and engine helpers shared by every domain package."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def new_uuid() -> uuid.UUID:
    """Return a random UUID for a row a URL may name."""
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always hand back aware UTC values.

    SQLite drops time zones, so the value is normalised on the way in and re-tagged on the way
    out; PostgreSQL keeps `timestamptz` semantics.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the domain tables (the audit log has its own metadata)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# How long a SQLite writer waits for another's lock before failing (the sequencer, which must
# never wait, sets a shorter time on its own connections).
SQLITE_BUSY_TIMEOUT_MS = 10000


def sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    """The set-up of a new SQLite connection (a `connect` event: once per connection, not once
    per checkout), waiting `busy_timeout_ms` for another writer's lock."""

    def set_up(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs the log at checkpoints rather than at every commit. A
        # transaction stays atomic (its data and its audit events are both there or both
        # gone), and a killed process loses nothing it committed; only a power cut or an OS
        # crash can lose the last commits, whole (tests/core/test_db.py, README "Database
        # connections").
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Deleted content is overwritten with zeros rather than left in free space: a destroyed
        # data key or a removed index entry must not stay readable in the file (crypto-shredding
        # relies on it; the sweep then truncates the write-ahead log, `truncate_write_ahead_log`).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return set_up


def make_engine(url: str) -> Engine:
    """Create an engine with the settings Silta relies on for each backend."""
    if url.startswith("sqlite"):
        # A QueuePool (pysqlite's same-thread check is off; a checkout still belongs to one
        # thread at a time) keeps five connections open between checkouts, so a request neither
        # reopens the file nor repeats the pragmas. Past five, connections are opened and closed
        # as needed rather than waited for: SQLite serialises writers itself.
        engine = create_engine(url, pool_size=5, max_overflow=-1)
        event.listen(engine, "connect", sqlite_pragmas(SQLITE_BUSY_TIMEOUT_MS))
        return engine
    # PostgreSQL: a QueuePool per process (5 kept, 10 more on demand); see README "Database
    # connections" for sizing it against gunicorn workers and max_connections.
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[OrmSession]:
    """Return the session factory every request, command and test uses."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def truncate_write_ahead_log(session: OrmSession) -> bool:
    """On SQLite, copy the write-ahead log into the database file and truncate it to nothing,
    so the old page images it holds (e.g. of a destroyed data key) are gone; True when done
    (False: a reader kept it busy; the next checkpoint does it). Elsewhere a no-op."""
    if session.get_bind().dialect.name != "sqlite":
        return True
    busy, _log, _done = session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    session.commit()
    return not busy


def database_answers(session: OrmSession) -> bool:
    """Whether the database answers a trivial query (the health check)."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
