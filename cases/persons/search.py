"""Blind-index search of the register: only persons the user may see; each hit shown is a read."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.inputs import InputError as InputError
from cases.inputs import name_field
from cases.persons.details import EARLIEST_BIRTH_DATE as EARLIEST_BIRTH_DATE
from cases.persons.details import Guardian as Guardian
from cases.persons.details import PersonDetails as PersonDetails
from cases.persons.details import check_birth_date, parsed_code
from cases.persons.models import (
    IDENTITY_CODE_INDEX,
    NAME_BIRTH_INDEX,
    Person,
    PersonIndexEntry,
    PersonVersion,
)
from cases.persons.versions import current_details_of
from cases.policy import Decision, Permission, authorize, visible_persons
from cases.policy.loading import person_facts, persons_facts
from cases.records import record_about_each
from core import datakeys
from core.db import utcnow
from core.fields import BlindIndex, Encrypted, key_provider, normalise_name


@dataclass(frozen=True)
class PersonSummary:
    id: uuid.UUID
    given_names: str
    surname: str
    birth_date: date


def authorize_about(
    session: Session, ctx: AuditContext, permission: Permission, person: Person
) -> Decision:
    """Decide on fresh facts about `person`; a refusal (`PolicyDenied`) names the person as its
    subject, so the person's access report (Act 703/2023 §11) lists who was refused."""
    return authorize(ctx.actor, permission, person_facts(session, person))


def _name_birth_key(surname: str, birth_date: date) -> str:
    return f"{normalise_name(surname)}|{birth_date.isoformat()}"


def _index_values(session: Session, details: PersonDetails) -> list[tuple[BlindIndex, int]]:
    keys = key_provider(session)
    values = [
        (
            NAME_BIRTH_INDEX,
            NAME_BIRTH_INDEX.value(keys, _name_birth_key(details.surname, details.birth_date)),
        )
    ]
    if details.identity_code:
        values.append((IDENTITY_CODE_INDEX, IDENTITY_CODE_INDEX.value(keys, details.identity_code)))
    return values


def _reindex(session: Session, person: Person, details: PersonDetails | None) -> None:
    # Derived data, rebuilt from the current version: old versions are never searchable.
    session.execute(delete(PersonIndexEntry).where(PersonIndexEntry.person_id == person.id))
    if details is not None:
        for index, value in _index_values(session, details):
            session.add(PersonIndexEntry(person_id=person.id, index_name=index.name, value=value))


def _visible_matches(
    session: Session,
    ctx: AuditContext,
    index: BlindIndex,
    value: int,
    fields: tuple[Encrypted[Any], ...],
    matches: Callable[..., bool],
    scope_to_actor: bool = True,
) -> list[Person]:
    """The visible live persons whose index entry is `value` and whose current `fields`,
    decrypted, satisfy `matches(*values)`."""
    # The index is truncated on purpose (see models): at a million persons a value has about
    # fifteen candidates. Each costs only its row's ciphertexts (Core rows, no ORM objects),
    # its data key unwrapped once with the others' (one statement), and one decryption per
    # field compared; only the persons that match are loaded as objects.
    query = (
        select(Person, PersonVersion.id, *(getattr(PersonVersion, f.attribute) for f in fields))
        .join_from(PersonIndexEntry, Person, PersonIndexEntry.person_id == Person.id)
        .join(
            PersonVersion,
            (PersonVersion.person_id == Person.id)
            & (PersonVersion.version == Person.current_version),
        )
        .where(PersonIndexEntry.index_name == index.name, PersonIndexEntry.value == value)
        .where(Person.erased_at.is_(None))
    )
    if scope_to_actor:
        query = query.where(visible_persons(ctx.actor))
    rows = session.execute(query).all()
    keys = key_provider(session)
    datakeys.preload_data_keys(session, keys, (row[0].data_key_owner for row in rows))
    found = []
    for person, version_id, *blobs in rows:
        values = [
            None
            if blob is None
            else field.decrypt(
                session, PersonVersion.__tablename__, version_id, person.data_key_owner, blob
            )
            for field, blob in zip(fields, blobs, strict=True)
        ]
        if matches(*values):
            found.append(person)
    return found


