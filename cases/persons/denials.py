"""Denials about one person: they name that person as the subject, so the person's access
report (Act 703/2023 §11) lists who tried to reach their data and was refused."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, Outcome, record
from cases.casework.facts import person_facts
from cases.persons.models import Person
from cases.policy import Decision, Permission, PolicyDenied, decide


class PersonDenied(PolicyDenied):
    """The policy refused an action on an existing person; `subject_id` is that person."""

    def __init__(self, permission: Permission, decision: Decision, person_id: uuid.UUID) -> None:
        super().__init__(permission, decision)
        self.object_type = "person"
        self.object_id = person_id
        self.subject_id = person_id


def authorize_about(
    session: Session, ctx: AuditContext, permission: Permission, person: Person
) -> Decision:
    """Decide on fresh facts about `person`; raise PersonDenied (never a bare denial) if refused."""
    decision = decide(ctx.actor, permission, person_facts(session, person))
    if not decision:
        raise PersonDenied(permission, decision, person.id)
    return decision


def record_denial(session: Session, ctx: AuditContext, denied: PersonDenied, endpoint: str) -> None:
    """The denial's audit event, with the person as object and subject (no other values)."""
    record(
        session,
        ctx,
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        object_type=denied.object_type,
        object_id=denied.object_id,
        subject=denied.subject_id,
        permission=str(denied.permission),
        reason=str(denied.decision.reason),
        endpoint=endpoint,
    )
