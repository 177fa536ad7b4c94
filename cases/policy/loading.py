"""Load the facts `cases.policy` decides on, from the database, as of one moment."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import BindParameter, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session

from cases.accounts.models import Agency, User
from cases.casework.models import (
    Case,
    CaseReopening,
    CaseStatus,
    ClosureRequest,
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
from cases.policy.scopes import referral_basis_holds
from cases.referrals.models import OPEN_STATES, Referral
from cases.retention.models import LegalHold
from core import datakeys
from core.db import utcnow
from core.fields import key_provider


def _current(model: type[TeamAgency] | type[TeamUser], now: datetime | BindParameter[datetime]):  # type: ignore[no-untyped-def]
    return (model.start_at <= now) & or_(model.end_at.is_(None), model.end_at > now)


# The statements every case page sends, built once: SQLAlchemy memoises a statement's cache key
# on the statement object, so a statement built afresh per request pays for that every time.
_CASE_IDS: BindParameter[list[uuid.UUID]] = bindparam("case_ids", expanding=True)
_NOW: BindParameter[datetime] = bindparam("now")
_TEAM_AGENCIES = select(TeamAgency.case_id, TeamAgency.agency_id).where(
    TeamAgency.case_id.in_(_CASE_IDS), _current(TeamAgency, _NOW)
)
_TEAM_USERS = select(TeamUser.case_id, TeamUser.user_id).where(
    TeamUser.case_id.in_(_CASE_IDS), _current(TeamUser, _NOW)
)
_TEAM_USER_ROWS = (
    select(TeamUser.case_id, User)
    .join(User, User.id == TeamUser.user_id)
    .where(TeamUser.case_id.in_(_CASE_IDS), _current(TeamUser, _NOW))
)
_EMERGENCIES = select(EmergencyAccess).where(EmergencyAccess.case_id.in_(_CASE_IDS))
_AGENCIES = select(Agency)
# The case with the single rows the page shows of it, in one statement: the person and their
# current version, the pending closure request (at most one: a request holds the case row and
# looks for another first), the reopenings (earliest first) and the legal holds not lifted
# (issue 14): each is rare, so the rows barely multiply.
_CASE_ROWS = (
    select(Case, Person, PersonVersion, ClosureRequest, CaseReopening, LegalHold)
    .outerjoin(Person, Person.id == Case.person_id)
    .outerjoin(
        PersonVersion,
        (PersonVersion.person_id == Person.id) & (PersonVersion.version == Person.current_version),
    )
    .outerjoin(
        ClosureRequest, (ClosureRequest.case_id == Case.id) & ClosureRequest.decision.is_(None)
    )
    .outerjoin(CaseReopening, CaseReopening.case_id == Case.id)
    .outerjoin(LegalHold, (LegalHold.case_id == Case.id) & LegalHold.lifted_at.is_(None))
    .where(Case.id == bindparam("case_id"))
    .order_by(CaseReopening.reopened_at)
)
_CONSENTS = select(Consent).where(Consent.case_id == bindparam("case_id"))
_DISCLOSURES = select(Disclosure).where(Disclosure.case_id == bindparam("case_id"))


def _who_sees(person_ids: list[uuid.UUID], now: datetime):  # type: ignore[no-untyped-def]
    """(person, agency, is_team): the current team agencies of the persons' cases and the
    agencies open referrals about them are addressed to, in one statement."""
    teams = (
        select(Case.person_id, TeamAgency.agency_id, literal(True).label("team"))
        .join(Case, Case.id == TeamAgency.case_id)
        .where(Case.person_id.in_(person_ids), _current(TeamAgency, now))
    )
    referred = select(Referral.person_id, Referral.to_agency_id, literal(False)).where(
        Referral.person_id.in_(person_ids),
        Referral.state.in_(OPEN_STATES),
        referral_basis_holds(now),
    )
    return union_all(teams, referred)


def person_facts(session: Session, person: Person, now: datetime | None = None) -> PersonFacts:
    return persons_facts(session, [person], now)[person.id]


def persons_facts(
    session: Session, persons: Sequence[Person], now: datetime | None = None
) -> dict[uuid.UUID, PersonFacts]:
    """The facts of many persons with one statement (a search's hits); `person_facts` is this
    for one person."""
    now = now or utcnow()
    teams: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    referred: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    if persons:
        for person_id, agency_id, team in session.execute(_who_sees([p.id for p in persons], now)):
            (teams if team else referred)[person_id].add(agency_id)
    return {
        p.id: PersonFacts(
            p.id,
            p.registered_by_agency_id,
            frozenset(teams[p.id]),
            frozenset(referred[p.id]),
        )
        for p in persons
    }


def consent_facts(consent: Consent, *, person_known: bool = True) -> ConsentFacts:
    """`person_known` False (an erased person): the recorded birth date cannot be read either."""
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
        born_when_given=consent.birth_date_when_given if person_known else None,
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


def case_facts(
    session: Session, case: Case, now: datetime | None = None, rules: CaseRules = DEFAULT_RULES
) -> CaseFacts:
    """The case as the policy sees it now: read afresh on every request, so a withdrawal or an
    expiry takes effect on the next one. Only this case's own consents count."""
    return cases_facts(session, [case], now, rules)[case.id]


def cases_facts(
    session: Session,
    cases: Sequence[Case],
    now: datetime | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> dict[uuid.UUID, CaseFacts]:
    """The facts of many cases with one statement per kind of fact, however many cases (the
    listings and queues); `case_facts` is this for one case."""
    now = now or utcnow()
    ids = [case.id for case in cases]
    if not ids:
        return {}
    kinds = {agency_id: kind for agency_id, kind in session.execute(select(Agency.id, Agency.kind))}
    born, living = _born_and_living(session, {case.person_id for case in cases})
    erased = frozenset(case.person_id for case in cases) - living
    consents = session.scalars(select(Consent).where(Consent.case_id.in_(ids))).all()
    disclosures = session.scalars(select(Disclosure).where(Disclosure.case_id.in_(ids))).all()
    return _facts(session, cases, now, rules, kinds, born, consents, disclosures, erased=erased)


def _facts(
    session: Session,
    cases: Sequence[Case],
    now: datetime,
    rules: CaseRules,
    kinds: dict[uuid.UUID, str],
    born: Mapping[uuid.UUID, date],
    consent_rows: Iterable[Consent],
    disclosure_rows: Iterable[Disclosure],
    team_users: Mapping[uuid.UUID, Iterable[User]] | None = None,
    erased: frozenset[uuid.UUID] = frozenset(),
) -> dict[uuid.UUID, CaseFacts]:
    ids = [case.id for case in cases]
    agencies: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for case_id, agency_id in session.execute(_TEAM_AGENCIES, {"case_ids": ids, "now": now}):
        agencies[case_id].add(agency_id)
    users: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    if team_users is None:
        for case_id, user_id in session.execute(_TEAM_USERS, {"case_ids": ids, "now": now}):
            users[case_id].add(user_id)
    else:
        for case_id, members in team_users.items():
            users[case_id].update(user.id for user in members)
    consents: dict[uuid.UUID, list[ConsentFacts]] = defaultdict(list)
    for consent in consent_rows:
        known = consent.person_id in born
        consents[consent.case_id].append(consent_facts(consent, person_known=known))
    disclosures: dict[uuid.UUID, list[DisclosureFacts]] = defaultdict(list)
    for disclosure in disclosure_rows:
        disclosures[disclosure.case_id].append(disclosure_facts(disclosure))
    emergencies: dict[uuid.UUID, list[EmergencyFacts]] = defaultdict(list)
    for e in session.scalars(_EMERGENCIES, {"case_ids": ids}):
        emergencies[e.case_id].append(EmergencyFacts(e.user_id, e.granted_at, e.expires_at, e.id))
    return {
        case.id: CaseFacts(
            id=case.id,
            lead_agency=case.lead_agency_id,
            member_agencies=frozenset(agencies[case.id]),
            member_users=frozenset(users[case.id]),
            agency_kinds=kinds,
            consents=tuple(consents[case.id]),
            disclosures=tuple(disclosures[case.id]),
            emergencies=tuple(emergencies[case.id]),
            person_id=case.person_id,
            person_birth_date=born.get(case.person_id),
            person_erased=case.person_id in erased,
            closed=case.status == CaseStatus.CLOSED,
            rules=rules,
        )
        for case in cases
    }


@dataclass(frozen=True)
class LoadedCase:
    """One case's facts with the rows they were read from, for the page that shows them, so
    one request reads each row once. It lives as long as the request's session: never cached
    across requests, so a withdrawal or an expiry takes effect on the next one."""

    facts: CaseFacts
    case: Case
    agencies: Mapping[uuid.UUID, Agency]  # every agency of the city, by id
    consents: tuple[Consent, ...]  # the case's own consents, earliest validity first
    disclosures: tuple[Disclosure, ...]  # the case's disclosures, earliest granted first
    person: Person | None
    version: PersonVersion | None  # the person's current version (None once erased)
    team_users: tuple[User, ...]  # the users on the team now (the facts' member_users)
    pending_closure: ClosureRequest | None  # the closure request waiting for a supervisor
    reopenings: tuple[CaseReopening, ...]  # earliest first
    unlifted_holds: tuple[LegalHold, ...] = ()  # in force or ended on their end date


def load_case(
    session: Session, case: Case, now: datetime | None = None, rules: CaseRules = DEFAULT_RULES
) -> LoadedCase:
    """`case_facts` and the rows behind them (agencies, consents, disclosures, the person and
    their current version, the team's users) and the case's pending closure and reopenings,
    with fewer statements than the facts alone."""
    loaded = load_case_by_id(session, case.id, now, rules)
    assert loaded is not None  # noqa: S101 - the case was loaded in this session
    return loaded


def load_case_by_id(
    session: Session,
    case_id: uuid.UUID,
    now: datetime | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> LoadedCase | None:
    """`load_case` of the case with this id (read with its person in the same statement), or
    None when there is no such case."""
    now = now or utcnow()
    rows = session.execute(_CASE_ROWS, {"case_id": case_id}).all()
    if not rows:
        return None
    first = rows[0]
    case = first[0]
    # Outer joins: the person, version and closure may be missing (NULL columns).
    person: Person | None = first[1]
    version: PersonVersion | None = first[2]
    pending_closure: ClosureRequest | None = first[3]
    # One row per reopening (each with the same case, person and closure): kept once each.
    reopenings = tuple({row[4].id: row[4] for row in rows if row[4] is not None}.values())
    agencies = {agency.id: agency for agency in session.scalars(_AGENCIES)}
    erased = person is not None and person.erased_at is not None
    if erased:
        version = None
    born: dict[uuid.UUID, date] = {}
    if version is not None:
        datakeys.preload_data_keys(session, key_provider(session), [version.data_key_owner])
        if version.birth_date is not None:
            born[case.person_id] = version.birth_date
    consents = session.scalars(_CONSENTS, {"case_id": case.id}).all()
    disclosures = session.scalars(_DISCLOSURES, {"case_id": case.id}).all()
    members: dict[uuid.UUID, User] = {}
    for _case_id, user in session.execute(_TEAM_USER_ROWS, {"case_ids": [case.id], "now": now}):
        members.setdefault(user.id, user)
    kinds = {agency_id: agency.kind for agency_id, agency in agencies.items()}
    facts = _facts(
        session,
        [case],
        now,
        rules,
        kinds,
        born,
        consents,
        disclosures,
        team_users={case.id: members.values()},
        erased=frozenset([case.person_id]) if erased else frozenset(),
    )[case.id]
    return LoadedCase(
        facts=facts,
        case=case,
        agencies=agencies,
        # Sorted here, not in SQL: the facts keep the order the statement returned.
        consents=tuple(sorted(consents, key=lambda c: c.valid_from)),
        disclosures=tuple(sorted(disclosures, key=lambda d: d.granted_at)),
        person=person,
        version=version,
        team_users=tuple(members.values()),
        pending_closure=pending_closure,
        reopenings=reopenings,
        unlifted_holds=tuple({r[5].id: r[5] for r in rows if r[5] is not None}.values()),
    )


def birth_dates_of(session: Session, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The current dates of birth of many persons (erased persons have none)."""
    return _born_and_living(session, person_ids)[0]


def _born_and_living(
    session: Session, person_ids: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, date], set[uuid.UUID]]:
    """The current dates of birth of many persons, and which of them are not erased."""
    wanted = list(set(person_ids))
    if not wanted:
        return {}, set()
    versions = list(
        session.scalars(
            select(PersonVersion)
            .join(Person, Person.id == PersonVersion.person_id)
            .where(
                Person.id.in_(wanted),
                Person.erased_at.is_(None),
                PersonVersion.version == Person.current_version,
            )
        )
    )
    datakeys.preload_data_keys(session, key_provider(session), (v.data_key_owner for v in versions))
    born = {v.person_id: v.birth_date for v in versions if v.birth_date is not None}
    return born, {v.person_id for v in versions}


class NoteLike(Protocol):
    """What the policy reads of a note (an ORM row or the case page's plain row)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def author_agency_id(self) -> uuid.UUID: ...
    @property
    def category(self) -> str: ...
    @property
    def sensitivity(self) -> str: ...


def note_facts(case: CaseFacts, note: NoteLike) -> NoteFacts:
    return NoteFacts(
        case=case,
        author_agency=note.author_agency_id,
        category=note.category,
        sensitivity=Sensitivity(note.sensitivity),
        id=note.id,
    )


def person_concerned(session: Session, view_args: Mapping[str, object]) -> uuid.UUID | None:
    """The person named by `person_id`, or whose case `case_id` or referral `referral_id` is,
    when that row exists (so a refusal at the route's gate still names its subject)."""
    person_id = view_args.get("person_id")
    if isinstance(person_id, uuid.UUID):
        return session.scalar(select(Person.id).where(Person.id == person_id))
    case_id = view_args.get("case_id")
    if isinstance(case_id, uuid.UUID):
        return session.scalar(select(Case.person_id).where(Case.id == case_id))
    referral_id = view_args.get("referral_id")
    if isinstance(referral_id, uuid.UUID):
        return session.scalar(select(Referral.person_id).where(Referral.id == referral_id))
    return None
