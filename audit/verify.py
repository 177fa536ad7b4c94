"""`audit verify`: recompute the chain and Merkle roots, check every signed checkpoint.

Streams the chain in batches (never the whole log in memory) and reports the first problem:
edited, deleted, reordered or inserted events, truncation behind a checkpoint, bad signatures,
and events left unsequenced for over a minute.

Incremental mode resumes from the newest signed checkpoint that carries the chain hash and the
Merkle frontier: it checks every signature, re-checks the covered head row (its stored hash, and
its event hashed onto the stored hash before it, against the signed hash), then streams only the
events after it. Edits to older events are left to a full verify. Without such a checkpoint it
verifies in full and says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, Uuid, and_, any_, bindparam, func, select
from sqlalchemy.engine import Connection, Engine

from audit import checkpoints
from audit.canonical import canonical
from audit.events import event_document
from audit.merkle import Frontier, leaf_hash
from audit.sequencer import GENESIS_HASH, chain_t, events_t, pending_t, read_head
from core.db import utcnow
from core.keyring import KeyProvider

STREAM_BATCH = 5000
LOOKUP_CHUNK = 500  # ids per `IN (…)` look-up: small enough that the index is always used
MAX_UNSEQUENCED = timedelta(minutes=1)
# Incremental mode looks for stray events dated from this long before its checkpoint (clocks
# of several hosts may differ); older strays are a full verify's to find.
STRAY_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    size: int
    checkpoints: int
    problem: str | None = None
    bad_seq: int | None = None
    code: str = "intact"
    mode: str = "full"
    since: int = 0  # events covered by the checkpoint resumed from (0: from the start)
    note: str | None = None  # why an incremental verify ran in full

    def summary(self) -> str:
        if self.ok:
            after = (
                f" ({self.size - self.since} after the signed checkpoint at {self.since} checked)"
                if self.mode == "incremental"
                else ""
            )
            return (
                f"audit log intact: {self.size} events{after},"
                f" {self.checkpoints} checkpoints verified"
            )
        where = f"sequence {self.bad_seq}: " if self.bad_seq is not None else ""
        return f"audit log damaged: {where}{self.problem}"


@dataclass(frozen=True)
class _Start:
    size: int
    previous: bytes
    frontier: Frontier
    checkpoint: checkpoints.Checkpoint | None = None


FROM_GENESIS = _Start(0, GENESIS_HASH, Frontier())


class _Damage(Exception):
    def __init__(self, code: str, problem: str, seq: int | None = None) -> None:
        super().__init__(problem)
        self.code = code
        self.problem = problem
        self.seq = seq


def _load_checkpoints(
    keys: KeyProvider, directory: Path
) -> tuple[dict[int, bytes], checkpoints.Checkpoint | None]:
    """Every checkpoint's root by size (signatures checked), and the newest (resumable first)."""
    roots: dict[int, bytes] = {}
    newest: checkpoints.Checkpoint | None = None
    try:
        for checkpoint in checkpoints.read_all(directory):
            checkpoints.check_signature(keys, checkpoint)
            known = roots.setdefault(checkpoint.size, checkpoint.root)
            if known != checkpoint.root:
                raise _Damage(
                    "checkpoint_conflict",
                    f"checkpoints disagree about the root at size {checkpoint.size}",
                )
            if newest is None or (checkpoint.size, checkpoint.resumable) > (
                newest.size,
                newest.resumable,
            ):
                newest = checkpoint
    except checkpoints.CheckpointError as exc:
        raise _Damage("checkpoint_invalid", str(exc)) from None
    return roots, newest


def _truncated(newest: int, size: int) -> _Damage:
    return _Damage(
        "truncated",
        f"log truncated: a checkpoint names {newest} events, the chain has {size}",
        size + 1,
    )


def _rewritten(size: int) -> _Damage:
    return _Damage(
        "checkpoint_mismatch",
        f"signed checkpoint at size {size} does not match (log rewritten)",
        size,
    )


