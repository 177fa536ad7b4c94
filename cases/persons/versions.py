"""A person's versions: every edit is a new version; the current one is read in plaintext."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.inputs import InputError as InputError
from cases.persons.details import EARLIEST_BIRTH_DATE as EARLIEST_BIRTH_DATE
from cases.persons.details import Guardian as Guardian
from cases.persons.details import PersonDetails as PersonDetails
from cases.persons.models import (
    MotherTongue,
    Person,
    PersonVersion,
)
from core import datakeys
from core.fields import key_provider


@dataclass(frozen=True)
class VersionSummary:
    version: int
    created_at: datetime
    created_by_user_id: uuid.UUID | None
    changed: tuple[str, ...] = field(default_factory=tuple)


def _write_version(
    session: Session, person: Person, number: int, details: PersonDetails, author: uuid.UUID | None
) -> PersonVersion:
    version = PersonVersion(person_id=person.id, version=number, created_by_user_id=author)
    session.add(version)
    version.given_names = details.given_names
    version.surname = details.surname
    version.birth_date = details.birth_date
    version.identity_code = details.identity_code
    version.municipality = details.municipality or None
    version.postal_code = details.postal_code or None
    version.phone = details.phone or None
    version.email = details.email or None
    version.guardians = [{"name": g.name, "contact": g.contact} for g in details.guardians]
    version.mother_tongue = details.mother_tongue
    version.forbids_guardian_disclosure = details.forbids_guardian_disclosure
    person.current_version = number
    return version


def _details_of(version: PersonVersion) -> PersonDetails:
    birth_date = version.birth_date
    assert birth_date is not None  # noqa: S101 - every version is written with a birth date
    return PersonDetails(
        given_names=version.given_names or "",
        surname=version.surname or "",
        birth_date=birth_date,
        identity_code=version.identity_code,
        municipality=version.municipality or "",
        postal_code=version.postal_code or "",
        phone=version.phone or "",
        email=version.email or "",
        guardians=tuple(Guardian(g["name"], g.get("contact", "")) for g in version.guardians or []),
        mother_tongue=version.mother_tongue or MotherTongue.OTHER,
        forbids_guardian_disclosure=bool(version.forbids_guardian_disclosure),
    )


def _current_version(session: Session, person: Person) -> PersonVersion:
    version = session.scalar(
        select(PersonVersion).where(
            PersonVersion.person_id == person.id, PersonVersion.version == person.current_version
        )
    )
    assert version is not None  # noqa: S101 - current_version always names a stored version
    return version


def current_details(session: Session, person: Person) -> PersonDetails | None:
    """The current version in plaintext, or None if the person's key is destroyed."""
    if person.erased_at is not None:
        return None
    return _details_of(_current_version(session, person))


def details_of(person: Person, version: PersonVersion | None) -> PersonDetails | None:
    """`current_details` from a person and their current version loaded already (None once
    erased)."""
    if person.erased_at is not None or version is None:
        return None
    assert version.person_id == person.id and version.version == person.current_version  # noqa: S101
    return _details_of(version)


def _changed_fields(before: PersonDetails | None, after: PersonDetails) -> tuple[str, ...]:
    if before is None:
        return tuple(f.name for f in fields(PersonDetails))
    return tuple(
        f.name for f in fields(PersonDetails) if getattr(before, f.name) != getattr(after, f.name)
    )


def current_details_of(
    session: Session, person_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PersonDetails | None]:
    """The current details of many persons with two statements (listings); None once erased."""
    wanted = list(set(person_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Person, PersonVersion)
        .join(
            PersonVersion,
            (PersonVersion.person_id == Person.id)
            & (PersonVersion.version == Person.current_version),
        )
        .where(Person.id.in_(wanted))
    ).all()
    live = [(person, version) for person, version in rows if person.erased_at is None]
    datakeys.preload_data_keys(
        session, key_provider(session), (version.data_key_owner for _p, version in live)
    )
    found: dict[uuid.UUID, PersonDetails | None] = {person.id: None for person, _v in rows}
    found.update((person.id, _details_of(version)) for person, version in live)
    return found
