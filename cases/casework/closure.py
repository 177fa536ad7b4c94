"""Closing a case (requested by the team, approved by a lead-agency supervisor), reopening it,
and the lead supervisors' queues."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.holding import hold_open, refuse_as_now
from cases.casework.models import (
    Case,
    CaseReopening,
    CaseStatus,
    ClosureRequest,
)
from cases.casework.models import Outcome as CaseOutcome
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.loading import case_facts
from cases.records import actor_id, record_about
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from core.claims import claim
from core.db import utcnow


def get_closure_request(session: Session, request_id: uuid.UUID) -> ClosureRequest | None:
    return session.get(ClosureRequest, request_id)


def request_closure(
    session: Session, ctx: AuditContext, case: Case, outcome: str
) -> ClosureRequest:
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.CLOSURE_REQUEST, facts)
    if case.status != CaseStatus.OPEN:
        raise InputError("case_closed", "outcome")
    if outcome not in CaseOutcome.__members__.values():
        raise InputError("invalid_choice", "outcome")
    # Held first, so that of two simultaneous requests the second sees the first's row.
    hold_open(session, ctx, case, Permission.CLOSURE_REQUEST)
    pending = session.scalar(
        select(ClosureRequest).where(
            ClosureRequest.case_id == case.id, ClosureRequest.decision.is_(None)
        )
    )
    if pending is not None:
        raise InputError("closure_pending", "outcome")
    request = ClosureRequest(
        person_id=case.person_id,
        case_id=case.id,
        outcome=outcome,
        requested_by_user_id=actor_id(ctx),
    )
    session.add(request)
    session.flush()
    record_about(
        session,
        ctx,
        Action.CLOSURE_REQUESTED,
        case,
        decision.basis,
        object_type="closure",
        object_id=request.id,
        outcome=outcome,
    )
    return request


def decide_closure(
    session: Session,
    ctx: AuditContext,
    request: ClosureRequest,
    approve: bool,
    comment: str = "",
    closed_at: datetime | None = None,
) -> ClosureRequest:
    """A supervisor of the lead agency approves (the case closes) or returns with a comment.

    `closed_at` is for recording a closure decided earlier (and the demo scenario)."""
    case = session.get(Case, request.case_id)
    assert case is not None  # noqa: S101 - foreign key
    decision = authorize(ctx.actor, Permission.CLOSURE_APPROVE, case_facts(session, case))
    if request.decision is not None:
        raise InputError("already_decided", "decision")
    text = long_field(comment, "comment", required=not approve)
    if approve:
        # Writes that hold the case open commit before the approval goes on, so the closing
        # moment, taken after this, is later than every one of them.
        hold_open(session, ctx, case, Permission.CLOSURE_APPROVE)
    now = closed_at or utcnow()
    decided = claim(
        session,
        request,
        ClosureRequest.decision.is_(None),
        decision="approved" if approve else "returned",
        decided_by_user_id=actor_id(ctx),
        decided_at=now,
    )
    if not decided:
        # Decided by a simultaneous request, or replayed: one decision per request.
        raise InputError("already_decided", "decision")
    if text:
        request.comment = text
    if approve:
        closed = claim(
            session,
            case,
            Case.status == CaseStatus.OPEN,
            status=CaseStatus.CLOSED,
            closed_at=now,
            outcome=request.outcome,
        )
        if not closed:
            refuse_as_now(session, ctx, case, Permission.CLOSURE_APPROVE)
        count_case_event(session, FactEvent.CASE_CLOSED, case, now, outcome=request.outcome)
    session.flush()
    record_about(
        session,
        ctx,
        Action.CLOSURE_DECIDED,
        case,
        decision.basis,
        object_type="closure",
        object_id=request.id,
        decision=request.decision,
    )
    return request


def reopen_case(session: Session, ctx: AuditContext, case: Case, reason: str) -> CaseReopening:
    """A supervisor of the lead agency opens a closed case again, with a reason (kept,
    encrypted; the audit event records that it happened, not the reason)."""
    decision = authorize(ctx.actor, Permission.CASE_REOPEN, case_facts(session, case))
    text = long_field(reason, "reason")
    closed_at, outcome = case.closed_at, case.outcome
    reopened = claim(
        session,
        case,
        Case.status == CaseStatus.CLOSED,
        status=CaseStatus.OPEN,
        closed_at=None,
        outcome=None,
    )
    if not reopened:
        # Reopened by a simultaneous request: one reopening per closure.
        refuse_as_now(session, ctx, case, Permission.CASE_REOPEN)
    reopening = CaseReopening(
        person_id=case.person_id,
        case_id=case.id,
        reopened_by_user_id=actor_id(ctx),
        reopened_at=utcnow(),
        closed_at=closed_at,
        outcome=outcome,
    )
    session.add(reopening)
    reopening.reason = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.CASE_REOPENED,
        case,
        decision.basis,
        object_type="case_reopening",
        object_id=reopening.id,
        previous_outcome=reopening.outcome or "",
    )
    return reopening
