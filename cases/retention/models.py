"""Legal holds: a case that must not be erased, with who set and lifted it and why.

The reasons are free text about a young person, so they are encrypted under the person's data
key (the row carries `person_id` so the key is found without a join)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, ForeignKey, LargeBinary, or_
from sqlalchemy.orm import Mapped, mapped_column

from core.datakeys import person_owner
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.fields import TEXT, Encrypted


class LegalHold(Base):
    """Active from `set_at` until lifted or until the end of `ends_on` (a local calendar day)."""

    __tablename__ = "legal_holds"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    set_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_on: Mapped[date | None] = mapped_column(Date)
    lifted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_ct: Mapped[bytes | None] = mapped_column("reason", LargeBinary)
    lift_reason_ct: Mapped[bytes | None] = mapped_column("lift_reason", LargeBinary)

    reason = Encrypted[str]("reason_ct", "reason", TEXT)
    lift_reason = Encrypted[str]("lift_reason_ct", "lift_reason", TEXT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", new_uuid())  # the id is in every field's associated data
        super().__init__(**kwargs)

    @property
    def data_key_owner(self) -> str:
        return person_owner(self.person_id)

    def active_on(self, day: date) -> bool:
        """Not lifted, and `day` (local) is not after its end date."""
        return self.lifted_at is None and (self.ends_on is None or day <= self.ends_on)


def active_on(day: date) -> ColumnElement[bool]:
    """`LegalHold.active_on` as an SQL condition, for listings and the due computation."""
    return LegalHold.lifted_at.is_(None) & or_(
        LegalHold.ends_on.is_(None), LegalHold.ends_on >= day
    )
