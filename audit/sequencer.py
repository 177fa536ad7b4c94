"""The sequencer: chains committed events in batches under a non-blocking lock.

After a transaction that recorded events commits, its process tries the lock (a PostgreSQL
advisory lock; on SQLite a short BEGIN IMMEDIATE). The holder appends every pending event to the
chain (`seq = head + 1`, `hash = SHA-256(prev_hash || canonical JSON)`), then looks once more
after releasing the lock, so an event committed meanwhile is never left for the next write.
Requests never wait for each other on the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from audit import checkpoints
from audit.canonical import canonical
from audit.events import event_document
from audit.merkle import Frontier, leaf_hash
from audit.models import AuditChain, AuditEvent, AuditHead, AuditPending
from core.db import utcnow
from core.keyring import KeyProvider

ADVISORY_LOCK_KEY = 0x51174_A0D17
GENESIS_HASH = bytes(32)
BATCH_SIZE = 2000
CHECKPOINT_EVERY = 100

# Core tables: the sequencer and verification work in bulk, below the ORM.
events_t = cast(Table, AuditEvent.__table__)
chain_t = cast(Table, AuditChain.__table__)
pending_t = cast(Table, AuditPending.__table__)
head_t = cast(Table, AuditHead.__table__)


@dataclass(frozen=True)
class Head:
    size: int
    hash: bytes
    frontier: Frontier


def read_head(connection: Connection) -> Head:
    row = connection.execute(select(head_t).where(head_t.c.id == 1)).first()
    if row is None:
        return Head(0, GENESIS_HASH, Frontier())
    return Head(int(row.size), bytes(row.hash), Frontier.from_json(int(row.size), row.frontier))


def _chain_batch(connection: Connection) -> tuple[int, Head, Head]:
    """Append up to BATCH_SIZE pending events; return (count, head before, head after)."""
    before = read_head(connection)
    rows = connection.execute(
        select(events_t)
        .join(pending_t, pending_t.c.event_id == events_t.c.id)
        .order_by(pending_t.c.occurred_at, pending_t.c.event_id)
        .limit(BATCH_SIZE)
    ).all()
    if not rows:
        return 0, before, before
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
    connection.execute(insert(chain_t), chain_rows)
    connection.execute(delete(pending_t).where(pending_t.c.event_id.in_([r.id for r in rows])))
    values = {"size": size, "hash": previous, "frontier": frontier.to_json()}
    if before.size == 0 and connection.execute(select(head_t.c.id)).first() is None:
        connection.execute(insert(head_t).values(id=1, **values))
    else:
        connection.execute(update(head_t).where(head_t.c.id == 1).values(**values))
    return len(rows), before, Head(size, previous, frontier)


class Sequencer:
    """Chains pending events for one database; signs checkpoints when given keys and a folder."""

    def __init__(
        self,
        engine: Engine,
        keys: Callable[[], KeyProvider] | None = None,
        checkpoint_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.checkpoint_dir = checkpoint_dir

    def _locked_pass(self) -> tuple[bool, int, Head | None]:
        """One pass under the lock: (lock acquired, events chained, head to checkpoint)."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection, connection.begin():
                got = connection.execute(
                    select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))
                ).scalar()
                if not got:
                    return False, 0, None
                count, before, after = _chain_batch(connection)
        else:
            with self.engine.connect() as raw:
                connection = raw.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("PRAGMA busy_timeout = 250")
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                except OperationalError:
                    return False, 0, None
                try:
                    count, before, after = _chain_batch(connection)
                    connection.exec_driver_sql("COMMIT")
                except BaseException:
                    connection.exec_driver_sql("ROLLBACK")
                    raise
        crossed = after.size // CHECKPOINT_EVERY > before.size // CHECKPOINT_EVERY
        return True, count, after if crossed else None

    def run(self) -> int:
        """Chain every committed event; return how many this process chained."""
        total = 0
        while True:
            acquired, count, due = self._locked_pass()
            if due is not None:
                self._write_checkpoint(due)
            total += count
            if not acquired or count == 0:
                return total

    def _write_checkpoint(self, head: Head) -> checkpoints.Checkpoint | None:
        if self.keys is None or self.checkpoint_dir is None or head.size == 0:
            return None
        checkpoint = checkpoints.sign(self.keys(), head.size, head.frontier.root())
        checkpoints.append(self.checkpoint_dir, checkpoint)
        return checkpoint

    def checkpoint(self) -> checkpoints.Checkpoint | None:
        """Sequence, then sign the current head (the `audit checkpoint` command)."""
        self.run()
        with self.engine.connect() as connection:
            head = read_head(connection)
        return self._write_checkpoint(head)
