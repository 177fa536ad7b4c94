"""The e-mail outbox: notifications neither read nor mailed, of active users with an address,
grouped into one "You have a new item in Silta" mail per user. The mail itself carries no
personal data (the sender composes it); a notification is marked mailed only after its mail
was accepted by the server, so a failing server loses nothing (the next run tries again) and
at worst a crash between sending and marking sends one mail twice."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import User
from cases.notifications.models import Notification
from cases.policy import Permission, authorize
from core.db import utcnow

BATCH = 200


@dataclass
class PendingMail:
    """One user's mail: where to, in which language, and the notifications it covers."""

    user_id: uuid.UUID
    address: str
    locale: str | None
    notification_ids: list[uuid.UUID] = field(default_factory=list)


def pending_mail(
    session: Session,
    ctx: AuditContext,
    *,
    batch: int = BATCH,
    exclude: Collection[uuid.UUID] = (),
) -> list[PendingMail]:
    """Up to `batch` users' waiting mails (oldest notification first), leaving out the users
    in `exclude` (those a run has tried already)."""
    authorize(ctx.actor, Permission.NOTIFICATION_MAIL)
    query = (
        select(Notification.id, User.id, User.email, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.mailed_at.is_(None),
            Notification.read_at.is_(None),
            User.active,
            User.email.is_not(None),
        )
        .order_by(Notification.created_at, Notification.id)
        .limit(batch * 20)
    )
    if exclude:
        query = query.where(User.id.not_in(list(exclude)))
    rows = session.execute(query)
    mails: dict[uuid.UUID, PendingMail] = {}
    for notification_id, user_id, address, locale in rows:
        if user_id not in mails:
            if len(mails) == batch:
                continue
            mails[user_id] = PendingMail(user_id, address or "", locale)
        mails[user_id].notification_ids.append(notification_id)
    return list(mails.values())


def mark_mailed(session: Session, mail: PendingMail) -> int:
    """Mark the notifications of a mail the server accepted as mailed (once); how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.id.in_(mail.notification_ids), Notification.mailed_at.is_(None))
        .values(mailed_at=utcnow())
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())


def record_run(
    session: Session, ctx: AuditContext, sent: Sequence[PendingMail], failed: int
) -> None:
    """The mail command's audit event: counts only (no addresses)."""
    record(
        session,
        ctx,
        Action.NOTIFICATIONS_MAILED,
        mails=len(sent),
        notifications=sum(len(m.notification_ids) for m in sent),
        failed=failed,
    )
