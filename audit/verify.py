"""`audit verify`: recompute the chain and Merkle roots, check every signed checkpoint.

Streams the chain in batches (never the whole log in memory) and reports the first problem:
edited, deleted, reordered or inserted events, truncation behind a checkpoint, bad signatures,
and events left unsequenced for over a minute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.engine import Engine

from audit import checkpoints
from audit.canonical import canonical
from audit.events import event_document
from audit.merkle import Frontier, leaf_hash
from audit.sequencer import GENESIS_HASH, chain_t, events_t, pending_t, read_head
from core.db import utcnow
from core.keyring import KeyProvider

STREAM_BATCH = 5000
MAX_UNSEQUENCED = timedelta(minutes=1)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    size: int
    checkpoints: int
    problem: str | None = None
    bad_seq: int | None = None
    code: str = "intact"

    def summary(self) -> str:
        if self.ok:
            return f"audit log intact: {self.size} events, {self.checkpoints} checkpoints verified"
        where = f"sequence {self.bad_seq}: " if self.bad_seq is not None else ""
        return f"audit log damaged: {where}{self.problem}"


class _Damage(Exception):
    def __init__(self, code: str, problem: str, seq: int | None = None) -> None:
        super().__init__(problem)
        self.code = code
        self.problem = problem
        self.seq = seq


def _load_checkpoints(keys: KeyProvider, directory: Path) -> dict[int, bytes]:
    roots: dict[int, bytes] = {}
    try:
        for checkpoint in checkpoints.read_all(directory):
            checkpoints.check_signature(keys, checkpoint)
            known = roots.setdefault(checkpoint.size, checkpoint.root)
            if known != checkpoint.root:
                raise _Damage(
                    "checkpoint_conflict",
                    f"checkpoints disagree about the root at size {checkpoint.size}",
                )
    except checkpoints.CheckpointError as exc:
        raise _Damage("checkpoint_invalid", str(exc)) from None
    return roots


def chain_batch_after(last_seq: int) -> Select[Any]:
    """The next batch of chain entries with their events (events may be missing: tampering)."""
    return (
        select(chain_t.c.seq, chain_t.c.hash, chain_t.c.event_id.label("chained_id"), events_t)
        .select_from(chain_t.outerjoin(events_t, events_t.c.id == chain_t.c.event_id))
        .where(chain_t.c.seq > last_seq)
        .order_by(chain_t.c.seq)
        .limit(STREAM_BATCH)
    )


def _stream(
    engine: Engine, roots: dict[int, bytes], progress: Callable[[int], None] | None
) -> tuple[int, bytes]:
    size, previous, frontier = 0, GENESIS_HASH, Frontier()
    last_seq = 0
    with engine.connect() as connection:
        while True:
            rows = connection.execute(chain_batch_after(last_seq)).all()
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
                    raise _Damage(
                        "checkpoint_mismatch",
                        f"signed checkpoint at size {size} does not match (log rewritten)",
                        size,
                    )
            last_seq = size
            if progress is not None:
                progress(len(rows))
    return size, previous


def verify(
    engine: Engine,
    keys: KeyProvider,
    checkpoint_dir: Path,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Verify the whole log; the caller sequences first."""
    now = now or utcnow()
    roots: dict[int, bytes] = {}
    try:
        roots = _load_checkpoints(keys, checkpoint_dir)
        size, last_hash = _stream(engine, roots, progress)
        beyond = [s for s in roots if s > size]
        if beyond:
            raise _Damage(
                "truncated",
                f"log truncated: a checkpoint names {max(beyond)} events, the chain has {size}",
                size + 1,
            )
        with engine.connect() as connection:
            try:
                head = read_head(connection)
            except ValueError:
                raise _Damage("head_mismatch", "the chain head is malformed") from None
            if (head.size, head.hash) != (size, last_hash):
                raise _Damage("head_mismatch", "the chain head does not match the chain")
            stray = connection.execute(
                select(events_t.c.id)
                .select_from(
                    events_t.outerjoin(chain_t, chain_t.c.event_id == events_t.c.id).outerjoin(
                        pending_t, pending_t.c.event_id == events_t.c.id
                    )
                )
                .where(and_(chain_t.c.seq.is_(None), pending_t.c.event_id.is_(None)))
                .limit(1)
            ).first()
            if stray is not None:
                raise _Damage(
                    "stray_event", f"event {stray.id} is neither chained nor queued (inserted)"
                )
            oldest = connection.execute(select(func.min(pending_t.c.occurred_at))).scalar()
            if oldest is not None and now - oldest > MAX_UNSEQUENCED:
                raise _Damage(
                    "unsequenced", "an event has waited unsequenced for over a minute", size + 1
                )
    except _Damage as damage:
        return VerifyResult(False, 0, len(roots), damage.problem, damage.seq, damage.code)
    return VerifyResult(True, size, len(roots))
