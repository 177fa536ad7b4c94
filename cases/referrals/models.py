"""Referral tables: a referral owned by the receiving agency's inbox until it is closed, and its
history. Never deleted. Free text (the reason, and each transition's decline text, outcome note,
withdrawal or reopening reason) is encrypted under the young person's data key, so erasure
covers it; every row carries `person_id` so its key is found without a join."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cases.casework.models import _PersonKeyed
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.fields import TEXT, Encrypted


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class ReferralState(StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


# Open: the sender may still withdraw it and it counts in the inboxes' open work.
OPEN_STATES = frozenset({ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED})
# Waiting for the receiving agency's answer (accept or decline): the response clock runs.
AWAITING_RESPONSE = frozenset({ReferralState.SENT, ReferralState.ACKNOWLEDGED})


class DeclineReason(StrEnum):
    NOT_OUR_SERVICE = "not_our_service"
    NO_CAPACITY = "no_capacity"
    YOUNG_PERSON_DECLINED = "young_person_declined"
    DUPLICATE = "duplicate"
    OTHER = "other"


class YouthActGround(StrEnum):
    """Youth Act 1285/2016 §11: why a young person is referred to outreach youth work (the only
    "reason" such a referral carries; it holds identification and contact data only)."""

    NO_STUDY_PLACE_AFTER_BASIC = "no_study_place_after_basic_education"
    DROPPED_OUT = "dropped_out_of_education"
    EXEMPT_FROM_MILITARY_SERVICE = "exempt_from_military_service"
    EXEMPT_FROM_CIVILIAN_SERVICE = "exempt_from_civilian_service"
    NEEDS_SUPPORT = "needs_support_to_reach_services"


class ReferralEventKind(StrEnum):
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    REOPENED = "reopened"
    ASSESSMENT_STARTED = "assessment_started"
    ASSESSMENT_COMPLETED = "assessment_completed"
    # An overdue clock escalated to the receiving agency's supervisors (`reason_code` names it).
    ESCALATED = "escalated"


class EscalatedClock(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESPONSE = "response"


class Referral(_PersonKeyed, Base):
    """A referral from an agency (and user) to another agency's shared inbox, with what it
    shared as sent: the category, the attached note ids and the basis (a consent or a
    disclosure of the case, and its legal basis code)."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_to_agency_id_state", "to_agency_id", "state"),
        Index("ix_referrals_from_agency_id_state", "from_agency_id", "state"),
        # One referral per send form: the same form sent twice (or at once) makes one.
        UniqueConstraint("from_user_id", "send_token"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    from_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    from_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    urgency: Mapped[str] = mapped_column(String(16))
    # None for a Youth Act §11 referral, which shares no category of notes.
    category: Mapped[str | None] = mapped_column(String(32))
    # The basis as sent: "consent:<id>" or "disclosure:<id>", the row, and its legal basis code
    # ("consent" or the disclosure's basis).
    basis: Mapped[str] = mapped_column(String(80))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consents.id"))
    disclosure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    legal_basis: Mapped[str] = mapped_column(String(40))
    attached_note_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Youth Act §11: grounds from `YouthActGround`, and that the young person (and the guardian
    # of a minor; None when the young person is of age) was informed.
    youth_act_grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    young_person_informed: Mapped[bool | None] = mapped_column()
    guardian_informed: Mapped[bool | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=ReferralState.SENT)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_token: Mapped[uuid.UUID | None] = mapped_column()
    acknowledge_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The receiving agency's user who acknowledged or accepted it last.
    handler_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    # The child-welfare needs assessment (a referral to social services about a minor): due
    # dates fixed when sent, the dates the receiving agency records.
    needs_assessment: Mapped[bool] = mapped_column(default=False)
    assessment_start_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessment_complete_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessment_started_on: Mapped[date | None] = mapped_column(Date)
    assessment_completed_on: Mapped[date | None] = mapped_column(Date)
    # When each overdue clock was escalated (once per deadline; a reopening that sets a new
    # response deadline clears it).
    acknowledge_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)

    reason = Encrypted[str]("reason_ct", "reason", TEXT)


class ReferralEvent(_PersonKeyed, Base):
    """One step of a referral's history: who, when, from which state to which, a reason code
    and the step's own text (decline text, outcome note, withdrawal or reopening reason)."""

    __tablename__ = "referral_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    text_ct: Mapped[bytes | None] = mapped_column("text", LargeBinary)

    text = Encrypted[str]("text_ct", "text", TEXT)
