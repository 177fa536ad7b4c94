"""Reading a case: the case page's notes the reader may read, one audit event for the subject."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency, User
from cases.casework.consents import (
    ConsentState,
    case_consents,
)
from cases.casework.models import (
    Case,
    CaseNote,
    CaseReopening,
    ClosureRequest,
    Disclosure,
)
from cases.casework.notes import _current_notes
from cases.persons.models import Person
from cases.persons.queries import PersonDetails, current_details
from cases.policy import (
    Decision,
    Permission,
    authorize,
    decide,
)
from cases.policy.facts import (
    DEFAULT_RULES,
    CaseFacts,
    CaseRules,
    DisclosureRequest,
)
from cases.policy.loading import case_facts, disclosure_facts, note_facts
from cases.policy.sharing import disclosure_active, disclosure_fits
from cases.records import record_about
from core.db import utcnow

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

    @property
    def named_agencies(self) -> set[uuid.UUID]:
        """The agencies the page names: the lead, the notes' authors, the disclosures' ends."""
        named = {self.case.lead_agency_id, *(n.note.author_agency_id for n in self.notes)}
        for disclosure, _active in self.disclosures:
            named |= {disclosure.from_agency_id, disclosure.to_agency_id}
        return named


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


def view_case(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    rules: CaseRules = DEFAULT_RULES,
    facts: CaseFacts | None = None,
) -> CaseView:
    """The case with the notes the actor may read; one audit event for the subject.

    `facts` are this request's facts of the case when the caller has loaded them already
    (facts are loaded once per request); otherwise they are loaded here.
    """
    now = utcnow()
    if facts is None or facts.id != case.id:
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
