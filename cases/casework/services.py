"""Case work: open a case, its team, notes, the case page and "my cases".

Consents, disclosures (with emergency access) and closure live in their own modules; this one
names them all for callers. Each service loads the case's facts afresh (a withdrawal counts
from the next request), asks the policy, then audits in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency, User
from cases.casework.closure import (
    closure_queue,
    decide_closure,
    emergency_reviews,
    reopen_case,
    request_closure,
)
from cases.casework.consents import (
    ConsentInput,
    ConsentState,
    case_consents,
    consent_state,
    expiring_consents,
    record_consent,
    withdraw_consent,
)
from cases.casework.disclosures import (
    EMERGENCY_HOURS,
    create_disclosure,
    disclosure_bases,
    disclosure_recipients,
    request_emergency_access,
    review_emergency_access,
)
from cases.casework.models import (
    Case,
    CaseNote,
    CaseReopening,
    CaseStatus,
    ClosureRequest,
    ConcernCode,
    Disclosure,
    TeamAgency,
    TeamUser,
)
from cases.inputs import InputError, long_field
from cases.persons.models import Person
from cases.persons.services import PersonDetails, current_details
from cases.policy import (
    Decision,
    Permission,
    authorize,
    cases_worth_checking,
    decide,
)
from cases.policy.facts import (
    DEFAULT_RULES,
    CaseFacts,
    CaseRules,
    Category,
    DisclosureRequest,
    Sensitivity,
)
from cases.policy.loading import case_facts, disclosure_facts, note_facts, person_facts
from cases.policy.sharing import consent_effective, disclosure_active, disclosure_fits
from cases.records import actor_id, record_about
from cases.text import MAX_NOTE
from core.db import utcnow

__all__ = [
    "EMERGENCY_HOURS",
    "CaseListing",
    "CaseView",
    "ConsentInput",
    "ConsentState",
    "InputError",
    "ReadableNote",
    "add_team_agency",
    "add_team_user",
    "closure_queue",
    "consent_state",
    "create_disclosure",
    "decide_closure",
    "disclosure_bases",
    "disclosure_recipients",
    "emergency_reviews",
    "expiring_consents",
    "get_case",
    "list_closed_cases",
    "list_my_cases",
    "my_cases",
    "open_case",
    "record_consent",
    "reopen_case",
    "request_closure",
    "request_emergency_access",
    "review_emergency_access",
    "view_case",
    "withdraw_consent",
    "write_note",
]

# What the case page offers, each shown only when the policy allows it.
CASE_ACTIONS = (
    Permission.NOTE_WRITE,
    Permission.CONSENT_RECORD,
    Permission.DISCLOSURE_CREATE,
    Permission.TEAM_ADD,
    Permission.EMERGENCY_REQUEST,
    Permission.CLOSURE_REQUEST,
    Permission.CASE_REOPEN,
)


# --- cases and teams ---------------------------------------------------------------------


def open_case(
    session: Session,
    ctx: AuditContext,
    person: Person,
    concern_codes: Iterable[str],
    opened_at: datetime | None = None,
) -> Case:
    """Open a case led by the actor's agency, with the actor on its team.

    `opened_at` is for recording a case opened earlier on paper (and for the demo scenario).
    """
    decision = authorize(ctx.actor, Permission.CASE_OPEN, person_facts(session, person))
    assert ctx.actor is not None and ctx.actor.agency_id is not None and ctx.actor.id  # noqa: S101
    codes = sorted(set(concern_codes))
    if not codes:
        raise InputError("required", "concern_codes")
    if any(code not in ConcernCode.__members__.values() for code in codes):
        raise InputError("invalid_choice", "concern_codes")
    if person.erased_at is not None:
        raise InputError("erased", "concern_codes")
    case = Case(
        person_id=person.id,
        lead_agency_id=ctx.actor.agency_id,
        concern_codes=codes,
        opened_by_user_id=ctx.actor.id,
        opened_at=opened_at or utcnow(),
    )
    session.add(case)
    session.flush()
    session.add(
        TeamAgency(
            case_id=case.id,
            agency_id=ctx.actor.agency_id,
            added_by_user_id=ctx.actor.id,
            basis="lead",
            start_at=case.opened_at,
        )
    )
    session.add(TeamUser(case_id=case.id, user_id=ctx.actor.id, start_at=case.opened_at))
    session.flush()
    record_about(session, ctx, Action.CASE_OPENED, case, decision.basis, concerns=codes)
    return case


def get_case(session: Session, case_id: uuid.UUID) -> Case | None:
    return session.get(Case, case_id)


def _team_basis(facts: CaseFacts, agency_id: uuid.UUID, now: datetime) -> str | None:
    """What lets an agency join now: an effective consent of this case naming it, or a
    disclosure to it whose basis fits both agencies."""
    for consent in facts.consents:
        if consent_effective(consent, facts, now) and agency_id in consent.recipients:
            return f"consent:{consent.id}"
    for disclosure in facts.disclosures:
        if (
            disclosure_active(disclosure, now, facts.rules)
            and disclosure.to_agency == agency_id
            and disclosure_fits(disclosure, facts)
        ):
            return f"disclosure:{disclosure.id}"
    return None


def add_team_agency(
    session: Session,
    ctx: AuditContext,
    case: Case,
    agency: Agency,
    at: datetime | None = None,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> TeamAgency:
    """Add a member agency; needs a consent or disclosure covering it at that moment."""
    now = at or utcnow()
    facts = case_facts(session, case, now, rules)
    decision = authorize(ctx.actor, Permission.TEAM_ADD, facts, now)
    if agency.id in facts.member_agencies:
        raise InputError("already_member", "agency")
    basis = _team_basis(facts, agency.id, now)
    if basis is None:
        record_about(
            session,
            ctx,
            Action.CASE_TEAM_CHANGED,
            case,
            outcome_code="no_basis",
            agency=agency.code,
        )
        raise InputError("no_basis_for_agency", "agency")
    member = TeamAgency(
        case_id=case.id,
        agency_id=agency.id,
        added_by_user_id=actor_id(ctx),
        basis=basis,
        start_at=now,
    )
    session.add(member)
    session.flush()
    record_about(
        session,
        ctx,
        Action.CASE_TEAM_CHANGED,
        case,
        [*decision.basis, basis],
        added_agency=agency.code,
    )
    return member


def add_team_user(
    session: Session, ctx: AuditContext, case: Case, user: User, at: datetime | None = None
) -> TeamUser:
    """Name a user of a member agency on the team."""
    now = at or utcnow()
    facts = case_facts(session, case, now)
    decision = authorize(ctx.actor, Permission.TEAM_ADD, facts, now)
    if user.agency_id not in facts.member_agencies:
        raise InputError("agency_not_member", "user")
    if user.id in facts.member_users:
        raise InputError("already_member", "user")
    member = TeamUser(case_id=case.id, user_id=user.id, start_at=now)
    session.add(member)
    session.flush()
    record_about(
        session, ctx, Action.CASE_TEAM_CHANGED, case, decision.basis, added_user=user.username
    )
    return member


# --- notes ---------------------------------------------------------------------------------


def write_note(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    category: str,
    sensitivity: str,
    body: str,
    supersedes: CaseNote | None = None,
) -> CaseNote:
    """Write a note for the actor's agency; a correction supersedes one of its own notes."""
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.NOTE_WRITE, facts)
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    if category not in Category.__members__.values():
        raise InputError("invalid_choice", "category")
    if sensitivity not in Sensitivity.__members__.values():
        raise InputError("invalid_choice", "sensitivity")
    if supersedes is not None and (
        supersedes.case_id != case.id or supersedes.author_agency_id != ctx.actor.agency_id
    ):
        raise InputError("not_correctable", "supersedes")
    note = CaseNote(
        person_id=case.person_id,
        case_id=case.id,
        author_user_id=actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        category=category,
        sensitivity=sensitivity,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    session.add(note)
    note.body = long_field(body, "body", limit=MAX_NOTE)
    session.flush()
    record_about(
        session,
        ctx,
        Action.NOTE_WRITTEN,
        case,
        decision.basis,
        object_type="case_note",
        object_id=note.id,
        category=category,
        sensitivity=sensitivity,
        correction=supersedes is not None,
    )
    return note


@dataclass(frozen=True)
class ReadableNote:
    note: CaseNote
    body: str
    decision: Decision


@dataclass(frozen=True)
class CaseView:
    case: Case
    facts: CaseFacts
    person: PersonDetails | None
    notes: list[ReadableNote]
    hidden: int  # notes by other agencies not shared with the reader: a count, never why
    consents: list[ConsentState]
    disclosures: list[tuple[Disclosure, bool]]  # (disclosure, active now)
    team_agencies: list[Agency]
    team_users: list[User]
    pending_closure: ClosureRequest | None
    shared_with_police: bool  # the reader is police and sees another agency's notes
    may: frozenset[str]  # the case actions (`CASE_ACTIONS`) the policy allows the reader now
    reopenings: list[CaseReopening]


def _allowed_actions(ctx: AuditContext, facts: CaseFacts, now: datetime) -> frozenset[str]:
    agency = ctx.actor.agency_id if ctx.actor is not None else None
    allowed = set()
    for permission in CASE_ACTIONS:
        # A disclosure is asked about as one of the actor's own agency's notes.
        resource: object = facts
        if permission == Permission.DISCLOSURE_CREATE and agency is not None:
            resource = DisclosureRequest(facts, agency)
        if decide(ctx.actor, permission, resource, now):
            allowed.add(str(permission))
    return frozenset(allowed)


def _current_notes(session: Session, case: Case) -> list[CaseNote]:
    notes = list(
        session.scalars(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at)
        )
    )
    superseded = {n.supersedes_id for n in notes if n.supersedes_id is not None}
    return [n for n in notes if n.id not in superseded]


