"""The register: create, edit, view and search young people. Each service asks the policy,
then audits; search and duplicate checks look only at persons the user may see."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.inputs import InputError as InputError
from cases.inputs import name_field
from cases.persons import identity
from cases.persons.details import EARLIEST_BIRTH_DATE as EARLIEST_BIRTH_DATE
from cases.persons.details import Guardian as Guardian
from cases.persons.details import PersonDetails as PersonDetails
from cases.persons.details import check_birth_date, check_details, parsed_code
from cases.persons.models import (
    IDENTITY_CODE_INDEX,
    NAME_BIRTH_INDEX,
    MotherTongue,
    Person,
    PersonIndexEntry,
    PersonVersion,
)
from cases.policy import Decision, Permission, authorize, visible_persons
from cases.policy.loading import person_facts
from cases.records import actor_id, record_about
from core import datakeys
from core.db import utcnow
from core.fields import BlindIndex, key_provider, normalise_name


class PossibleDuplicate(Exception):
    """Persons the user may see already match; the user must confirm to register another."""

    def __init__(self, matches: list[PersonSummary]) -> None:
        super().__init__(f"{len(matches)} possible duplicates")
        self.matches = matches


@dataclass(frozen=True)
class PersonSummary:
    id: uuid.UUID
    given_names: str
    surname: str
    birth_date: date


@dataclass(frozen=True)
class PersonView:
    person: Person
    details: PersonDetails | None  # None once the person's data key is destroyed
    version: int

    @property
    def erased(self) -> bool:
        return self.details is None


@dataclass(frozen=True)
class VersionSummary:
    version: int
    created_at: datetime
    created_by_user_id: uuid.UUID | None
    changed: tuple[str, ...] = field(default_factory=tuple)


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


def authorize_about(
    session: Session, ctx: AuditContext, permission: Permission, person: Person
) -> Decision:
    """Decide on fresh facts about `person`; a refusal (`PolicyDenied`) names the person as its
    subject, so the person's access report (Act 703/2023 §11) lists who was refused."""
    return authorize(ctx.actor, permission, person_facts(session, person))


