"""Escalating overdue referrals (issue 11, point 4): an open referral whose acknowledgement or
response deadline has passed escalates once per deadline to the receiving agency's
supervisors — a notification each, a step "escalated" on the referral's history and an audit
event about the young person. Each escalation is claimed by one conditional UPDATE, so two
runs at once (or a run again) escalate nothing twice; a reopening that sets a new response
deadline clears the mark, so the new deadline escalates in its turn."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.accounts.models import User
from cases.notifications.models import NotificationKind
from cases.policy import Permission, authorize
from cases.policy.scopes import agency_supervisors
from cases.referrals.models import (
    AWAITING_RESPONSE,
    EscalatedClock,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralState,
)
from cases.referrals.notifying import add_notifications
from core.claims import claim
from core.db import utcnow

BATCH = 500


@dataclass(frozen=True)
class Escalation:
    referral_id: uuid.UUID
    clock: EscalatedClock
    supervisors: int


def _overdue(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(
            Referral.state == ReferralState.SENT,
            Referral.acknowledge_due_at < now,
            Referral.acknowledge_escalated_at.is_(None),
        ),
        and_(
            Referral.state.in_(AWAITING_RESPONSE),
            Referral.response_due_at < now,
            Referral.response_escalated_at.is_(None),
        ),
    )


def _claim_clocks(session: Session, referral: Referral, now: datetime) -> list[EscalatedClock]:
    """The clocks of `referral` this call escalates: overdue, not escalated yet, and claimed
    in the database (still in the state and past the deadline seen)."""
    claimed = []
    if (
        referral.state == ReferralState.SENT
        and referral.acknowledge_due_at < now
        and referral.acknowledge_escalated_at is None
        and claim(
            session,
            referral,
            Referral.state == ReferralState.SENT,
            Referral.acknowledge_due_at < now,
            Referral.acknowledge_escalated_at.is_(None),
            acknowledge_escalated_at=now,
        )
    ):
        claimed.append(EscalatedClock.ACKNOWLEDGE)
    if (
        referral.state in AWAITING_RESPONSE
        and referral.response_due_at < now
        and referral.response_escalated_at is None
        and claim(
            session,
            referral,
            Referral.state.in_(AWAITING_RESPONSE),
            Referral.response_due_at < now,
            Referral.response_escalated_at.is_(None),
            response_escalated_at=now,
        )
    ):
        claimed.append(EscalatedClock.RESPONSE)
    return claimed


def escalate_overdue(
    session: Session, ctx: AuditContext, *, now: datetime | None = None, batch: int = BATCH
) -> list[Escalation]:
    """Escalate up to `batch` overdue referrals (oldest first); what was escalated. The caller
    commits, and calls again while the answer is a full batch."""
    now = now or utcnow()
    authorize(ctx.actor, Permission.REFERRAL_ESCALATE, None, now)
    overdue = list(
        session.scalars(
            select(Referral).where(_overdue(now)).order_by(Referral.sent_at).limit(batch)
        )
    )
    claimed = [(r, clock) for r in overdue for clock in _claim_clocks(session, r, now)]
    if not claimed:
        return []
    supervisors: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for user_id, agency_id in session.execute(
        select(User.id, User.agency_id).where(
            agency_supervisors({r.to_agency_id for r, _c in claimed})
        )
    ):
        supervisors[agency_id].append(user_id)
    session.add_all(
        ReferralEvent(
            referral_id=r.id,
            person_id=r.person_id,
            kind=ReferralEventKind.ESCALATED,
            from_state=r.state,
            to_state=r.state,
            reason_code=str(clock),
            at=now,
        )
        for r, clock in claimed
    )
    done = []
    for r, clock in claimed:
        told = add_notifications(
            session,
            supervisors[r.to_agency_id],
            NotificationKind.REFERRAL_ESCALATED,
            clock,
            r.id,
            now,
        )
        done.append(Escalation(r.id, clock, told))
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.REFERRAL_ESCALATED,
                object_type="referral",
                object_id=e.referral_id,
                subject=r.person_id,
                clock=str(e.clock),
                supervisors=e.supervisors,
            )
            for e, (r, _c) in zip(done, claimed, strict=True)
        ],
    )
    return done
