"""Case work: open a case, its team, consents, disclosures, emergency access, notes, closure.

Each service loads the case's facts afresh (a withdrawal counts from the next request), asks
the policy, then audits in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from audit.events import Action, AuditContext, record
from cases.access import (
    RELEASES_NO_NOTES,
    CaseFacts,
    Category,
    DisclosureRequest,
    GivenBy,
    LegalBasis,
    Sensitivity,
)
from cases.accounts.models import Agency, User
from cases.casework.facts import (
    case_facts,
    consent_facts,
    disclosure_facts,
    note_facts,
    person_facts,
)
from cases.casework.models import (
    Case,
    CaseNote,
    CaseStatus,
    ClosureRequest,
    ConcernCode,
    Consent,
    Disclosure,
    EmergencyAccess,
    HowRecorded,
    TeamAgency,
    TeamUser,
)
from cases.casework.models import (
    Outcome as CaseOutcome,
)
from cases.persons.models import Person
from cases.persons.services import PersonDetails, current_details
from cases.policy import (
    Decision,
    Permission,
    authorize,
    cases_worth_checking,
    consent_effective,
    decide,
    disclosure_active,
)
from core.db import utcnow

EMERGENCY_HOURS = 4
DEFAULT_CONSENT_MONTHS = 12
MAX_TEXT = 4000
MAX_NOTE = 20000


class CaseInputError(ValueError):
    """Bad input or a refused step, named by a code and a field (never quoting the input)."""

    def __init__(self, code: str, field_name: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field_name


def _actor_id(ctx: AuditContext) -> uuid.UUID | None:
    return ctx.actor.id if ctx.actor is not None else None


def _text(value: str | None, field_name: str, limit: int = MAX_TEXT, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise CaseInputError("required", field_name)
    if len(cleaned) > limit:
        raise CaseInputError("too_long", field_name)
    return cleaned


def _record(
    session: Session,
    ctx: AuditContext,
    action: Action,
    case: Case,
    bases: Iterable[str] = (),
    object_type: str = "case",
    object_id: object = None,
    **details: object,
) -> None:
    record(
        session,
        ctx,
        action,
        object_type=object_type,
        object_id=object_id if object_id is not None else case.id,
        subject=case.person_id,
        bases=bases,
        extra=details,
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
        raise CaseInputError("required", "concern_codes")
    if any(code not in ConcernCode.__members__.values() for code in codes):
        raise CaseInputError("invalid_choice", "concern_codes")
    if person.erased_at is not None:
        raise CaseInputError("erased", "concern_codes")
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
    _record(session, ctx, Action.CASE_OPENED, case, decision.basis, concerns=codes)
    return case


def get_case(session: Session, case_id: uuid.UUID) -> Case | None:
    return session.get(Case, case_id)


def _team_basis(facts: CaseFacts, agency_id: uuid.UUID, now: datetime) -> str | None:
    """What lets an agency join now: an effective consent naming it, or a disclosure to it."""
    for consent in facts.consents:
        if consent_effective(consent, now) and agency_id in consent.recipients:
            return f"consent:{consent.id}"
    for disclosure in facts.disclosures:
        if disclosure_active(disclosure, now) and disclosure.to_agency == agency_id:
            return f"disclosure:{disclosure.id}"
    return None


def add_team_agency(
    session: Session, ctx: AuditContext, case: Case, agency: Agency, at: datetime | None = None
) -> TeamAgency:
    """Add a member agency; needs a consent or disclosure covering it at that moment."""
    now = at or utcnow()
    facts = case_facts(session, case, now)
    decision = authorize(ctx.actor, Permission.TEAM_ADD, facts, now)
    if agency.id in facts.member_agencies:
        raise CaseInputError("already_member", "agency")
    basis = _team_basis(facts, agency.id, now)
    if basis is None:
        _record(
            session,
            ctx,
            Action.CASE_TEAM_CHANGED,
            case,
            outcome_code="no_basis",
            agency=agency.code,
        )
        raise CaseInputError("no_basis_for_agency", "agency")
    member = TeamAgency(
        case_id=case.id,
        agency_id=agency.id,
        added_by_user_id=_actor_id(ctx),
        basis=basis,
        start_at=now,
    )
    session.add(member)
    session.flush()
    _record(
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
        raise CaseInputError("agency_not_member", "user")
    if user.id in facts.member_users:
        raise CaseInputError("already_member", "user")
    member = TeamUser(case_id=case.id, user_id=user.id, start_at=now)
    session.add(member)
    session.flush()
    _record(session, ctx, Action.CASE_TEAM_CHANGED, case, decision.basis, added_user=user.username)
    return member


# --- consent -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentInput:
    given_by: str
    recipients: tuple[uuid.UUID, ...]
    categories: tuple[str, ...]
    purpose: str
    how_recorded: str
    valid_from: date | None = None
    valid_until: date | None = None
    young_person_view: str = ""


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def record_consent(
    session: Session, ctx: AuditContext, case: Case, given: ConsentInput, today: date | None = None
) -> Consent:
    """Record a consent (never edited later: a change is a new consent)."""
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.CONSENT_RECORD, facts)
    if given.given_by not in GivenBy.__members__.values():
        raise CaseInputError("invalid_choice", "given_by")
    if given.how_recorded not in HowRecorded.__members__.values():
        raise CaseInputError("invalid_choice", "how_recorded")
    if not given.categories or any(
        c not in Category.__members__.values() for c in given.categories
    ):
        raise CaseInputError("invalid_choice", "categories")
    if not given.recipients:
        raise CaseInputError("required", "recipients")
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(given.recipients))))
    if known != set(given.recipients):
        raise CaseInputError("invalid_choice", "recipients")
    purpose = _text(given.purpose, "purpose")
    view = _text(given.young_person_view, "young_person_view", required=False)
    valid_from = given.valid_from or (today or utcnow().date())
    valid_until = given.valid_until or _add_months(valid_from, DEFAULT_CONSENT_MONTHS)
    if valid_until < valid_from:
        raise CaseInputError("until_before_from", "valid_until")
    person = session.get(Person, case.person_id)
    details = current_details(session, person) if person is not None else None
    if details is None:
        raise CaseInputError("erased", "given_by")
    consent = Consent(
        person_id=case.person_id,
        case_id=case.id,
        given_by=given.given_by,
        recipients=sorted(str(r) for r in given.recipients),
        categories=sorted(set(given.categories)),
        valid_from=datetime.combine(valid_from, time.min, tzinfo=utcnow().tzinfo),
        valid_until=datetime.combine(valid_until, time.max, tzinfo=utcnow().tzinfo),
        how_recorded=given.how_recorded,
        age_when_given=_age_on(details.birth_date, valid_from),
        recorded_by_user_id=_actor_id(ctx),
    )
    session.add(consent)
    consent.purpose = purpose
    consent.young_person_view = view or None
    session.flush()
    _record(
        session,
        ctx,
        Action.CONSENT_RECORDED,
        case,
        decision.basis,
        object_type="consent",
        object_id=consent.id,
        given_by=given.given_by,
        categories=consent.categories,
        recipients=len(consent.recipients),
        effective=consent_effective(consent_facts(consent), max(consent.valid_from, utcnow())),
    )
    return consent


def _add_months(day: date, months: int) -> date:
    """The last day of a period of `months` starting on `day` (2026-11-18 + 12 → 2027-11-17)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day)) - timedelta(days=1)


