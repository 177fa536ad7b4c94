"""Load the facts `cases.policy` decides on, from the database, as of one moment."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cases.accounts.models import Agency
from cases.casework.models import (
    Case,
    CaseNote,
    CaseStatus,
    Consent,
    Disclosure,
    EmergencyAccess,
    TeamAgency,
    TeamUser,
)
from cases.persons.models import Person, PersonVersion
from cases.policy.facts import (
    DEFAULT_RULES,
    CaseFacts,
    CaseRules,
    ConsentFacts,
    DisclosureFacts,
    EmergencyFacts,
    GivenBy,
    LegalBasis,
    NoteFacts,
    PersonFacts,
    Sensitivity,
)
from core.db import utcnow


def _current(model: type[TeamAgency] | type[TeamUser], now: datetime):  # type: ignore[no-untyped-def]
    return (model.start_at <= now) & or_(model.end_at.is_(None), model.end_at > now)


def person_facts(session: Session, person: Person, now: datetime | None = None) -> PersonFacts:
    now = now or utcnow()
    teams = session.scalars(
        select(TeamAgency.agency_id)
        .join(Case, Case.id == TeamAgency.case_id)
        .where(Case.person_id == person.id, _current(TeamAgency, now))
    )
    return PersonFacts(person.id, person.registered_by_agency_id, frozenset(teams))


def consent_facts(consent: Consent) -> ConsentFacts:
    return ConsentFacts(
        given_by=GivenBy(consent.given_by),
        age_when_given=consent.age_when_given,
        recipients=frozenset(uuid.UUID(a) for a in consent.recipients),
        categories=frozenset(consent.categories),
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        given_on=consent.given_on,
        withdrawn_at=consent.withdrawn_at,
        id=consent.id,
    )


def disclosure_facts(disclosure: Disclosure) -> DisclosureFacts:
    return DisclosureFacts(
        from_agency=disclosure.from_agency_id,
        to_agency=disclosure.to_agency_id,
        categories=frozenset(disclosure.categories),
        basis=LegalBasis(disclosure.basis),
        granted_at=disclosure.granted_at,
        expires_at=disclosure.expires_at,
        id=disclosure.id,
    )


def birth_date_of(session: Session, person_id: uuid.UUID) -> date | None:
    """The young person's current date of birth (None once erased)."""
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        return None
    version = session.scalar(
        select(PersonVersion).where(
            PersonVersion.person_id == person.id, PersonVersion.version == person.current_version
        )
    )
    return version.birth_date if version is not None else None


def case_facts(
    session: Session, case: Case, now: datetime | None = None, rules: CaseRules = DEFAULT_RULES
) -> CaseFacts:
    """The case as the policy sees it now: read afresh on every request, so a withdrawal or an
    expiry takes effect on the next one. Only this case's own consents count."""
    now = now or utcnow()
    agencies = frozenset(
        session.scalars(
            select(TeamAgency.agency_id).where(
                TeamAgency.case_id == case.id, _current(TeamAgency, now)
            )
        )
    )
    users = frozenset(
        session.scalars(
            select(TeamUser.user_id).where(TeamUser.case_id == case.id, _current(TeamUser, now))
        )
    )
    kinds = {agency_id: kind for agency_id, kind in session.execute(select(Agency.id, Agency.kind))}
    consents = session.scalars(select(Consent).where(Consent.case_id == case.id))
    disclosures = session.scalars(select(Disclosure).where(Disclosure.case_id == case.id))
    emergencies = session.scalars(select(EmergencyAccess).where(EmergencyAccess.case_id == case.id))
    return CaseFacts(
        id=case.id,
        lead_agency=case.lead_agency_id,
        member_agencies=agencies,
        member_users=users,
        agency_kinds=kinds,
        consents=tuple(consent_facts(c) for c in consents),
        disclosures=tuple(disclosure_facts(d) for d in disclosures),
        emergencies=tuple(
            EmergencyFacts(e.user_id, e.granted_at, e.expires_at, e.id) for e in emergencies
        ),
        person_id=case.person_id,
        person_birth_date=birth_date_of(session, case.person_id),
        closed=case.status == CaseStatus.CLOSED,
        rules=rules,
    )


def note_facts(case: CaseFacts, note: CaseNote) -> NoteFacts:
    return NoteFacts(
        case=case,
        author_agency=note.author_agency_id,
        category=note.category,
        sensitivity=Sensitivity(note.sensitivity),
        id=note.id,
    )


def person_concerned(session: Session, view_args: Mapping[str, object]) -> uuid.UUID | None:
    """The person named by `person_id`, or whose case `case_id` is, when that row exists."""
    person_id = view_args.get("person_id")
    if isinstance(person_id, uuid.UUID):
        return session.scalar(select(Person.id).where(Person.id == person_id))
    case_id = view_args.get("case_id")
    if isinstance(case_id, uuid.UUID):
        return session.scalar(select(Case.person_id).where(Case.id == case_id))
    return None
