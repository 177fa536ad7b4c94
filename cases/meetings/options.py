"""What the meeting pages choose from and look up: the agencies and practitioners a new meeting
may invite, the meetings a case may be put on, and the rows a form names by id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.accounts.models import Agency, User
from cases.meetings.models import AGENDA_OPEN, AgendaItem, Meeting, MinuteEntry
from cases.policy import Permission, authorize
from cases.policy.permissions import PRACTITIONER_ROLES
from cases.policy.scopes import visible_meetings
from core.db import utcnow

AGENDA_CHOICES = 50


@dataclass(frozen=True)
class MeetingFormOptions:
    agencies: list[Agency]  # active agencies, by name
    users: list[User]  # active practitioners of those agencies, by agency and name
    chairs: list[User]  # the actor's own agency's practitioners


def meeting_form_options(session: Session, ctx: AuditContext) -> MeetingFormOptions:
    """Who a new meeting may invite, and who of the organising agency may chair it."""
    authorize(ctx.actor, Permission.MEETING_CREATE, None, utcnow())
    assert ctx.actor is not None  # noqa: S101 - policy
    agencies = list(
        session.scalars(select(Agency).where(Agency.active).order_by(Agency.name, Agency.id))
    )
    users = list(
        session.scalars(
            select(User)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.active, Agency.active, User.role.in_(PRACTITIONER_ROLES))
            .order_by(Agency.name, User.display_name, User.id)
        )
    )
    chairs = [u for u in users if u.agency_id == ctx.actor.agency_id]
    return MeetingFormOptions(agencies, users, chairs)


def agenda_meetings(
    session: Session, ctx: AuditContext, *, limit: int = AGENDA_CHOICES
) -> list[Meeting]:
    """The meetings the actor sees whose agenda is still open, soonest first (capped)."""
    authorize(ctx.actor, Permission.MEETING_LIST, None, utcnow())
    return list(
        session.scalars(
            select(Meeting)
            .where(visible_meetings(ctx.actor), Meeting.status.in_(AGENDA_OPEN))
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(limit)
        )
    )


def get_agenda_item(session: Session, item_id: uuid.UUID) -> AgendaItem | None:
    return session.get(AgendaItem, item_id)


def get_entry(session: Session, entry_id: uuid.UUID) -> MinuteEntry | None:
    return session.get(MinuteEntry, entry_id)


def users_named(session: Session, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    """The users a listing names (its action items' owners), in one statement."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def agencies_named(session: Session, agency_ids: Iterable[uuid.UUID]) -> list[Agency]:
    """The agencies a warning names, by name, in one statement."""
    wanted = set(agency_ids)
    if not wanted:
        return []
    return list(session.scalars(select(Agency).where(Agency.id.in_(wanted)).order_by(Agency.name)))