def withdraw_consent(
    session: Session,
    ctx: AuditContext,
    case: Case,
    consent: Consent,
    reason: str,
    at: datetime | None = None,
) -> Consent:
    """Withdraw a consent: from the next request it no longer opens anything."""
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.CONSENT_WITHDRAW, facts)
    if consent.person_id != case.person_id:
        raise CaseInputError("not_found", "consent")
    if consent.withdrawn_at is not None:
        raise CaseInputError("already_withdrawn", "consent")
    consent.withdrawal_reason = _text(reason, "reason")
    consent.withdrawn_at = at or utcnow()
    consent.withdrawn_by_user_id = _actor_id(ctx)
    session.flush()
    _record(
        session,
        ctx,
        Action.CONSENT_WITHDRAWN,
        case,
        decision.basis,
        object_type="consent",
        object_id=consent.id,
    )
    return consent


# --- disclosures and emergency access ------------------------------------------------------


def create_disclosure(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    to_agency: Agency,
    categories: Iterable[str],
    basis: str,
    justification: str,
    expires_on: date,
    granted_at: datetime | None = None,
) -> Disclosure:
    """Release the actor's agency's notes to another agency under a named legal basis."""
    now = granted_at or utcnow()
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    facts = case_facts(session, case, now)
    decision = authorize(
        ctx.actor, Permission.DISCLOSURE_CREATE, DisclosureRequest(facts, ctx.actor.agency_id), now
    )
    if basis not in LegalBasis.__members__.values():
        raise CaseInputError("invalid_choice", "basis")
    chosen = sorted(set(categories))
    if basis not in RELEASES_NO_NOTES and (
        not chosen or any(c not in Category.__members__.values() for c in chosen)
    ):
        raise CaseInputError("invalid_choice", "categories")
    if to_agency.id == ctx.actor.agency_id:
        raise CaseInputError("same_agency", "to_agency")
    expires_at = datetime.combine(expires_on, time.max, tzinfo=now.tzinfo)
    if expires_at <= now:
        raise CaseInputError("expiry_in_past", "expires_on")
    disclosure = Disclosure(
        person_id=case.person_id,
        case_id=case.id,
        from_agency_id=ctx.actor.agency_id,
        to_agency_id=to_agency.id,
        categories=[] if basis in RELEASES_NO_NOTES else chosen,
        basis=basis,
        granted_by_user_id=_actor_id(ctx),
        granted_at=now,
        expires_at=expires_at,
    )
    session.add(disclosure)
    disclosure.justification = _text(justification, "justification")
    session.flush()
    _record(
        session,
        ctx,
        Action.DISCLOSURE_CREATED,
        case,
        [*decision.basis, f"legal:{basis}"],
        object_type="disclosure",
        object_id=disclosure.id,
        to_agency=to_agency.code,
        categories=disclosure.categories,
    )
    return disclosure


