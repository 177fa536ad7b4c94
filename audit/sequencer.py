"""The sequencer: chains committed events in batches under a non-blocking lock.

After a transaction that recorded events commits, its process tries the lock (a PostgreSQL
advisory lock; on SQLite a short BEGIN IMMEDIATE). The holder appends every pending event to the
chain (`seq = head + 1`, `hash = SHA-256(prev_hash || canonical JSON)`), then, on PostgreSQL,
looks once more after releasing the lock, so an event committed meanwhile is never left for the
next write (on SQLite nothing commits while the pass holds the write lock).
Requests never wait for each other on the chain.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from audit import checkpoints
from audit.canonical import canonical
from audit.events import event_document
from audit.merkle import Frontier, leaf_hash
from audit.models import AuditChain, AuditEvent, AuditHead, AuditPending
from core.db import sqlite_pragmas, utcnow
from core.keyring import KeyProvider

ADVISORY_LOCK_KEY = 0x51174_A0D17  # a session-level PostgreSQL advisory lock, unique to Silta
_UNLOCK_AND_LOOK = (
    f"SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY}), EXISTS (SELECT 1 FROM audit_pending)"  # noqa: S608  # nosec B608  # a constant
)
GENESIS_HASH = bytes(32)
BATCH_SIZE = 2000
CHECKPOINT_EVERY = 100
# A request that holds the lock under sustained load would otherwise chain everyone's events
# for ever; after this many passes it returns and the next committer (or cron) takes over.
MAX_PASSES = 50
# On SQLite, how long a committer waits for the chain's write lock before leaving the work.
SEQUENCER_BUSY_TIMEOUT_MS = 250

# Core tables: the sequencer and verification work in bulk, below the ORM.
events_t = cast(Table, AuditEvent.__table__)
chain_t = cast(Table, AuditChain.__table__)
pending_t = cast(Table, AuditPending.__table__)
head_t = cast(Table, AuditHead.__table__)


# Every pass sends these; built once, since SQLAlchemy memoises a statement's cache key on the
# statement object (one built afresh per pass pays for that every time).
# The pending events with the head they follow, read in one statement under the lock (no head
# row yet: the head columns are NULL).
_PENDING_EVENTS = (
    select(
        events_t,
        head_t.c.size.label("head_size"),
        head_t.c.hash.label("head_hash"),
        head_t.c.frontier.label("head_frontier"),
    )
    .select_from(
        events_t.join(pending_t, pending_t.c.event_id == events_t.c.id).outerjoin(
            head_t, head_t.c.id == 1
        )
    )
    .order_by(pending_t.c.occurred_at, pending_t.c.event_id)
    .limit(BATCH_SIZE)
)
_READ_HEAD = select(head_t).where(head_t.c.id == 1)
_APPEND = insert(chain_t)
_DONE = delete(pending_t).where(pending_t.c.event_id.in_(bindparam("ids", expanding=True)))
_MOVE_HEAD = update(head_t).where(head_t.c.id == 1)
# On PostgreSQL the pass's three writes are one statement (data-modifying CTEs): under load the
# lock holder's round trips are what the other writers wait behind.
_PG_APPEND_AND_MOVE = text(
    "WITH appended AS ("
    " INSERT INTO audit_chain (seq, event_id, hash, sequenced_at)"
    " SELECT seq, event_id, hash, CAST(:sequenced_at AS timestamptz)"
    " FROM unnest(CAST(:seqs AS bigint[]), CAST(:ids AS uuid[]), CAST(:hashes AS bytea[]))"
    " AS batch (seq, event_id, hash)"
    "), done AS (DELETE FROM audit_pending WHERE event_id = ANY(CAST(:ids AS uuid[])))"
    " UPDATE audit_head SET size = :size, hash = :hash, frontier = :frontier WHERE id = 1"
).bindparams(bindparam("frontier", type_=JSON))


@dataclass(frozen=True)
class Head:
    size: int
    hash: bytes
    frontier: Frontier


def read_head(connection: Connection) -> Head:
    row = connection.execute(_READ_HEAD).first()
    if row is None:
        return Head(0, GENESIS_HASH, Frontier())
    return Head(int(row.size), bytes(row.hash), Frontier.from_json(int(row.size), row.frontier))


def _chain_batch(connection: Connection) -> tuple[int, Head, Head]:
    """Append up to BATCH_SIZE pending events; return (count, head before, head after)."""
    rows = connection.execute(_PENDING_EVENTS).all()
    if not rows:
        empty = Head(0, GENESIS_HASH, Frontier())
        return 0, empty, empty
    first = rows[0]
    if first.head_size is None:
        before = Head(0, GENESIS_HASH, Frontier())
    else:
        size = int(first.head_size)
        before = Head(size, bytes(first.head_hash), Frontier.from_json(size, first.head_frontier))
    size, previous = before.size, before.hash
    frontier = Frontier(before.size, list(before.frontier.nodes))
    now = utcnow()
    chain_rows = []
    for row in rows:
        size += 1
        data = canonical(event_document(row, size))  # type: ignore[arg-type]  # a Row quacks like an AuditEvent
        previous = hashlib.sha256(previous + data).digest()
        frontier.append(leaf_hash(data))
        chain_rows.append({"seq": size, "event_id": row.id, "hash": previous, "sequenced_at": now})
    ids = [r.id for r in rows]
    values = {"size": size, "hash": previous, "frontier": frontier.to_json()}
    genesis = before.size == 0 and connection.execute(select(head_t.c.id)).first() is None
    if connection.dialect.name == "postgresql" and not genesis:
        batch = {
            "seqs": [r["seq"] for r in chain_rows],
            "ids": ids,
            "hashes": [r["hash"] for r in chain_rows],
            "sequenced_at": now,
        }
        connection.execute(_PG_APPEND_AND_MOVE, {**batch, **values})
        return len(rows), before, Head(size, previous, frontier)
    connection.execute(_APPEND, chain_rows)
    connection.execute(_DONE, {"ids": ids})
    if genesis:
        connection.execute(insert(head_t).values(id=1, **values))
    else:
        connection.execute(_MOVE_HEAD, values)
    return len(rows), before, Head(size, previous, frontier)


def _crosses_checkpoint(before: Head, after: Head) -> bool:
    return after.size // CHECKPOINT_EVERY > before.size // CHECKPOINT_EVERY


@contextmanager
def _transaction(connection: Connection, begin: str) -> Iterator[None]:
    """An explicit transaction on an autocommit connection (so SQLAlchemy adds no round trips)."""
    connection.exec_driver_sql(begin)
    try:
        yield
    except BaseException:
        connection.exec_driver_sql("ROLLBACK")
        raise
    connection.exec_driver_sql("COMMIT")


class Sequencer:
    """Chains pending events for one database; signs checkpoints when given keys and a folder."""

    def __init__(
        self,
        engine: Engine,
        keys: Callable[[], KeyProvider] | None = None,
        checkpoint_dir: Path | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.checkpoint_dir = checkpoint_dir
        # Told the size of every batch this process chains (the operator's metrics).
        self.on_batch = on_batch
        self._own_engine: Engine | None = None
        self._lock = threading.Lock()
        # Each thread's own connection; a finished thread's goes back to the pool.
        self._by_thread: dict[threading.Thread, Connection] = {}

    @property
    def postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def _own(self) -> Engine:
        if self._own_engine is None:
            # A small pool of its own: autocommit (transactions are explicit), no pre-ping (a
            # failed pass is retried by the next commit), and commits that do not wait for the
            # disk: the chain is derived data; a commit lost in a crash leaves its events in
            # audit_pending, and they are chained again. Batches that a signed checkpoint will
            # cover switch durable commits back on.
            if self.postgresql:
                self._own_engine = create_engine(
                    self.engine.url,
                    pool_size=1,
                    max_overflow=8,
                    isolation_level="AUTOCOMMIT",
                    connect_args={"options": "-c synchronous_commit=off"},
                )
            else:
                # SQLite: connections set up as the application's, but trying the chain's write
                # lock only briefly (set once per connection, not around every pass).
                self._own_engine = create_engine(
                    self.engine.url, pool_size=1, max_overflow=8, isolation_level="AUTOCOMMIT"
                )
                event.listen(self._own_engine, "connect", sqlite_pragmas(SEQUENCER_BUSY_TIMEOUT_MS))
        return self._own_engine

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        # One connection per thread, kept between commits: under load nearly every attempt
        # fails to get the lock, and a pool checkout would cost more than the attempt itself.
        # A server that starts a thread per request (Werkzeug's) would otherwise keep every
        # finished thread's connection and exhaust the small pool: those are returned here.
        current = threading.current_thread()
        with self._lock:
            for finished in [t for t in self._by_thread if not t.is_alive()]:
                self._by_thread.pop(finished).close()
            connection = self._by_thread.get(current)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._own().connect()
            with self._lock:
                self._by_thread[current] = connection
        try:
            yield connection
        except BaseException:
            connection.invalidate()
            with self._lock:
                self._by_thread.pop(current, None)
            raise

    def dispose(self) -> None:
        with self._lock:
            for connection in self._by_thread.values():
                connection.close()
            self._by_thread.clear()
        if self._own_engine is not None:
            self._own_engine.dispose()
            self._own_engine = None

    def _acquire(self, connection: Connection) -> bool:
        if self.postgresql:
            try_lock = f"SELECT pg_try_advisory_lock({ADVISORY_LOCK_KEY})"
            return bool(connection.exec_driver_sql(try_lock).scalar())
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError:
            return False
        return True

    def _locked_pass(self, connection: Connection) -> tuple[bool, int, Head | None, bool]:
        """One pass under the lock.

        Returns (lock acquired, events chained, head to checkpoint, anything still pending).
        """
        if not self._acquire(connection):
            return False, 0, None, False
        if self.postgresql:
            unlocked = False
            try:
                with _transaction(connection, "BEGIN"):
                    count, before, after = _chain_batch(connection)
                    due = _crosses_checkpoint(before, after)
                    if due:
                        connection.exec_driver_sql("SET LOCAL synchronous_commit = on")
                # Releasing the lock and looking for newly committed events share a round trip:
                # under load the holder's round trips are what the other writers wait behind.
                pending = connection.exec_driver_sql(_UNLOCK_AND_LOOK).one()[1]
                unlocked = True
            finally:
                if not unlocked:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})")
            return True, count, after if due else None, bool(pending)
        else:
            # BEGIN IMMEDIATE above both took the lock and opened the transaction.
            try:
                count, before, after = _chain_batch(connection)
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
            due = _crosses_checkpoint(before, after)
            if due:
                self._sync_sqlite_log()
        # No look after the lock on SQLite: a writer commits its events under the database's one
        # write lock, which this pass held throughout, so nothing committed meanwhile. Every
        # event committed before it is in this batch unless the batch was full; those committed
        # after it are their writers' own attempt to chain (or that of whoever holds the lock
        # then, who took it after their commit and so sees them).
        return True, count, after if due else None, count == BATCH_SIZE

    def _sync_sqlite_log(self) -> None:
        """Put a batch that a signed checkpoint will cover on the disk before the checkpoint.

        With WAL and synchronous=NORMAL a commit reaches the log file, not necessarily the disk
        (SQLite refuses to change the setting inside a transaction); fsync of the log file
        flushes it, as PostgreSQL's durable commit does for such a batch.
        """
        database = self.engine.url.database
        if not database or database == ":memory:":
            return
        try:
            log = os.open(f"{database}-wal", os.O_RDONLY)
        except FileNotFoundError:
            return  # already moved into the database file by a WAL checkpoint, which syncs
        try:
            os.fsync(log)
        finally:
            os.close(log)

    def run(self) -> int:
        """Chain every committed event; return how many this process chained."""
        total = 0
        with self._connection() as connection:
            for _ in range(MAX_PASSES):
                acquired, count, due, pending = self._locked_pass(connection)
                if due is not None:
                    self._write_checkpoint(due)
                if count and self.on_batch is not None:
                    self.on_batch(count)
                total += count
                # After releasing the lock, look once more: events committed while we held it
                # belong to writers whose own attempt failed.
                if not acquired or count == 0 or not pending:
                    break
        return total

    def _write_checkpoint(self, head: Head) -> checkpoints.Checkpoint | None:
        if self.keys is None or self.checkpoint_dir is None or head.size == 0:
            return None
        checkpoint = checkpoints.sign(
            self.keys(),
            head.size,
            head.frontier.root(),
            head=head.hash,
            frontier=list(head.frontier.nodes),
        )
        checkpoints.append(self.checkpoint_dir, checkpoint)
        return checkpoint

    def checkpoint(self) -> checkpoints.Checkpoint | None:
        """Sequence, then sign the current head (the `audit checkpoint` command)."""
        self.run()
        with self.engine.connect() as connection:
            head = read_head(connection)
        return self._write_checkpoint(head)
