"""Emergency access: a named practitioner reads normal notes for a few hours; reviewed after."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.holding import hold_open
from cases.casework.models import Case, EmergencyAccess
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import case_facts
from cases.records import actor_id, record_about
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from core.claims import claim
from core.db import utcnow

EMERGENCY_HOURS = 4


def get_emergency_access(session: Session, access_id: uuid.UUID) -> EmergencyAccess | None:
    return session.get(EmergencyAccess, access_id)


def request_emergency_access(
    session: Session,
    ctx: AuditContext,
    case: Case,
    justification: str,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> EmergencyAccess:
    """Four hours of the case's normal notes for a team member; flagged for review and audit.

    The caller (a route) must have re-authenticated the user just before.
    """
    facts = case_facts(session, case, rules=rules)
    decision = authorize(ctx.actor, Permission.EMERGENCY_REQUEST, facts)
    assert ctx.actor is not None and ctx.actor.id is not None  # noqa: S101 - policy
    text = long_field(justification, "justification")
    hold_open(session, ctx, case, Permission.EMERGENCY_REQUEST)
    now = utcnow()
    access = EmergencyAccess(
        person_id=case.person_id,
        case_id=case.id,
        user_id=ctx.actor.id,
        granted_at=now,
        expires_at=now + timedelta(hours=EMERGENCY_HOURS),
    )
    session.add(access)
    access.justification = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.EMERGENCY_GRANTED,
        case,
        decision.basis,
        object_type="emergency_access",
        object_id=access.id,
        hours=EMERGENCY_HOURS,
    )
    count_case_event(session, FactEvent.EMERGENCY_ACCESS, case, now, rules=rules)
    return access


def review_emergency_access(
    session: Session, ctx: AuditContext, access: EmergencyAccess
) -> EmergencyAccess:
    case = session.get(Case, access.case_id)
    assert case is not None  # noqa: S101 - foreign key
    decision = authorize(ctx.actor, Permission.EMERGENCY_REVIEW, case_facts(session, case))
    reviewed = claim(
        session,
        access,
        EmergencyAccess.reviewed_at.is_(None),
        reviewed_at=utcnow(),
        reviewed_by_user_id=actor_id(ctx),
    )
    if not reviewed:
        raise InputError("already_reviewed", "access")
    record_about(
        session,
        ctx,
        Action.EMERGENCY_REVIEWED,
        case,
        decision.basis,
        object_type="emergency_access",
        object_id=access.id,
    )
    return access
