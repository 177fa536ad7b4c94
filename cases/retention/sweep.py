"""The retention sweep, for operators (issue 14, point 3). Only its dry run exists yet: it
lists who is due under which rule and who waits and why, and changes nothing but the log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.policy import Permission, authorize
from cases.retention.due import PersonRetention, due_persons
from cases.retention.rules import RetentionRules

__all__ = ["dry_run"]


def dry_run(
    session: Session, ctx: AuditContext, rules: RetentionRules, now: datetime
) -> list[PersonRetention]:
    """What a sweep at `now` would erase and what waits; one audit event with the counts."""
    authorize(ctx.actor, Permission.RETENTION_SWEEP, None, now)
    found = due_persons(session, rules, now)
    due = sum(1 for item in found if item.due)
    record(
        session,
        ctx,
        Action.RETENTION_DRY_RUN,
        object_type="retention",
        due=due,
        waiting=len(found) - due,
        person_years=rules.person_years,
    )
    return found
