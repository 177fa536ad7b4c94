"""Young people: a stable identity row, encrypted versions, and blind-index entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.datakeys import person_owner
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.fields import DATE, FLAG, JSON, TEXT, BlindIndex, Encrypted


class MotherTongue(StrEnum):
    FINNISH = "fi"
    SWEDISH = "sv"
    OTHER = "other"


# Truncation of the blind indexes, after CipherSweet's "blind index planning": with R rows and
# an L-bit index, each index value is shared by about C = R / 2^L rows, and an index is safe
# when 2 <= C < sqrt(R): at least two coincidences (a value never pins down one row) and fewer
# than sqrt(R) (look-ups stay selective). Planned for R = 10^6 persons:
#   L = 16: C = 10^6 / 65,536 ≈ 15.3, and 2 <= 15.3 < 1,000.   (L = 19 gives C ≈ 1.9 < 2;
#   L = 10 gives C ≈ 977, near the bound, and ~1,000 decryptions per look-up.)
# Each index covers a different field (the code; surname + birth date), so their lengths are
# not summed. At today's smaller registers C is below 2 — the index then says little more than
# the row count does, and grows safer as the register grows. Look-ups decrypt the ~15
# candidates (far fewer after the visibility filter) and compare exactly.
IDENTITY_CODE_INDEX = BlindIndex("person/identity-code", bits=16)
NAME_BIRTH_INDEX = BlindIndex("person/surname-birth-date", bits=16)


@dataclass(frozen=True)
class Erasure:
    """When a person was erased and under which rule (None: erased before rules were named)."""

    on: datetime
    rule: str | None


class Person(Base):
    """A young person's stable identity; what they are lives in `PersonVersion`s."""

    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    registered_by_agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), index=True
    )
    registered_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    current_version: Mapped[int] = mapped_column(default=1)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rule that caused the erasure (a policy token such as a retention rule, never free
    # text); None while not erased, and for persons erased before rules were recorded.
    erasure_rule: Mapped[str | None] = mapped_column(String(80))

    versions: Mapped[list[PersonVersion]] = relationship(
        back_populates="person", order_by="PersonVersion.version"
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    @property
    def data_key_owner(self) -> str:
        return person_owner(self.id)

    @property
    def erasure(self) -> Erasure | None:
        """When and under which rule the person was erased (for "Erased on DATE under rule X");
        None while they are not."""
        if self.erased_at is None:
            return None
        return Erasure(self.erased_at, self.erasure_rule)


class PersonVersion(Base):
    """One version of a person's details; an edit adds a version and keeps this one."""

    __tablename__ = "person_versions"
    __table_args__ = (UniqueConstraint("person_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    given_names_ct: Mapped[bytes | None] = mapped_column("given_names", LargeBinary)
    surname_ct: Mapped[bytes | None] = mapped_column("surname", LargeBinary)
    birth_date_ct: Mapped[bytes | None] = mapped_column("birth_date", LargeBinary)
    identity_code_ct: Mapped[bytes | None] = mapped_column("identity_code", LargeBinary)
    municipality_ct: Mapped[bytes | None] = mapped_column("municipality", LargeBinary)
    postal_code_ct: Mapped[bytes | None] = mapped_column("postal_code", LargeBinary)
    phone_ct: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    email_ct: Mapped[bytes | None] = mapped_column("email", LargeBinary)
    guardians_ct: Mapped[bytes | None] = mapped_column("guardians", LargeBinary)
    mother_tongue_ct: Mapped[bytes | None] = mapped_column("mother_tongue", LargeBinary)
    forbids_guardian_disclosure_ct: Mapped[bytes | None] = mapped_column(
        "forbids_guardian_disclosure", LargeBinary
    )

    given_names = Encrypted[str]("given_names_ct", "given_names", TEXT)
    surname = Encrypted[str]("surname_ct", "surname", TEXT)
    birth_date = Encrypted[date]("birth_date_ct", "birth_date", DATE)
    identity_code = Encrypted[str]("identity_code_ct", "identity_code", TEXT)
    municipality = Encrypted[str]("municipality_ct", "municipality", TEXT)
    postal_code = Encrypted[str]("postal_code_ct", "postal_code", TEXT)
    phone = Encrypted[str]("phone_ct", "phone", TEXT)
    email = Encrypted[str]("email_ct", "email", TEXT)
    # [{"name": "…", "contact": "…"}, …]
    guardians = Encrypted[list[dict[str, str]]]("guardians_ct", "guardians", JSON)
    mother_tongue = Encrypted[str]("mother_tongue_ct", "mother_tongue", TEXT)
    forbids_guardian_disclosure = Encrypted[bool](
        "forbids_guardian_disclosure_ct", "forbids_guardian_disclosure", FLAG
    )

    person: Mapped[Person] = relationship(back_populates="versions")

    def __init__(self, **kwargs: Any) -> None:
        # The id is part of every field's associated data, so it exists before any field.
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    @property
    def data_key_owner(self) -> str:
        return person_owner(self.person_id)


class PersonIndexEntry(Base):
    """A blind-index value of a person's current version (replaced on every edit)."""

    __tablename__ = "person_index_entries"
    __table_args__ = (Index("ix_person_index_entries_lookup", "index_name", "value"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    index_name: Mapped[str] = mapped_column(String(40))
    value: Mapped[int]
