"""Case work tables. Free text is encrypted under the young person's data key; every row that
holds such text carries `person_id` so its key is found without a join."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from core.datakeys import person_owner
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.fields import DATE, TEXT, Encrypted


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ConcernCode(StrEnum):
    SCHOOL_ABSENCE = "school_absence"
    SUBSTANCE_USE = "substance_use"
    VIOLENCE = "violence"
    PROPERTY_CRIME = "property_crime"
    MENTAL_HEALTH = "mental_health"
    FAMILY_SITUATION = "family_situation"
    RADICALISATION_CONCERN = "radicalisation_concern"
    ONLINE_RISK = "online_risk"
    HOUSING = "housing"
    OTHER = "other"


class Outcome(StrEnum):
    REFERRED_ONWARD = "referred_onward"
    NO_FURTHER_NEED = "no_further_need"
    MOVED_AWAY = "moved_away"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    AGED_OUT = "aged_out"
    OTHER = "other"


class HowRecorded(StrEnum):
    WRITTEN = "written"
    VERBAL_WITH_WITNESS = "verbal_with_witness"


class _PersonKeyed:
    """Rows whose encrypted fields use the young person's data key."""

    if TYPE_CHECKING:
        person_id: uuid.UUID

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", new_uuid())  # the id is in every field's associated data
        super().__init__(**kwargs)

    @property
    def data_key_owner(self) -> str:
        return person_owner(self.person_id)


class Case(_PersonKeyed, Base):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    lead_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN)
    concern_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    legal_hold: Mapped[bool] = mapped_column(default=False)


class TeamAgency(Base):
    """A member agency of a case team, from `start_at` until `end_at` (open-ended if None)."""

    __tablename__ = "case_team_agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # What allowed the addition: "lead", "consent:<id>" or "disclosure:<id>".
    basis: Mapped[str] = mapped_column(String(80))


class TeamUser(Base):
    """A named user on a case team (of a member agency)."""

    __tablename__ = "case_team_users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Consent(_PersonKeyed, Base):
    """Never edited: a change is a new consent; withdrawal fills the withdrawal fields once.

    It belongs to the case it was recorded on and governs sharing in that case only.
    """

    __tablename__ = "consents"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    given_by: Mapped[str] = mapped_column(String(16))
    # When it was actually given (a calendar day), apart from its validity.
    given_on: Mapped[date] = mapped_column(Date)
    recipients: Mapped[list[str]] = mapped_column(JSON)  # agency ids
    categories: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    how_recorded: Mapped[str] = mapped_column(String(32))
    age_when_given: Mapped[int]
    recorded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    purpose_ct: Mapped[bytes | None] = mapped_column("purpose", LargeBinary)
    young_person_view_ct: Mapped[bytes | None] = mapped_column("young_person_view", LargeBinary)
    withdrawal_reason_ct: Mapped[bytes | None] = mapped_column("withdrawal_reason", LargeBinary)
    # Why it is recorded only now, when it was given more than the late-entry days before.
    late_entry_reason_ct: Mapped[bytes | None] = mapped_column("late_entry_reason", LargeBinary)
    # The birth date the age rule and the guardian-only lapse were decided on when recorded: a
    # later edit of the person's birth date may narrow this consent but never widen it.
    birth_date_when_given_ct: Mapped[bytes | None] = mapped_column(
        "birth_date_when_given", LargeBinary
    )

    purpose = Encrypted[str]("purpose_ct", "purpose", TEXT)
    young_person_view = Encrypted[str]("young_person_view_ct", "young_person_view", TEXT)
    withdrawal_reason = Encrypted[str]("withdrawal_reason_ct", "withdrawal_reason", TEXT)
    late_entry_reason = Encrypted[str]("late_entry_reason_ct", "late_entry_reason", TEXT)
    birth_date_when_given = Encrypted[date](
        "birth_date_when_given_ct", "birth_date_when_given", DATE
    )


class Disclosure(_PersonKeyed, Base):
    __tablename__ = "disclosures"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    from_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    categories: Mapped[list[str]] = mapped_column(JSON)
    basis: Mapped[str] = mapped_column(String(40))
    granted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    justification_ct: Mapped[bytes | None] = mapped_column("justification", LargeBinary)

    justification = Encrypted[str]("justification_ct", "justification", TEXT)


class EmergencyAccess(_PersonKeyed, Base):
    __tablename__ = "emergency_accesses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    justification_ct: Mapped[bytes | None] = mapped_column("justification", LargeBinary)

    justification = Encrypted[str]("justification_ct", "justification", TEXT)


class CaseNote(_PersonKeyed, Base):
    """A note; a correction is a new note that `supersedes` it (nothing is deleted)."""

    __tablename__ = "case_notes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    category: Mapped[str] = mapped_column(String(32))
    sensitivity: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_notes.id"))
    body_ct: Mapped[bytes | None] = mapped_column("body", LargeBinary)

    body = Encrypted[str]("body_ct", "body", TEXT)


class ClosureRequest(_PersonKeyed, Base):
    """A request to close a case, approved or returned by a supervisor of the lead agency."""

    __tablename__ = "closure_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))  # approved / returned
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment_ct: Mapped[bytes | None] = mapped_column("comment", LargeBinary)

    comment = Encrypted[str]("comment_ct", "comment", TEXT)


class CaseReopening(_PersonKeyed, Base):
    """A closed case opened again by a supervisor of the lead agency, with a reason."""

    __tablename__ = "case_reopenings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    reopened_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The closure it undid, kept because the case row now says "open" again.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)

    reason = Encrypted[str]("reason_ct", "reason", TEXT)