def view_case(
    session: Session, ctx: AuditContext, case: Case, *, rules: CaseRules = DEFAULT_RULES
) -> CaseView:
    """The case with the notes the actor may read; one audit event for the subject."""
    now = utcnow()
    facts = case_facts(session, case, now, rules)
    decision = authorize(ctx.actor, Permission.CASE_READ, facts, now)
    readable, hidden = [], 0
    bases = set(decision.basis)
    for note in _current_notes(session, case):
        verdict = decide(ctx.actor, Permission.NOTE_READ, note_facts(facts, note), now)
        if verdict.allowed:
            readable.append(ReadableNote(note, note.body or "", verdict))
            bases.update(verdict.basis)
        else:
            hidden += 1
    person = session.get(Person, case.person_id)
    disclosures = session.scalars(
        select(Disclosure).where(Disclosure.case_id == case.id).order_by(Disclosure.granted_at)
    )
    reader_agency = ctx.actor.agency_id if ctx.actor is not None else None
    police = reader_agency is not None and facts.agency_kinds.get(reader_agency) == "police"
    view = CaseView(
        case=case,
        facts=facts,
        person=current_details(session, person) if person is not None else None,
        notes=readable,
        hidden=hidden,
        consents=case_consents(session, case, now, facts),
        disclosures=[
            (d, disclosure_active(df, now, rules) and disclosure_fits(df, facts))
            for d in disclosures
            for df in (disclosure_facts(d),)
        ],
        team_agencies=list(
            session.scalars(select(Agency).where(Agency.id.in_(facts.member_agencies)))
        ),
        team_users=list(session.scalars(select(User).where(User.id.in_(facts.member_users)))),
        pending_closure=session.scalar(
            select(ClosureRequest).where(
                ClosureRequest.case_id == case.id, ClosureRequest.decision.is_(None)
            )
        ),
        shared_with_police=police
        and any(r.note.author_agency_id != reader_agency for r in readable),
        may=_allowed_actions(ctx, facts, now),
        reopenings=list(
            session.scalars(
                select(CaseReopening)
                .where(CaseReopening.case_id == case.id)
                .order_by(CaseReopening.reopened_at)
            )
        ),
    )
    record_about(
        session,
        ctx,
        Action.CASE_READ,
        case,
        sorted(bases),
        notes_shown=len(readable),
        notes_hidden=hidden,
        emergency=any(r.decision.reason == "emergency" for r in readable),
    )
    return view


