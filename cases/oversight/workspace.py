"""The auditor's workspace as services: every read of the log is itself logged."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from audit import queries
from audit.events import Action, AuditContext, Outcome, record
from audit.models import AuditEvent
from audit.sequencer import Sequencer
from audit.verify import VerifyResult, verify
from cases.inputs import InputError
from cases.log_requests import EARLIEST_DAY, LATEST_DAY, OlderReason, reference_token
from cases.policy import Permission, authorize
from core.db import utcnow
from core.keyring import KeyProvider

PAGE_SIZE = 50


# Date filters stay inside the days the log may hold (`cases.log_requests`).
def _check_day(value: date | None, field: str) -> None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InputError("date_out_of_range", field)


def _day_start(value: date) -> datetime:
    return datetime.combine(value, time.min, tzinfo=UTC)


def day_range(
    date_from: date | None, date_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants a from–to filter of whole days covers (the end is exclusive)."""
    _check_day(date_from, "date_from")
    _check_day(date_to, "date_to")
    if date_from is not None and date_to is not None and date_to < date_from:
        raise InputError("date_to_before_from", "date_to")
    since = _day_start(date_from) if date_from is not None else None
    until = _day_start(date_to) + timedelta(days=1) if date_to is not None else None
    return since, until


def search_log(
    session: Session, ctx: AuditContext, flt: queries.EventFilter, page: int
) -> tuple[list[AuditEvent], bool]:
    authorize(ctx.actor, Permission.AUDIT_LOG_READ)
    events, more = queries.search(session, flt, max(page, 1), PAGE_SIZE)
    record(
        session,
        ctx,
        Action.AUDIT_LOG_READ,
        filters=flt.used_fields(),
        page=page,
        results=len(events),
    )
    return events, more


def export_log(
    session: Session, ctx: AuditContext, flt: queries.EventFilter, fmt: str
) -> tuple[int, Iterator[AuditEvent]]:
    """Record the export, then hand back the events to stream (the caller commits first)."""
    authorize(ctx.actor, Permission.AUDIT_LOG_EXPORT)
    total = queries.count(session, flt)
    record(
        session, ctx, Action.AUDIT_EXPORTED, filters=flt.used_fields(), format=fmt, results=total
    )
    return total, queries.stream(session, flt)


@dataclass(frozen=True)
class AccessReport:
    subject_id: uuid.UUID
    since: datetime
    until: datetime
    events: list[AuditEvent]


def access_report(
    session: Session,
    ctx: AuditContext,
    subject_id: uuid.UUID,
    date_from: date | None = None,
    reason: str | None = None,
    reference: str | None = None,
    now: datetime | None = None,
) -> AccessReport:
    """Who processed one person's data, when, what and on what basis (Act 703/2023 §11)."""
    authorize(ctx.actor, Permission.AUDIT_REPORT_READ)
    since, _ = day_range(date_from, None)
    reference = reference_token(reference)
    now = now or utcnow()
    default_start = queries.default_report_start(now)
    since = since or default_start
    until = now + timedelta(seconds=1)
    older = since < default_start
    if older and reason not in OlderReason.__members__.values():
        raise InputError("reason_required")
    flt = queries.EventFilter(subject_id=subject_id, since=since, until=until)
    events = list(queries.stream(session, flt))
    extra: dict[str, object] = {"older_than_two_years": older, "results": len(events)}
    if older:
        extra["reason"] = str(reason)
        if reference:
            extra["reference"] = reference
    record(session, ctx, Action.AUDIT_REPORT_READ, subject=subject_id, extra=extra)
    return AccessReport(subject_id, since, until, events)


@dataclass(frozen=True)
class Flags:
    events: list[AuditEvent]
    volume: list[queries.VolumeFlag]
    since: datetime
    threshold: int


def flagged(
    session: Session, ctx: AuditContext, threshold: int, days: int = 30, now: datetime | None = None
) -> Flags:
    authorize(ctx.actor, Permission.AUDIT_FLAGS_READ)
    since = (now or utcnow()) - timedelta(days=days)
    result = Flags(
        queries.flagged_events(session, since),
        queries.volume_flags(session, since, threshold),
        since,
        threshold,
    )
    record(
        session, ctx, Action.AUDIT_FLAGS_READ, events=len(result.events), volume=len(result.volume)
    )
    return result


def integrity(session: Session, ctx: AuditContext, checkpoint_dir: Path) -> queries.Integrity:
    authorize(ctx.actor, Permission.AUDIT_INTEGRITY_READ)
    status = queries.integrity(session, checkpoint_dir)
    record(session, ctx, Action.AUDIT_INTEGRITY_READ)
    return status


def run_verification(
    session: Session,
    ctx: AuditContext,
    engine: Engine,
    sequencer: Sequencer,
    keys: KeyProvider,
    checkpoint_dir: Path,
    progress: Callable[[int], None] | None = None,
    incremental: bool = False,
) -> VerifyResult:
    """Sequence, verify the log (whole, or after the newest checkpoint) and record the result."""
    authorize(ctx.actor, Permission.AUDIT_VERIFY)
    sequencer.run()
    result = verify(engine, keys, checkpoint_dir, progress=progress, incremental=incremental)
    extra: dict[str, object] = {
        "intact": result.ok,
        "size": result.size,
        "checkpoints": result.checkpoints,
        "result": result.code,
        "mode": result.mode,
    }
    if result.mode == "incremental":
        extra["since"] = result.since
    if result.bad_seq is not None:
        extra["bad_seq"] = result.bad_seq
    record(
        session,
        ctx,
        Action.AUDIT_VERIFIED,
        outcome=Outcome.ALLOWED if result.ok else Outcome.DENIED,
        extra=extra,
    )
    return result