def request_emergency_access(
    session: Session, ctx: AuditContext, case: Case, justification: str
) -> EmergencyAccess:
    """Four hours of the case's normal notes for a team member; flagged for review and audit.

    The caller (a route) must have re-authenticated the user just before.
    """
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.EMERGENCY_REQUEST, facts)
    assert ctx.actor is not None and ctx.actor.id is not None  # noqa: S101 - policy
    now = utcnow()
    access = EmergencyAccess(
        person_id=case.person_id,
        case_id=case.id,
        user_id=ctx.actor.id,
        granted_at=now,
        expires_at=now + timedelta(hours=EMERGENCY_HOURS),
    )
    session.add(access)
    access.justification = _text(justification, "justification")
    session.flush()
    _record(
        session,
        ctx,
        Action.EMERGENCY_GRANTED,
        case,
        decision.basis,
        object_type="emergency_access",
        object_id=access.id,
        hours=EMERGENCY_HOURS,
    )
    return access


def review_emergency_access(
    session: Session, ctx: AuditContext, access: EmergencyAccess
) -> EmergencyAccess:
    case = session.get(Case, access.case_id)
    assert case is not None  # noqa: S101 - foreign key
    decision = authorize(ctx.actor, Permission.EMERGENCY_REVIEW, case_facts(session, case))
    if access.reviewed_at is not None:
        raise CaseInputError("already_reviewed", "access")
    access.reviewed_at = utcnow()
    access.reviewed_by_user_id = _actor_id(ctx)
    session.flush()
    _record(
        session,
        ctx,
        Action.EMERGENCY_REVIEWED,
        case,
        decision.basis,
        object_type="emergency_access",
        object_id=access.id,
    )
    return access


def _lead_queue(
    session: Session,
    ctx: AuditContext,
    permission: Permission,
    model: type[EmergencyAccess] | type[ClosureRequest],
    pending: ColumnElement[bool],
    order: InstrumentedAttribute[datetime],
) -> list[Any]:
    """Pending items on cases the actor's agency leads that the policy lets the actor decide.

    Each case's facts are loaded once, however many items it has.
    """
    if ctx.actor is None:
        return []
    decided: dict[uuid.UUID, bool] = {}
    queue = []
    rows = session.execute(
        select(model, Case)
        .join(Case, Case.id == model.case_id)
        .where(pending, Case.lead_agency_id == ctx.actor.agency_id)
        .order_by(order)
    )
    for item, case in rows:
        if case.id not in decided:
            decided[case.id] = decide(ctx.actor, permission, case_facts(session, case)).allowed
        if decided[case.id]:
            queue.append(item)
    return queue


