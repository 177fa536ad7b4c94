"""Anonymous statistics facts (issue 13): one row per counted event, written in the same
transaction as the event, with no person, case or user id, no free text and no exact date —
only the month and coarse categories. Nothing here joins to a person, so the facts outlive
the erasure of the people they count."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, new_uuid


class FactEvent(StrEnum):
    CASE_OPENED = "case_opened"
    CASE_CLOSED = "case_closed"
    REFERRAL_SENT = "referral_sent"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_COMPLETED = "referral_completed"
    MEETING_HELD = "meeting_held"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    EMERGENCY_ACCESS = "emergency_access"


class AgeBand(StrEnum):
    UNDER_12 = "under_12"
    FROM_12_TO_14 = "12_14"
    FROM_15_TO_17 = "15_17"
    FROM_18_TO_21 = "18_21"
    OVER_21 = "over_21"


class StatisticsFact(Base):
    __tablename__ = "statistics_facts"
    __table_args__ = (Index("ix_statistics_facts_event_month", "event", "month"),)

    # A random id (every table has one); it orders nothing and names nothing.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM", local time of the event
    event: Mapped[str] = mapped_column(String(32))
    lead_agency_kind: Mapped[str | None] = mapped_column(String(32))
    sending_agency_kind: Mapped[str | None] = mapped_column(String(32))
    receiving_agency_kind: Mapped[str | None] = mapped_column(String(32))
    concern_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_band: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(3))  # first three postal-code digits
    outcome: Mapped[str | None] = mapped_column(String(32))  # a closed case's outcome
    # Synthetic facts of the demo data set (`demo seed`): the pages say when a table holds any.
    demo: Mapped[bool] = mapped_column(default=False)


class StatisticsState(Base):
    """One row: since when facts are written live (set by the migration that made the table),
    and when the one-off back-fill counted what happened before."""

    __tablename__ = "statistics_state"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    live_since: Mapped[datetime] = mapped_column(UTCDateTime)
    backfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatisticsRelease(Base):
    """A measure-year's protected families, kept so that no worker protects them twice
    (`cases.statistics.stored`): the marks of each family, under a digest of the counts they
    protect and of the method. Counts of anonymous facts only: nothing names a person."""

    __tablename__ = "statistics_releases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    marks: Mapped[dict[str, list[Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