def _visible_matches(
    session: Session,
    ctx: AuditContext,
    index: BlindIndex,
    value: int,
    matches: Callable[[PersonVersion], bool],
    scope_to_actor: bool = True,
) -> list[Person]:
    query = (
        select(Person, PersonVersion)
        .join(PersonIndexEntry, PersonIndexEntry.person_id == Person.id)
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
    found = []
    # The index is truncated on purpose (see models): decrypt each candidate's compared fields
    # and compare exactly.
    for person, version in session.execute(query).unique():
        if matches(version):
            found.append(person)
    return found


def _record_shown(session: Session, ctx: AuditContext, persons: list[Person], view: str) -> None:
    # A result list shows names and birth dates: each person shown gets a read event of their
    # own, so their access report lists it.
    for person in persons:
        decision = authorize_about(session, ctx, Permission.PERSON_READ, person)
        record_about(
            session,
            ctx,
            Action.PERSON_READ,
            person,
            bases=decision.basis,
            view=view,
        )


def _summaries(session: Session, persons: Iterable[Person]) -> list[PersonSummary]:
    out = []
    for person in persons:
        details = current_details(session, person)
        if details is not None:
            out.append(
                PersonSummary(person.id, details.given_names, details.surname, details.birth_date)
            )
    return sorted(
        out, key=lambda s: (normalise_name(s.surname), normalise_name(s.given_names), s.birth_date)
    )


def _by_code(session: Session, ctx: AuditContext, code: str, scoped: bool = True) -> list[Person]:
    value = IDENTITY_CODE_INDEX.value(key_provider(session), code)
    return _visible_matches(
        session, ctx, IDENTITY_CODE_INDEX, value, lambda v: v.identity_code == code, scoped
    )


def _by_name(session: Session, ctx: AuditContext, surname: str, birth_date: date) -> list[Person]:
    key = _name_birth_key(surname, birth_date)
    value = NAME_BIRTH_INDEX.value(key_provider(session), key)
    return _visible_matches(
        session,
        ctx,
        NAME_BIRTH_INDEX,
        value,
        lambda v: (
            v.birth_date is not None and _name_birth_key(v.surname or "", v.birth_date) == key
        ),
    )


def _duplicates(session: Session, ctx: AuditContext, details: PersonDetails) -> list[Person]:
    found: dict[uuid.UUID, Person] = {}
    if details.identity_code:
        found.update((p.id, p) for p in _by_code(session, ctx, details.identity_code))
    found.update((p.id, p) for p in _by_name(session, ctx, details.surname, details.birth_date))
    return list(found.values())


def register(
    session: Session, ctx: AuditContext, details: PersonDetails, *, confirmed: bool = False
) -> Person:
    """Register a young person for the actor's agency.

    Raises PossibleDuplicate (after auditing the check) when a person the actor may see has the
    same identity code or surname and birth date, unless `confirmed`.
    """
    authorize(ctx.actor, Permission.PERSON_CREATE)
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    details = check_details(details)
    duplicates = _duplicates(session, ctx, details)
    if duplicates and not confirmed:
        record(
            session,
            ctx,
            Action.PERSON_SEARCHED,
            object_type="person",
            purpose="duplicate_check",
            hits=len(duplicates),
        )
        _record_shown(session, ctx, duplicates, "duplicate_warning")
        raise PossibleDuplicate(_summaries(session, duplicates))
    person = Person(
        registered_by_agency_id=ctx.actor.agency_id, registered_by_user_id=actor_id(ctx)
    )
    session.add(person)
    datakeys.create_data_key(session, key_provider(session), person.data_key_owner)
    _write_version(session, person, 1, details, actor_id(ctx))
    _reindex(session, person, details)
    session.flush()
    record_about(
        session,
        ctx,
        Action.PERSON_CREATED,
        person,
        bases=["registering_agency"],
        temporary_identity_code=details.identity_code_temporary,
        has_identity_code=details.identity_code is not None,
        confirmed_duplicates=len(duplicates),
    )
    return person


def find_by_identity_code(session: Session, code: str) -> Person | None:
    """The live person with this code, for the demo seed only (not audited, and blind to
    visibility: never for users)."""
    found = _by_code(session, AuditContext(None), identity.parse(code).code, scoped=False)
    return found[0] if found else None


def get_person(session: Session, person_id: uuid.UUID) -> Person | None:
    return session.get(Person, person_id)


def view(session: Session, ctx: AuditContext, person: Person) -> PersonView:
    """The current details for display; one `person:read` event with the basis used."""
    decision = authorize_about(session, ctx, Permission.PERSON_READ, person)
    details = current_details(session, person)
    record_about(
        session,
        ctx,
        Action.PERSON_READ,
        person,
        bases=decision.basis,
        view="details",
        erased=details is None,
    )
    return PersonView(person, details, person.current_version)


def update(
    session: Session, ctx: AuditContext, person: Person, details: PersonDetails
) -> PersonVersion:
    """Store edited details as a new version; the previous version is kept as it was."""
    decision = authorize_about(session, ctx, Permission.PERSON_UPDATE, person)
    if person.erased_at is not None:
        raise InputError("erased", "given_names")
    details = check_details(details)
    previous = current_details(session, person)
    changed = _changed_fields(previous, details)
    if not changed:
        raise InputError("unchanged", "given_names")
    version = _write_version(session, person, person.current_version + 1, details, actor_id(ctx))
    _reindex(session, person, details)
    session.flush()
    record_about(
        session,
        ctx,
        Action.PERSON_UPDATED,
        person,
        bases=decision.basis,
        version=version.version,
        fields=list(changed),
    )
    return version


def _changed_fields(before: PersonDetails | None, after: PersonDetails) -> tuple[str, ...]:
    if before is None:
        return tuple(f.name for f in fields(PersonDetails))
    return tuple(
        f.name for f in fields(PersonDetails) if getattr(before, f.name) != getattr(after, f.name)
    )


def history(session: Session, ctx: AuditContext, person: Person) -> list[VersionSummary]:
    """Every version with the names of the fields it changed (newest first)."""
    decision = authorize_about(session, ctx, Permission.PERSON_READ, person)
    versions = list(
        session.scalars(
            select(PersonVersion)
            .where(PersonVersion.person_id == person.id)
            .order_by(PersonVersion.version)
        )
    )
    summaries = []
    previous: PersonDetails | None = None
    for version in versions:
        details = _details_of(version) if person.erased_at is None else None
        changed = _changed_fields(previous, details) if details is not None else ()
        summaries.append(
            VersionSummary(version.version, version.created_at, version.created_by_user_id, changed)
        )
        previous = details
    record_about(
        session,
        ctx,
        Action.PERSON_READ,
        person,
        bases=decision.basis,
        view="history",
        versions=len(versions),
    )
    return list(reversed(summaries))


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


def shred(session: Session, ctx: AuditContext, person: Person, reason: str) -> bool:
    """Crypto-shred a person: destroy their data key and blind-index entries.

    The rows stay (ids, dates, the registering agency) so that cases and the audit log keep
    their references; every encrypted field becomes unreadable. Returns False if already done.
    `reason` is a policy token (e.g. a retention class), never free text.
    """
    authorize(ctx.actor, Permission.PERSON_SHRED, person)
    destroyed = datakeys.shred(session, person.data_key_owner)
    already = person.erased_at is not None
    _reindex(session, person, None)
    if not already:
        person.erased_at = utcnow()
    session.flush()
    record_about(
        session,
        ctx,
        Action.PERSON_SHREDDED,
        person,
        reason=reason,
        key_destroyed=destroyed,
    )
    return not already or destroyed