def emergency_reviews(session: Session, ctx: AuditContext) -> list[EmergencyAccess]:
    """Unreviewed emergency accesses on cases the actor's agency leads, for its supervisors."""
    return _lead_queue(
        session,
        ctx,
        Permission.EMERGENCY_REVIEW,
        EmergencyAccess,
        EmergencyAccess.reviewed_at.is_(None),
        EmergencyAccess.granted_at,
    )


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
        raise CaseInputError("invalid_choice", "category")
    if sensitivity not in Sensitivity.__members__.values():
        raise CaseInputError("invalid_choice", "sensitivity")
    if supersedes is not None and (
        supersedes.case_id != case.id or supersedes.author_agency_id != ctx.actor.agency_id
    ):
        raise CaseInputError("not_correctable", "supersedes")
    note = CaseNote(
        person_id=case.person_id,
        case_id=case.id,
        author_user_id=_actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        category=category,
        sensitivity=sensitivity,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    session.add(note)
    note.body = _text(body, "body", MAX_NOTE)
    session.flush()
    _record(
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
class ConsentState:
    consent: Consent
    state: str  # effective / withdrawn / expired / not_yet_valid / not_effective_for_age


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


def consent_state(consent: Consent, now: datetime) -> str:
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return "withdrawn"
    if now > consent.valid_until:
        return "expired"
    if now < consent.valid_from:
        return "not_yet_valid"
    return (
        "effective" if consent_effective(consent_facts(consent), now) else "not_effective_for_age"
    )


def _current_notes(session: Session, case: Case) -> list[CaseNote]:
    notes = list(
        session.scalars(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at)
        )
    )
    superseded = {n.supersedes_id for n in notes if n.supersedes_id is not None}
    return [n for n in notes if n.id not in superseded]


def view_case(session: Session, ctx: AuditContext, case: Case) -> CaseView:
    """The case with the notes the actor may read; one audit event for the subject."""
    now = utcnow()
    facts = case_facts(session, case, now)
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
    consents = session.scalars(
        select(Consent).where(Consent.person_id == case.person_id).order_by(Consent.valid_from)
    )
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
        consents=[ConsentState(c, consent_state(c, now)) for c in consents],
        disclosures=[(d, disclosure_active(disclosure_facts(d), now)) for d in disclosures],
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
    )
    _record(
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


def expiring_consents(
    session: Session, ctx: AuditContext, cases: list[Case], days: int = 30
) -> list[tuple[Case, Consent]]:
    """Effective consents on these cases (already authorised) that end within `days`."""
    now = utcnow()
    found = []
    for case in cases:
        for consent in session.scalars(select(Consent).where(Consent.person_id == case.person_id)):
            ends_soon = consent.valid_until <= now + timedelta(days=days)
            if ends_soon and consent_state(consent, now) == "effective":
                found.append((case, consent))
    return found


def closure_queue(session: Session, ctx: AuditContext) -> list[ClosureRequest]:
    """Pending closure requests the actor may decide (a supervisor of the lead agency)."""
    return _lead_queue(
        session,
        ctx,
        Permission.CLOSURE_APPROVE,
        ClosureRequest,
        ClosureRequest.decision.is_(None),
        ClosureRequest.requested_at,
    )


def _my_cases_decided(session: Session, ctx: AuditContext) -> list[tuple[Case, Decision]]:
    if ctx.actor is None:
        return []
    now = utcnow()
    cases = session.scalars(
        select(Case)
        .where(Case.status == CaseStatus.OPEN, cases_worth_checking(ctx.actor))
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


def list_my_cases(session: Session, ctx: AuditContext) -> list[CaseListing]:
    """My cases with the young person's name; each person listed is a `person:read`."""
    listing = []
    for case, decision in _my_cases_decided(session, ctx):
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


# --- closure -------------------------------------------------------------------------------


def request_closure(
    session: Session, ctx: AuditContext, case: Case, outcome: str
) -> ClosureRequest:
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.CLOSURE_REQUEST, facts)
    if case.status != CaseStatus.OPEN:
        raise CaseInputError("case_closed", "outcome")
    if outcome not in CaseOutcome.__members__.values():
        raise CaseInputError("invalid_choice", "outcome")
    pending = session.scalar(
        select(ClosureRequest).where(
            ClosureRequest.case_id == case.id, ClosureRequest.decision.is_(None)
        )
    )
    if pending is not None:
        raise CaseInputError("closure_pending", "outcome")
    request = ClosureRequest(
        person_id=case.person_id,
        case_id=case.id,
        outcome=outcome,
        requested_by_user_id=_actor_id(ctx),
    )
    session.add(request)
    session.flush()
    _record(
        session,
        ctx,
        Action.CLOSURE_REQUESTED,
        case,
        decision.basis,
        object_type="closure",
        object_id=request.id,
        outcome=outcome,
    )
    return request


def decide_closure(
    session: Session, ctx: AuditContext, request: ClosureRequest, approve: bool, comment: str = ""
) -> ClosureRequest:
    """A supervisor of the lead agency approves (the case closes) or returns with a comment."""
    case = session.get(Case, request.case_id)
    assert case is not None  # noqa: S101 - foreign key
    decision = authorize(ctx.actor, Permission.CLOSURE_APPROVE, case_facts(session, case))
    if request.decision is not None:
        raise CaseInputError("already_decided", "decision")
    if not approve and not comment.strip():
        raise CaseInputError("required", "comment")
    now = utcnow()
    request.decision = "approved" if approve else "returned"
    request.decided_by_user_id = _actor_id(ctx)
    request.decided_at = now
    if comment.strip():
        request.comment = _text(comment, "comment")
    if approve:
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        case.outcome = request.outcome
    session.flush()
    _record(
        session,
        ctx,
        Action.CLOSURE_DECIDED,
        case,
        decision.basis,
        object_type="closure",
        object_id=request.id,
        decision=request.decision,
    )
    return request
