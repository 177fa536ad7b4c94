"""The register: create, edit, view and search young people. Each service asks the policy,
then audits; search and duplicate checks look only at persons the user may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action, AuditContext, record
from cases.inputs import InputError as InputError
from cases.persons import identity
from cases.persons.details import EARLIEST_BIRTH_DATE as EARLIEST_BIRTH_DATE
from cases.persons.details import Guardian as Guardian
from cases.persons.details import PersonDetails as PersonDetails
from cases.persons.details import check_details
from cases.persons.erasure import shred as shred
from cases.persons.models import (
    Person,
    PersonVersion,
)
from cases.persons.search import PersonSummary as PersonSummary
from cases.persons.search import _by_code, _duplicates, _record_shown, _reindex, _summaries
from cases.persons.search import authorize_about as authorize_about
from cases.persons.search import lookup_for_audit as lookup_for_audit
from cases.persons.search import search_by_identity_code as search_by_identity_code
from cases.persons.search import search_by_name as search_by_name
from cases.persons.versions import VersionSummary as VersionSummary
from cases.persons.versions import _changed_fields, _details_of, _write_version
from cases.persons.versions import current_details as current_details
from cases.policy import Permission, authorize
from cases.records import actor_id, record_about
from core import datakeys
from core.db import utcnow
from core.fields import key_provider


class PossibleDuplicate(Exception):
    """Persons the user may see already match; the user must confirm to register another."""

    def __init__(self, matches: list[PersonSummary]) -> None:
        super().__init__(f"{len(matches)} possible duplicates")
        self.matches = matches


@dataclass(frozen=True)
class PersonView:
    person: Person
    details: PersonDetails | None  # None once the person's data key is destroyed
    version: int

    @property
    def erased(self) -> bool:
        return self.details is None


def register(
    session: Session,
    ctx: AuditContext,
    details: PersonDetails,
    *,
    confirmed: bool = False,
    registered_at: datetime | None = None,
) -> Person:
    """Register a young person for the actor's agency.

    `registered_at` is for recording a registration made earlier (and the demo scenario); the
    retention clock starts from it.

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
        registered_by_agency_id=ctx.actor.agency_id,
        registered_by_user_id=actor_id(ctx),
        registered_at=registered_at or utcnow(),
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
    # A corrected birth date moves the consent age; auditors look at every such change and
    # see which way it went (later makes the young person younger: a guardian's consent lasts
    # longer, their own counts later).
    flagged: dict[str, Any] = {}
    if "birth_date" in changed:
        flagged = {FLAGGED: True, "birth_date_moved": _direction(previous, details)}
    record_about(
        session,
        ctx,
        Action.PERSON_UPDATED,
        person,
        bases=decision.basis,
        version=version.version,
        fields=list(changed),
        **flagged,
    )
    return version


def _direction(previous: PersonDetails | None, current: PersonDetails) -> str:
    if previous is None:
        return "set"
    return "later" if current.birth_date > previous.birth_date else "earlier"


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