def _record_shown(session: Session, ctx: AuditContext, persons: list[Person], view: str) -> None:
    # A result list shows names and birth dates: each person shown gets a read event of their
    # own, so their access report lists it; the facts and the events go in one statement each.
    facts = persons_facts(session, persons)
    decided = [
        (person, authorize(ctx.actor, Permission.PERSON_READ, facts[person.id]).basis)
        for person in persons
    ]
    record_about_each(session, ctx, Action.PERSON_READ, decided, view=view)


def _summaries(session: Session, persons: Iterable[Person]) -> list[PersonSummary]:
    details = current_details_of(session, (person.id for person in persons))
    out = [
        PersonSummary(person_id, d.given_names, d.surname, d.birth_date)
        for person_id, d in details.items()
        if d is not None
    ]
    return sorted(
        out, key=lambda s: (normalise_name(s.surname), normalise_name(s.given_names), s.birth_date)
    )


def _by_code(session: Session, ctx: AuditContext, code: str, scoped: bool = True) -> list[Person]:
    value = IDENTITY_CODE_INDEX.value(key_provider(session), code)
    return _visible_matches(
        session,
        ctx,
        IDENTITY_CODE_INDEX,
        value,
        (PersonVersion.identity_code,),
        lambda identity_code: identity_code == code,
        scoped,
    )


def _by_name(session: Session, ctx: AuditContext, surname: str, birth_date: date) -> list[Person]:
    key = _name_birth_key(surname, birth_date)
    value = NAME_BIRTH_INDEX.value(key_provider(session), key)
    return _visible_matches(
        session,
        ctx,
        NAME_BIRTH_INDEX,
        value,
        (PersonVersion.surname, PersonVersion.birth_date),
        lambda found_surname, born: (
            born is not None and _name_birth_key(found_surname or "", born) == key
        ),
    )


def _duplicates(session: Session, ctx: AuditContext, details: PersonDetails) -> list[Person]:
    found: dict[uuid.UUID, Person] = {}
    if details.identity_code:
        found.update((p.id, p) for p in _by_code(session, ctx, details.identity_code))
    found.update((p.id, p) for p in _by_name(session, ctx, details.surname, details.birth_date))
    return list(found.values())


def _searchable_code(text: str) -> str:
    return parsed_code(text).code


def search_by_identity_code(session: Session, ctx: AuditContext, text: str) -> list[PersonSummary]:
    """Visible persons with exactly this identity code; audited with the hit count only."""
    authorize(ctx.actor, Permission.PERSON_SEARCH)
    code = _searchable_code(text)
    return _search_results(session, ctx, _by_code(session, ctx, code), "identity_code")


def search_by_name(
    session: Session, ctx: AuditContext, surname: str, birth_date: date
) -> list[PersonSummary]:
    """Visible persons with this surname (normalised) and birth date; audited with the count."""
    authorize(ctx.actor, Permission.PERSON_SEARCH)
    surname = name_field(surname, "surname", required=True)
    if not normalise_name(surname):
        raise InputError("required", "surname")
    check_birth_date(birth_date, utcnow().date())
    found = _by_name(session, ctx, surname, birth_date)
    return _search_results(session, ctx, found, "surname_birth_date")


def _search_results(
    session: Session, ctx: AuditContext, found: list[Person], by: str
) -> list[PersonSummary]:
    # The search event carries how and how many, never the terms; each hit shown is a read.
    record(session, ctx, Action.PERSON_SEARCHED, object_type="person", by=by, hits=len(found))
    _record_shown(session, ctx, found, "search_result")
    return _summaries(session, found)


def lookup_for_audit(session: Session, ctx: AuditContext, text: str) -> Person | None:
    """An auditor's look-up by identity code for an access report (any agency's person)."""
    authorize(ctx.actor, Permission.AUDIT_PERSON_LOOKUP)
    code = _searchable_code(text)
    found = _by_code(session, ctx, code, scoped=False)
    person = found[0] if found else None
    record(
        session,
        ctx,
        Action.AUDIT_PERSON_LOOKUP,
        object_type="person",
        object_id=person.id if person else None,
        subject=person.id if person else None,
        hits=len(found),
    )
    return person
