"""Notifications: one row per user and event, holding no personal data and no free text (a
kind, a fixed code of what happened and the referral's id); the page renders a fixed sentence
and a link to the referral, whose page makes its own policy decision. `mailed_at` makes the
table the e-mail outbox too: a notification not yet read nor mailed is waiting for the mail
command."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_uuid, utcnow


class NotificationKind(StrEnum):
    # A new referral in the inbox of my agency.
    NEW_REFERRAL = "new_referral"
    # A change on a referral I sent or handle (`event` says which step).
    REFERRAL_CHANGED = "referral_changed"
    # An overdue referral escalated to the receiving agency's supervisors (`event`: which clock).
    REFERRAL_ESCALATED = "referral_escalated"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count in every page's header, and the user's list newest first.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        # The mail command's look-up of what is waiting.
        Index("ix_notifications_mailed_at_read_at", "mailed_at", "read_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # A code from a fixed list: the referral step (`ReferralEventKind`) or the escalated clock.
    event: Mapped[str] = mapped_column(String(32))
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
