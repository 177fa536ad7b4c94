"""Meeting tables (issue 12): a multi-agency meeting, who is invited, its agenda of cases, the
attendance, and the minutes — discussion records, decisions, action items and the addenda that
correct approved minutes. Never deleted.

A meeting itself holds no personal data (its title, place and the review comment carry a hint
saying so); everything written about a young person (minute entries, action items, addenda) is
encrypted under that person's data key and carries `person_id` and `case_id`, so erasure covers
it and the policy decides on it as on a note of its category by its writer's agency.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cases.casework.models import _PersonKeyed
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.fields import TEXT, Encrypted


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    CANCELLED = "cancelled"


# While the minutes are being written (first draft, or after a supervisor returned them).
MINUTES_OPEN = frozenset({MeetingStatus.HELD, MeetingStatus.RETURNED})
# While cases may still be put on the agenda.
AGENDA_OPEN = frozenset({MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.RETURNED})


class EntryKind(StrEnum):
    DISCUSSION = "discussion"
    DECISION = "decision"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        Index("ix_meetings_organising_agency_id_status", "organising_agency_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    # No personal data: the form says so (a young person's name belongs on the agenda item).
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    place: Mapped[str] = mapped_column(String(200), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    organising_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    chair_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNED)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # A return's comment and a cancellation's reason: one line, no personal data (hinted).
    review_comment: Mapped[str] = mapped_column(String(200), default="")
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")


class InvitedAgency(Base):
    __tablename__ = "meeting_agencies"
    __table_args__ = (UniqueConstraint("meeting_id", "agency_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)


class InvitedUser(Base):
    """An invited user, of an invited agency; `present` is the attendance the minutes record
    (None until recorded)."""

    __tablename__ = "meeting_users"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    present: Mapped[bool | None] = mapped_column()


class AgendaItem(Base):
    """A case on a meeting's agenda, put there by a member of its team."""

    __tablename__ = "meeting_agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column()
    added_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MinuteEntry(_PersonKeyed, Base):
    """A discussion record or a decision under an agenda item; a change before approval is a
    new entry that `supersedes` it (nothing is deleted)."""

    __tablename__ = "meeting_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meeting_entries.id"))
    body_ct: Mapped[bytes | None] = mapped_column("body", LargeBinary)

    body = Encrypted[str]("body_ct", "body", TEXT)


class ActionItem(_PersonKeyed, Base):
    """A task the meeting gave a user on the case team: what, by when; its owner marks it done
    (progress on the task, not a change of the minutes)."""

    __tablename__ = "meeting_action_items"
    __table_args__ = (
        Index("ix_meeting_action_items_owner_user_id_status", "owner_user_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    owner_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    description_ct: Mapped[bytes | None] = mapped_column("description", LargeBinary)

    description = Encrypted[str]("description_ct", "description", TEXT)


class Addendum(_PersonKeyed, Base):
    """A correction of approved minutes: text under the entry or action item it corrects."""

    __tablename__ = "meeting_addenda"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting_agenda_items.id"))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    # Exactly one of the two: what it corrects.
    entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meeting_entries.id"))
    action_item_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("meeting_action_items.id"))
    category: Mapped[str] = mapped_column(String(32))
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text_ct: Mapped[bytes | None] = mapped_column("text", LargeBinary)

    text = Encrypted[str]("text_ct", "text", TEXT)