def _resume(engine: Engine, checkpoint: checkpoints.Checkpoint) -> _Start:
    """Re-check the row a resumable checkpoint covers last, and start after it."""
    if checkpoint.head is None or checkpoint.frontier is None:
        raise ValueError("not a resumable checkpoint")
    size = checkpoint.size
    with engine.connect() as connection:
        rows = {row.seq: row for row in connection.execute(chain_batch_after(size - 2, size))}
        if size not in rows:
            longest = connection.execute(select(func.max(chain_t.c.seq))).scalar() or 0
            if longest < size:
                raise _truncated(size, int(longest))
            raise _Damage(
                "entry_missing", f"chain entry {size} is missing (deleted or reordered)", size
            )
    if size > 1 and size - 1 not in rows:
        raise _Damage(
            "entry_missing", f"chain entry {size - 1} is missing (deleted or reordered)", size - 1
        )
    row = rows[size]
    if row.id is None:
        raise _Damage("event_missing", "the event is missing (deleted)", size)
    previous = bytes(rows[size - 1].hash) if size > 1 else GENESIS_HASH
    data = canonical(event_document(row, size))  # type: ignore[arg-type]  # a Row quacks like an AuditEvent
    recomputed = hashlib.sha256(previous + data).digest()
    if bytes(row.hash) != checkpoint.head or recomputed != checkpoint.head:
        raise _rewritten(size)
    return _Start(size, checkpoint.head, Frontier(size, list(checkpoint.frontier)), checkpoint)


def chain_batch_after(last_seq: int, up_to: int | None = None) -> Select[Any]:
    """The next batch of chain entries with their events (events may be missing: tampering)."""
    query = (
        select(chain_t.c.seq, chain_t.c.hash, chain_t.c.event_id.label("chained_id"), events_t)
        .select_from(chain_t.outerjoin(events_t, events_t.c.id == chain_t.c.event_id))
        .where(chain_t.c.seq > last_seq)
        .order_by(chain_t.c.seq)
        .limit(STREAM_BATCH)
    )
    return query if up_to is None else query.where(chain_t.c.seq <= up_to)


def _among(connection: Connection, column: Any, ids: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL as `= ANY(array)`, one parameter instead of hundreds."""
    if connection.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid())))  # type: ignore[no-any-return]  # the column is untyped here
    return column.in_(ids)  # type: ignore[no-any-return]  # likewise


def _tail_batch(connection: Connection, last_seq: int) -> list[Any]:
    """`chain_batch_after` in two index look-ups, for incremental mode's short tail.

    On a large table the planner may hash-join the whole events table for a join of a few rows;
    fetching the chain entries by `seq`, then their events by id, keeps the cost to the tail.
    """
    entries = connection.execute(
        select(chain_t.c.seq, chain_t.c.hash, chain_t.c.event_id)
        .where(chain_t.c.seq > last_seq)
        .order_by(chain_t.c.seq)
        .limit(STREAM_BATCH)
    ).all()
    events: dict[Any, Any] = {}
    for offset in range(0, len(entries), LOOKUP_CHUNK):
        ids = [entry.event_id for entry in entries[offset : offset + LOOKUP_CHUNK]]
        found = connection.execute(select(events_t).where(_among(connection, events_t.c.id, ids)))
        events.update((row.id, row) for row in found.all())
    return [_Joined(entry.seq, entry.hash, events.get(entry.event_id)) for entry in entries]


class _Joined:
    """A chain entry with its event's columns, or `id` None when the event is missing."""

    def __init__(self, seq: int, hash_: bytes, event: Any) -> None:
        self.seq, self.hash = seq, hash_
        self.id = None if event is None else event.id
        self._event = event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._event, name)


def _stream(
    engine: Engine,
    roots: dict[int, bytes],
    progress: Callable[[int], None] | None,
    start: _Start = FROM_GENESIS,
) -> tuple[int, bytes]:
    size, previous = start.size, start.previous
    frontier = Frontier(start.size, list(start.frontier.nodes))
    last_seq = size
    if progress is not None and size:
        progress(size)
    with engine.connect() as connection:
        while True:
            rows = (
                _tail_batch(connection, last_seq)
                if start.checkpoint is not None
                else connection.execute(chain_batch_after(last_seq)).all()
            )
            if not rows:
                break
            for row in rows:
                expected = size + 1
                if row.seq != expected:
                    raise _Damage(
                        "entry_missing",
                        f"chain entry {expected} is missing (deleted or reordered)",
                        expected,
                    )
                if row.id is None:
                    raise _Damage("event_missing", "the event is missing (deleted)", expected)
                data = canonical(event_document(row, expected))  # type: ignore[arg-type]  # a Row quacks like an AuditEvent
                previous = hashlib.sha256(previous + data).digest()
                if previous != bytes(row.hash):
                    raise _Damage(
                        "hash_mismatch",
                        "hash does not match (event edited, reordered or inserted)",
                        expected,
                    )
                frontier.append(leaf_hash(data))
                size = expected
                if size in roots and roots[size] != frontier.root():
                    raise _rewritten(size)
            last_seq = size
            if progress is not None:
                progress(len(rows))
    return size, previous