def _my_cases_decided(
    session: Session, ctx: AuditContext, status: CaseStatus = CaseStatus.OPEN
) -> list[tuple[Case, Decision]]:
    if ctx.actor is None:
        return []
    now = utcnow()
    cases = session.scalars(
        select(Case)
        .where(Case.status == status, cases_worth_checking(ctx.actor))
        .order_by(Case.opened_at)
    )
    decided = [
        (c, decide(ctx.actor, Permission.CASE_READ, case_facts(session, c, now))) for c in cases
    ]
    return [(case, decision) for case, decision in decided if decision.allowed]


def my_cases(session: Session, ctx: AuditContext) -> list[Case]:
    """Open cases the actor works on (named, or any case of their agency for a supervisor)."""
    return [case for case, _decision in _my_cases_decided(session, ctx)]


@dataclass(frozen=True)
class CaseListing:
    case: Case
    person: PersonDetails | None


def list_my_cases(
    session: Session, ctx: AuditContext, status: CaseStatus = CaseStatus.OPEN
) -> list[CaseListing]:
    """My cases with the young person's name; each person listed is a `person:read`."""
    listing = []
    for case, decision in _my_cases_decided(session, ctx, status):
        person = session.get(Person, case.person_id)
        details = current_details(session, person) if person is not None else None
        listing.append(CaseListing(case, details))
        record(
            session,
            ctx,
            Action.PERSON_READ,
            object_type="person",
            object_id=case.person_id,
            subject=case.person_id,
            bases=decision.basis,
            view="case_list",
        )
    return listing


def list_closed_cases(session: Session, ctx: AuditContext) -> list[CaseListing]:
    """Closed cases the actor's team still reads (and a lead supervisor may reopen)."""
    return list_my_cases(session, ctx, CaseStatus.CLOSED)
