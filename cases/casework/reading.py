"""Reading a case: the case page's notes the reader may read, one audit event for the subject."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency, User
from cases.casework.consents import ConsentState, consent_states
from cases.casework.models import (
    Case,
    CaseReopening,
    ClosureRequest,
    Disclosure,
)
from cases.casework.notes import NoteRow, current_notes
from cases.meetings.queries import CaseMeetingItems, case_meeting_items
from cases.persons.queries import Erasure, PersonDetails, details_of
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
from cases.policy.holds import HOLD_PERMISSIONS, HoldFacts
from cases.policy.loading import (
    LoadedCase,
    disclosure_facts,
    load_case,
    note_facts,
)
from cases.policy.sharing import disclosure_active, disclosure_fits
from cases.records import record_about
from cases.retention.models import LegalHold
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
    Permission.HOLD_SET,
    Permission.HOLD_LIFT,
)


# --- cases and teams ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReadableNote:
    note: NoteRow
    body: str
    decision: Decision


@dataclass(frozen=True)
class CaseView:
    case: Case
    facts: CaseFacts
    person: PersonDetails | None
    erasure: Erasure | None  # when and under which rule the young person was erased
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
    agencies: Mapping[uuid.UUID, Agency]  # every agency of the city, by id (names on the page)
    # Meeting decisions and action items on this case the reader may read (issue 12).
    meeting_items: CaseMeetingItems
    # The legal hold in force (issue 14), shown only to whoever may set or lift one: its dates,
    # never its reason.
    hold: LegalHold | None = None


def _allowed_actions(ctx: AuditContext, loaded: LoadedCase, now: datetime) -> frozenset[str]:
    facts = loaded.facts
    agency = ctx.actor.agency_id if ctx.actor is not None else None
    allowed = set()
    for permission in CASE_ACTIONS:
        # A disclosure is asked about as one of the actor's own agency's notes.
        resource: object = facts
        if permission == Permission.DISCLOSURE_CREATE and agency is not None:
            resource = DisclosureRequest(facts, agency)
        if permission in HOLD_PERMISSIONS:
            resource = HoldFacts(loaded.facts)
        if decide(ctx.actor, permission, resource, now):
            allowed.add(str(permission))
    return frozenset(allowed)


def view_case(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    rules: CaseRules = DEFAULT_RULES,
    loaded: LoadedCase | None = None,
) -> CaseView:
    """The case with the notes the actor may read; one audit event for the subject.

    `loaded` is this request's `load_case` of the case when the caller has loaded it already
    (facts are loaded once per request); otherwise it is loaded here.
    """
    now = utcnow()
    if loaded is None or loaded.facts.id != case.id:
        loaded = load_case(session, case, now, rules)
    facts = loaded.facts
    decision = authorize(ctx.actor, Permission.CASE_READ, facts, now)
    readable, hidden = [], 0
    bases = set(decision.basis)
    # A note's decision depends on its author agency, category and sensitivity alone (and on
    # this request's facts): decided once per combination, never kept past this request.
    verdicts: dict[tuple[uuid.UUID, str, str], Decision] = {}
    # Nothing of an erased young person decrypts any more: their notes and meeting items are
    # not read at all, and the page shows when and under which rule they were erased.
    erased = loaded.person is not None and loaded.person.erased_at is not None
    for note in () if erased else current_notes(session, case):
        key = (note.author_agency_id, note.category, note.sensitivity)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = decide(ctx.actor, Permission.NOTE_READ, note_facts(facts, note), now)
            verdicts[key] = verdict
        if verdict.allowed:
            readable.append(ReadableNote(note, note.body(session) or "", verdict))
            bases.update(verdict.basis)
        else:
            hidden += 1
    meeting_items = (
        CaseMeetingItems([], [], 0, frozenset())
        if erased
        else case_meeting_items(session, ctx.actor, facts, now)
    )
    bases.update(meeting_items.bases)
    reader_agency = ctx.actor.agency_id if ctx.actor is not None else None
    may = _allowed_actions(ctx, loaded, now)
    today = now.astimezone(ZoneInfo(rules.timezone)).date()
    hold = next((h for h in loaded.unlifted_holds if h.active_on(today)), None)
    police = reader_agency is not None and facts.agency_kinds.get(reader_agency) == "police"
    view = CaseView(
        case=case,
        facts=facts,
        person=details_of(loaded.person, loaded.version) if loaded.person is not None else None,
        erasure=loaded.person.erasure if loaded.person is not None else None,
        notes=readable,
        hidden=hidden,
        consents=consent_states(loaded.consents, now, facts),
        disclosures=[
            (d, disclosure_active(df, now, rules) and disclosure_fits(df, facts))
            for d in loaded.disclosures
            for df in (disclosure_facts(d),)
        ],
        team_agencies=[
            agency for agency in loaded.agencies.values() if agency.id in facts.member_agencies
        ],
        team_users=list(loaded.team_users),
        pending_closure=loaded.pending_closure,
        shared_with_police=police
        and any(r.note.author_agency_id != reader_agency for r in readable),
        may=may,
        hold=hold if may & {str(Permission.HOLD_SET), str(Permission.HOLD_LIFT)} else None,
        reopenings=list(loaded.reopenings),
        agencies=loaded.agencies,
        meeting_items=meeting_items,
    )
    record_about(
        session,
        ctx,
        Action.CASE_READ,
        case,
        sorted(bases),
        notes_shown=len(readable),
        notes_hidden=hidden,
        meeting_items_shown=len(meeting_items.decisions) + len(meeting_items.tasks),
        meeting_items_hidden=meeting_items.hidden,
        emergency=any(r.decision.reason == "emergency" for r in readable),
    )
    return view