def _stray_since(start: _Start) -> datetime | None:
    """Incremental mode's lower bound on the dates of events searched for strays."""
    if start.checkpoint is None:
        return None
    try:
        signed = datetime.strptime(start.checkpoint.time, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return None
    return signed.replace(tzinfo=UTC) - STRAY_MARGIN


def _stray_full(connection: Connection) -> Any:
    return connection.execute(
        select(events_t.c.id)
        .select_from(
            events_t.outerjoin(chain_t, chain_t.c.event_id == events_t.c.id).outerjoin(
                pending_t, pending_t.c.event_id == events_t.c.id
            )
        )
        .where(and_(chain_t.c.seq.is_(None), pending_t.c.event_id.is_(None)))
        .limit(1)
    ).scalar()


def _stray_since_date(connection: Connection, since: datetime) -> Any:
    """The first event dated `since` or later that is neither chained nor queued, if any."""
    ids = (
        connection.execute(
            select(events_t.c.id)
            .where(events_t.c.occurred_at >= since)
            .order_by(events_t.c.occurred_at)
        )
        .scalars()
        .all()
    )
    for offset in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[offset : offset + LOOKUP_CHUNK]
        known = set(
            connection.execute(
                select(chain_t.c.event_id).where(_among(connection, chain_t.c.event_id, chunk))
            )
            .scalars()
            .all()
        )
        known.update(
            connection.execute(
                select(pending_t.c.event_id).where(_among(connection, pending_t.c.event_id, chunk))
            )
            .scalars()
            .all()
        )
        for event_id in chunk:
            if event_id not in known:
                return event_id
    return None


def _check_tail(engine: Engine, size: int, last_hash: bytes, start: _Start, now: datetime) -> None:
    """The head, stray events and the sequencer's queue, after the chain has been streamed."""
    with engine.connect() as connection:
        try:
            head = read_head(connection)
        except ValueError:
            raise _Damage("head_mismatch", "the chain head is malformed") from None
        if (head.size, head.hash) != (size, last_hash):
            raise _Damage("head_mismatch", "the chain head does not match the chain")
        since = _stray_since(start)
        stray = _stray_full(connection) if since is None else _stray_since_date(connection, since)
        if stray is not None:
            raise _Damage("stray_event", f"event {stray} is neither chained nor queued (inserted)")
        oldest = connection.execute(select(func.min(pending_t.c.occurred_at))).scalar()
        if oldest is not None and now - oldest > MAX_UNSEQUENCED:
            raise _Damage(
                "unsequenced", "an event has waited unsequenced for over a minute", size + 1
            )


def _starting_point(
    engine: Engine, newest: checkpoints.Checkpoint | None
) -> tuple[_Start, str | None]:
    if newest is None:
        return FROM_GENESIS, "no signed checkpoint to resume from: verified in full"
    if not newest.resumable:
        return FROM_GENESIS, (
            f"the newest checkpoint (at {newest.size} events) carries no chain hash and"
            " frontier (an older line): verified in full"
        )
    return _resume(engine, newest), None


def verify(
    engine: Engine,
    keys: KeyProvider,
    checkpoint_dir: Path,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    incremental: bool = False,
) -> VerifyResult:
    """Verify the log (whole, or after the newest resumable checkpoint); the caller sequences."""
    now = now or utcnow()
    roots: dict[int, bytes] = {}
    start, note, mode, since = FROM_GENESIS, None, "full", 0
    try:
        roots, newest = _load_checkpoints(keys, checkpoint_dir)
        if incremental:
            if newest is not None and newest.resumable:
                mode, since = "incremental", newest.size
            start, note = _starting_point(engine, newest)
        later = {s: root for s, root in roots.items() if s > start.size}
        size, last_hash = _stream(engine, later, progress, start)
        beyond = [s for s in roots if s > size]
        if beyond:
            raise _truncated(max(beyond), size)
        _check_tail(engine, size, last_hash, start, now)
    except _Damage as damage:
        return VerifyResult(
            False, 0, len(roots), damage.problem, damage.seq, damage.code, mode, since, note
        )
    return VerifyResult(True, size, len(roots), None, None, "intact", mode, since, note)
