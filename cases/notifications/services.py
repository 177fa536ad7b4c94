"""A practitioner's own notifications: the unread count of every page's header (one
statement), the list newest first, and marking them read. They hold no personal data, so
showing them is not an audited read; the referral page each links to decides and audits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from audit.events import Actor, AuditContext
from cases.inputs import InputError
from cases.notifications.models import Notification
from cases.policy import Permission, authorize, decide
from cases.policy.facts import NotificationFacts
from core.db import utcnow

PAGE_SIZE = 25
# The header says "99+" beyond this: the count stops there, so it stays cheap.
COUNT_CAP = 100
# Built once: every signed-in page sends it, and SQLAlchemy memoises a statement's cache key on
# the statement object (one built afresh per request pays for that every time).
_UNREAD = select(func.count()).select_from(
    select(Notification.id)
    .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))
    .limit(COUNT_CAP)
    .subquery()
)


def unread_count(session: Session, actor: Actor | None) -> int | None:
    """How many of the actor's notifications are unread (at most `COUNT_CAP`); None when the
    actor has no notifications at all (not a practitioner). One statement."""
    if not decide(actor, Permission.NOTIFICATION_LIST):
        return None
    assert actor is not None  # noqa: S101 - the policy allowed an actor
    return int(session.scalar(_UNREAD, {"user_id": actor.id}) or 0)


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    page: int
    more: bool
    unread: int


def list_page(session: Session, ctx: AuditContext, page: int = 1) -> NotificationPage:
    """One page of the actor's notifications, newest first (`page` counts from 1)."""
    authorize(ctx.actor, Permission.NOTIFICATION_LIST)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    if page < 1:
        raise InputError("invalid_choice", "page")
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == ctx.actor.id)
            .order_by(Notification.created_at.desc(), Notification.id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return NotificationPage(
        items=rows[:PAGE_SIZE],
        page=page,
        more=len(rows) > PAGE_SIZE,
        unread=sum(1 for n in rows[:PAGE_SIZE] if n.read_at is None),
    )


def mark_all_read(session: Session, ctx: AuditContext, *, until: datetime | None = None) -> int:
    """Mark the actor's unread notifications created up to `until` (default now) read; how
    many. `until` is the newest one the user saw, so one that arrived meanwhile stays unread."""
    now = utcnow()
    authorize(ctx.actor, Permission.NOTIFICATION_MARK_READ)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == ctx.actor.id,
            Notification.read_at.is_(None),
            Notification.created_at <= min(until or now, now),
        )
        .values(read_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())


def open_notification(session: Session, ctx: AuditContext, notification_id: uuid.UUID) -> uuid.UUID:
    """Mark one of the actor's notifications read and name its referral. Another user's
    notification is refused like a missing one (`PolicyDenied`); an unknown id is an
    `InputError`."""
    found = session.get(Notification, notification_id)
    if found is None:
        raise InputError("not_found", "notification")
    authorize(
        ctx.actor,
        Permission.NOTIFICATION_MARK_READ,
        NotificationFacts(found.id, found.user_id),
    )
    if found.read_at is None:
        found.read_at = utcnow()
        session.flush()
    return found.referral_id
