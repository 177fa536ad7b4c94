"""Read-side queries over the audit log for the auditor's workspace (no policy here)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from audit import checkpoints
from audit.events import FLAGGED, Action, Outcome
from audit.models import AuditEvent, AuditHead, AuditPending


@dataclass(frozen=True)
class EventFilter:
    actor_user_id: uuid.UUID | None = None
    actor_agency_id: uuid.UUID | None = None
    action: str | None = None
    outcome: str | None = None
    subject_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    def used_fields(self) -> list[str]:
        return [name for name, value in self.__dict__.items() if value is not None]


def _filtered(flt: EventFilter) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if flt.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == flt.actor_user_id)
    if flt.actor_agency_id is not None:
        query = query.where(AuditEvent.actor_agency_id == flt.actor_agency_id)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.outcome:
        query = query.where(AuditEvent.outcome == flt.outcome)
    if flt.subject_id is not None:
        query = query.where(AuditEvent.subject_id == flt.subject_id)
    if flt.since is not None:
        query = query.where(AuditEvent.occurred_at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEvent.occurred_at < flt.until)
    return query


def search(
    session: Session, flt: EventFilter, page: int, per_page: int
) -> tuple[list[AuditEvent], bool]:
    """One page of matching events, newest first, and whether another page follows."""
    query = (
        _filtered(flt)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(session.scalars(query))
    return rows[:per_page], len(rows) > per_page


def count(session: Session, flt: EventFilter) -> int:
    return int(session.scalar(select(func.count()).select_from(_filtered(flt).subquery())) or 0)


def stream(session: Session, flt: EventFilter, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every matching event, oldest first, fetched in batches."""
    query = _filtered(flt).order_by(AuditEvent.occurred_at, AuditEvent.id)
    yield from session.scalars(query.execution_options(yield_per=batch))


def actions_since(
    session: Session, actor_id: uuid.UUID | None, actions: tuple[Action, ...], since: datetime
) -> int:
    """How many events of ``actions`` one actor caused since ``since``."""
    query = select(func.count()).where(
        AuditEvent.actor_user_id == actor_id,
        AuditEvent.action.in_(actions),
        AuditEvent.occurred_at >= since,
    )
    return int(session.scalar(query) or 0)


def last_event(session: Session, action: Action) -> AuditEvent | None:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return session.scalar(query.order_by(AuditEvent.occurred_at.desc()).limit(1))


@dataclass(frozen=True)
class Integrity:
    last_verification: AuditEvent | None
    last_checkpoint: checkpoints.Checkpoint | None
    chain_size: int
    unsequenced: int


def integrity(session: Session, checkpoint_dir: Path) -> Integrity:
    head = session.get(AuditHead, 1)
    return Integrity(
        last_verification=last_event(session, Action.AUDIT_VERIFIED),
        last_checkpoint=checkpoints.latest(checkpoint_dir),
        chain_size=head.size if head is not None else 0,
        unsequenced=int(session.scalar(select(func.count()).select_from(AuditPending)) or 0),
    )


@dataclass(frozen=True)
class ChainLag:
    """How far the chain trails the log: committed events not chained yet, the oldest one's
    age, and the chain's length (for the operator's metrics; counts only)."""

    pending: int
    oldest_pending_seconds: float
    chain_size: int


def chain_lag(session: Session, now: datetime) -> ChainLag:
    """The chain's backlog at `now`, in two index-only statements."""
    pending, oldest = session.execute(
        select(func.count(), func.min(AuditPending.occurred_at)).select_from(AuditPending)
    ).one()
    size = session.scalar(select(AuditHead.size).where(AuditHead.id == 1))
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return ChainLag(
        pending=int(pending or 0), oldest_pending_seconds=age, chain_size=int(size or 0)
    )


@dataclass(frozen=True)
class VolumeFlag:
    actor_user_id: uuid.UUID
    actor_label: str
    hour: datetime
    persons: int


def volume_flags(session: Session, since: datetime, threshold: int) -> list[VolumeFlag]:
    """Users who touched more than `threshold` different persons within one clock hour."""
    query = (
        select(
            AuditEvent.actor_user_id,
            AuditEvent.actor_label,
            AuditEvent.occurred_at,
            AuditEvent.subject_id,
        )
        .where(
            AuditEvent.occurred_at >= since,
            AuditEvent.subject_id.is_not(None),
            AuditEvent.actor_user_id.is_not(None),
            AuditEvent.outcome == Outcome.ALLOWED,
        )
        .execution_options(yield_per=5000)
    )
    buckets: dict[tuple[uuid.UUID | None, str, datetime], set[uuid.UUID | None]] = defaultdict(set)
    for user_id, label, moment, subject in session.execute(query):
        hour = moment.replace(minute=0, second=0, microsecond=0)
        buckets[(user_id, label, hour)].add(subject)
    flags = [
        VolumeFlag(user_id, label, hour, len(subjects))
        for (user_id, label, hour), subjects in buckets.items()
        if len(subjects) > threshold and user_id is not None
    ]
    return sorted(flags, key=lambda f: f.hour, reverse=True)


FLAGGED_ACTION_PREFIXES = (
    "case:emergency:grant",
    # An admin's creation or reset of a practitioner, and its release (issue 9, finding 7).
    "account:credential:",
)


def flagged_events(session: Session, since: datetime, limit: int = 200) -> list[AuditEvent]:
    """Emergency access, credential releases, policy denials and events recorded as flagged,
    newest first."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.occurred_at >= since,
            or_(
                AuditEvent.action == Action.ACCESS_DENIED,
                *(AuditEvent.action.startswith(prefix) for prefix in FLAGGED_ACTION_PREFIXES),
                AuditEvent.details[FLAGGED].as_boolean().is_(True),
            ),
        )
        .order_by(AuditEvent.occurred_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def default_report_start(now: datetime) -> datetime:
    """Access reports cover the last two years unless an older period is justified."""
    return now - timedelta(days=2 * 365)


def events_about(
    session: Session, subject_id: uuid.UUID, since: datetime, until: datetime
) -> list[AuditEvent]:
    """Every event whose subject is this person in [since, until), oldest first: the rows of
    the access-log part of their subject access report (Act 703/2023 §11)."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.subject_id == subject_id,
            AuditEvent.occurred_at >= since,
            AuditEvent.occurred_at < until,
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    return list(session.scalars(query))
