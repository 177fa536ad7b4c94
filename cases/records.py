"""The one audit-record helper of the domain: an event about a case or a person, with the young
person as its subject (so it is in their access report), and the acting user's id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.casework.models import Case
from cases.persons.models import Person

__all__ = ["actor_id", "record_about"]


def actor_id(ctx: AuditContext) -> uuid.UUID | None:
    return ctx.actor.id if ctx.actor is not None else None


def record_about(
    session: Session,
    ctx: AuditContext,
    action: Action,
    about: Case | Person,
    bases: Iterable[str] = (),
    *,
    object_type: str | None = None,
    object_id: object = None,
    **details: object,
) -> None:
    """An audit event about a case (object: the case, unless named) or a person."""
    is_case = isinstance(about, Case)
    record(
        session,
        ctx,
        action,
        object_type=object_type or ("case" if is_case else "person"),
        object_id=object_id if object_id is not None else about.id,
        subject=about.person_id if isinstance(about, Case) else about.id,
        bases=bases,
        extra=details,
    )
