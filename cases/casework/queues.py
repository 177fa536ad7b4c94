"""Queues: my cases, closed cases, and the lead supervisor's closure and emergency reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.casework.models import (
    Case,
    CaseStatus,
    ClosureRequest,
    EmergencyAccess,
)
from cases.persons.queries import PersonDetails, current_details_of
from cases.policy import (
    Decision,
    Permission,
    cases_worth_checking,
    decide,
)
from cases.policy.loading import cases_facts
from core.db import utcnow


def _lead_queue(
    session: Session,
    ctx: AuditContext,
    permission: Permission,
    model: type[EmergencyAccess] | type[ClosureRequest],
    pending: ColumnElement[bool],
    order: InstrumentedAttribute[datetime],
) -> list[Any]:
    """Pending items on cases the actor's agency leads that the policy lets the actor decide.

    Each case's facts are loaded once, however many items it has.
    """
    if ctx.actor is None:
        return []
    rows = session.execute(
        select(model, Case)
        .join(Case, Case.id == model.case_id)
        .where(pending, Case.lead_agency_id == ctx.actor.agency_id)
        .order_by(order)
    ).all()
    facts = cases_facts(session, list({case.id: case for _item, case in rows}.values()))
    decided = {case_id: decide(ctx.actor, permission, f).allowed for case_id, f in facts.items()}
    return [item for item, case in rows if decided[case.id]]


def emergency_reviews(session: Session, ctx: AuditContext) -> list[EmergencyAccess]:
    """Unreviewed emergency accesses on cases the actor's agency leads, for its supervisors."""
    return _lead_queue(
        session,
        ctx,
        Permission.EMERGENCY_REVIEW,
        EmergencyAccess,
        EmergencyAccess.reviewed_at.is_(None),
        EmergencyAccess.granted_at,
    )


def closure_queue(session: Session, ctx: AuditContext) -> list[ClosureRequest]:
    """Pending closure requests the actor may decide (a supervisor of the lead agency)."""
    return _lead_queue(
        session,
        ctx,
        Permission.CLOSURE_APPROVE,
        ClosureRequest,
        ClosureRequest.decision.is_(None),
        ClosureRequest.requested_at,
    )


def my_cases_decided(
    session: Session, ctx: AuditContext, status: CaseStatus = CaseStatus.OPEN
) -> list[tuple[Case, Decision]]:
    if ctx.actor is None:
        return []
    now = utcnow()
    cases = list(
        session.scalars(
            select(Case)
            .where(Case.status == status, cases_worth_checking(ctx.actor))
            .order_by(Case.opened_at)
        )
    )
    facts = cases_facts(session, cases, now)
    decided = [(c, decide(ctx.actor, Permission.CASE_READ, facts[c.id], now)) for c in cases]
    return [(case, decision) for case, decision in decided if decision.allowed]


def my_cases(session: Session, ctx: AuditContext) -> list[Case]:
    """Open cases the actor works on (named, or any case of their agency for a supervisor)."""
    return [case for case, _decision in my_cases_decided(session, ctx)]


@dataclass(frozen=True)
class CaseListing:
    case: Case
    person: PersonDetails | None


def list_my_cases(
    session: Session, ctx: AuditContext, status: CaseStatus = CaseStatus.OPEN
) -> list[CaseListing]:
    """My cases with the young person's name; each person listed is a `person:read`."""
    return listed(session, ctx, my_cases_decided(session, ctx, status))


def listed(
    session: Session, ctx: AuditContext, decided: list[tuple[Case, Decision]]
) -> list[CaseListing]:
    """These cases with the young person's name; each person listed is a `person:read`."""
    details = current_details_of(session, (case.person_id for case, _d in decided))
    # Each person listed is a read of their own (in their access report), inserted together.
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.PERSON_READ,
                object_type="person",
                object_id=case.person_id,
                subject=case.person_id,
                bases=decision.basis,
                view="case_list",
            )
            for case, decision in decided
        ],
    )
    return [CaseListing(case, details.get(case.person_id)) for case, _decision in decided]


def list_closed_cases(session: Session, ctx: AuditContext) -> list[CaseListing]:
    """Closed cases the actor's team still reads (and a lead supervisor may reopen)."""
    return list_my_cases(session, ctx, CaseStatus.CLOSED)
