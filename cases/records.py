"""The one audit-record helper of the domain: an event about a case or a person, with the young
person as its subject (so it is in their access report), and the acting user's id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.casework.models import Case
from cases.persons.models import Person

__all__ = ["actor_id", "record_about", "record_about_each"]


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
    record_events(session, [_about(ctx, action, about, bases, object_type, object_id, details)])


def record_about_each(
    session: Session,
    ctx: AuditContext,
    action: Action,
    about: Iterable[tuple[Case | Person, Iterable[str]]],
    **details: object,
) -> None:
    """One event per case or person shown (with the bases it was shown on), inserted together:
    a listing of fifty costs the statements of a listing of one."""
    record_events(
        session, [_about(ctx, action, each, bases, None, None, details) for each, bases in about]
    )


def _about(
    ctx: AuditContext,
    action: Action,
    about: Case | Person,
    bases: Iterable[str],
    object_type: str | None,
    object_id: object,
    details: Mapping[str, object],
) -> dict[str, Any]:
    is_case = isinstance(about, Case)
    return new_event(
        ctx,
        action,
        object_type=object_type or ("case" if is_case else "person"),
        object_id=object_id if object_id is not None else about.id,
        subject=about.person_id if isinstance(about, Case) else about.id,
        bases=bases,
        extra=details,
    )
