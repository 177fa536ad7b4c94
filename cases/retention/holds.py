"""Setting and lifting a legal hold on a case (issue 14, point 2): a supervisor of the lead
agency, with a reason (encrypted under the young person's key); each audited and flagged to the
auditors in the same transaction. A held case keeps its young person from erasure."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action, AuditContext
from cases.casework.models import Case
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.holds import HoldFacts
from cases.policy.loading import case_facts
from cases.records import actor_id, record_about
from cases.retention.models import LegalHold, active_on
from cases.retention.rules import DEFAULT_RETENTION, RetentionRules
from core.claims import claim, hold_fresh
from core.db import utcnow

__all__ = ["active_hold", "hold_facts", "lift_hold", "set_hold"]


def hold_facts(session: Session, case: Case, now: datetime | None = None) -> HoldFacts:
    return HoldFacts(case_facts(session, case, now))


def _today(now: datetime, rules: RetentionRules) -> date:
    return now.astimezone(ZoneInfo(rules.timezone)).date()


def active_hold(
    session: Session, case: Case, now: datetime, rules: RetentionRules = DEFAULT_RETENTION
) -> LegalHold | None:
    """The case's hold in force at `now`, if any (there is at most one)."""
    query = select(LegalHold).where(LegalHold.case_id == case.id, active_on(_today(now, rules)))
    return session.scalars(query.limit(1)).first()


def set_hold(
    session: Session,
    ctx: AuditContext,
    case: Case,
    reason: str,
    ends_on: date | None = None,
    *,
    rules: RetentionRules = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> LegalHold:
    """Hold `case` (and so its young person) from erasure until lifted or until `ends_on`."""
    now = now or utcnow()
    decision = authorize(ctx.actor, Permission.HOLD_SET, hold_facts(session, case, now), now)
    text = long_field(reason, "reason")
    if ends_on is not None and ends_on < _today(now, rules):
        raise InputError("date_in_past", "ends_on")
    # Of two simultaneous holds on one case, the second waits here and then sees the first.
    hold_fresh(session, Case, case.id)
    if active_hold(session, case, now, rules) is not None:
        raise InputError("hold_active", "reason")
    hold = LegalHold(
        person_id=case.person_id,
        case_id=case.id,
        set_by_user_id=actor_id(ctx),
        set_at=now,
        ends_on=ends_on,
    )
    session.add(hold)
    hold.reason = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.HOLD_SET,
        case,
        decision.basis,
        object_type="legal_hold",
        object_id=hold.id,
        has_end_date=ends_on is not None,
        **{FLAGGED: True},
    )
    return hold


def lift_hold(
    session: Session,
    ctx: AuditContext,
    hold: LegalHold,
    reason: str,
    *,
    rules: RetentionRules = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> LegalHold:
    """Lift a hold in force, with a reason (kept encrypted; the event records that it was)."""
    now = now or utcnow()
    case = session.get(Case, hold.case_id)
    assert case is not None  # noqa: S101 - foreign key
    decision = authorize(ctx.actor, Permission.HOLD_LIFT, hold_facts(session, case, now), now)
    text = long_field(reason, "lift_reason")
    if hold.lifted_at is None and not hold.active_on(_today(now, rules)):
        raise InputError("hold_ended", "lift_reason")
    lifted = claim(
        session,
        hold,
        LegalHold.lifted_at.is_(None),
        lifted_at=now,
        lifted_by_user_id=actor_id(ctx),
    )
    if not lifted:
        # Lifted before, or by a simultaneous request: one lifting per hold.
        raise InputError("hold_lifted", "lift_reason")
    hold.lift_reason = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.HOLD_LIFTED,
        case,
        decision.basis,
        object_type="legal_hold",
        object_id=hold.id,
        **{FLAGGED: True},
    )
    return hold
