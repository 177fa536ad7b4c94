"""Who is told of a referral's events, written in the transaction of the event itself (one
look-up of the recipients and one multi-row insert per event): a new referral goes to every
active caseworker and supervisor of the receiving agency (its inbox); a later step to the
sender and the referral's handlers (whoever acknowledged or accepted it), never to the actor.
Notifications hold no personal data: a kind, the step's code and the referral's id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from cases.accounts.models import User
from cases.notifications.models import Notification, NotificationKind
from cases.policy.scopes import inbox_readers
from cases.referrals.models import Referral, ReferralEvent, ReferralEventKind
from core.db import new_uuid

# The steps that make a receiving practitioner one of the referral's handlers.
HANDLING = (ReferralEventKind.ACKNOWLEDGED, ReferralEventKind.ACCEPTED)


def add_notifications(
    session: Session,
    users: Iterable[uuid.UUID],
    kind: NotificationKind,
    event: str,
    referral_id: uuid.UUID,
    now: datetime,
) -> int:
    """One notification per user, in one statement; how many were written."""
    rows = [
        {
            "id": new_uuid(),
            "user_id": user,
            "kind": str(kind),
            "event": str(event),
            "referral_id": referral_id,
            "created_at": now,
        }
        for user in dict.fromkeys(users)
    ]
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


def notify_sent(session: Session, referral: Referral, now: datetime) -> int:
    """Tell the receiving agency's inbox readers of a new referral."""
    readers = session.scalars(select(User.id).where(inbox_readers(referral.to_agency_id)))
    return add_notifications(
        session,
        readers,
        NotificationKind.NEW_REFERRAL,
        ReferralEventKind.SENT,
        referral.id,
        now,
    )


def notify_change(
    session: Session,
    referral: Referral,
    event: str,
    actor: uuid.UUID | None,
    now: datetime,
) -> int:
    """Tell the sender and the handlers of a referral (but not `actor`) of a step on it."""
    handlers = select(ReferralEvent.actor_user_id).where(
        ReferralEvent.referral_id == referral.id,
        ReferralEvent.kind.in_(HANDLING),
        ReferralEvent.actor_user_id.is_not(None),
    )
    query = select(User.id).where(
        User.active, or_(User.id == referral.from_user_id, User.id.in_(handlers))
    )
    if actor is not None:
        query = query.where(User.id != actor)
    return add_notifications(
        session,
        session.scalars(query),
        NotificationKind.REFERRAL_CHANGED,
        event,
        referral.id,
        now,
    )
