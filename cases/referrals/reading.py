"""Reading referrals: one referral with its history and attached notes, the agency inbox, the
sent list and the supervisors' overview. Each read is audited in the caller's transaction;
listings cost the same statements however many referrals the database holds."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.casework.models import Case, CaseNote
from cases.persons.queries import PersonDetails, current_details_of
from cases.policy import Decision, Permission, authorize, decide
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import case_facts, cases_facts, note_facts
from cases.policy.referrals import attached_note_decision, referral_facts
from cases.records import record_about
from cases.referrals.loading import case_of
from cases.referrals.models import (
    AWAITING_RESPONSE,
    OPEN_STATES,
    Referral,
    ReferralEvent,
    ReferralState,
)
from core.db import utcnow

LISTING_LIMIT = 100
# The transitions a referral page offers, each shown only when the policy allows it.
REFERRAL_ACTIONS = (
    Permission.REFERRAL_ACKNOWLEDGE,
    Permission.REFERRAL_ACCEPT,
    Permission.REFERRAL_DECLINE,
    Permission.REFERRAL_COMPLETE,
    Permission.REFERRAL_WITHDRAW,
    Permission.REFERRAL_REOPEN,
    Permission.REFERRAL_ASSESSMENT_RECORD,
)


def overdue(referral: Referral, now: datetime) -> bool:
    """Past a clock that is still running: acknowledgement, answer, or the needs assessment."""
    if referral.state == ReferralState.SENT and now > referral.acknowledge_due_at:
        return True
    if referral.state in AWAITING_RESPONSE and now > referral.response_due_at:
        return True
    if referral.state in (ReferralState.WITHDRAWN, ReferralState.DECLINED):
        return False
    start_due, done_due = referral.assessment_start_due_at, referral.assessment_complete_due_at
    if start_due is not None and referral.assessment_started_on is None and now > start_due:
        return True
    return done_due is not None and referral.assessment_completed_on is None and now > done_due


@dataclass(frozen=True)
class HistoryEntry:
    event: ReferralEvent
    text: str | None


@dataclass(frozen=True)
class ReferralView:
    """A referral as its reader may see it: `content` False is the other team agencies' view
    (that it exists, its agencies and its state), with no person, reason, notes or texts."""

    referral: Referral
    content: bool
    person: PersonDetails | None
    reason: str | None
    history: list[HistoryEntry]
    notes: list[tuple[CaseNote, str]]
    hidden_notes: int
    overdue: bool
    may: frozenset[str]
    # Why the reader sees the state only (None when `content`): the policy's reason.
    status_only_reason: str | None = None
    # Which of the reader's agency's lists holds the referral: "inbox" (the receiving agency),
    # "sent" (the sending one) or None (another team agency, which sees its state only).
    listed_in: str | None = None


def _listed_in(ctx: AuditContext, referral: Referral) -> str | None:
    agency = ctx.actor.agency_id if ctx.actor is not None else None
    if agency == referral.to_agency_id:
        return "inbox"
    return "sent" if agency == referral.from_agency_id else None


def view_referral(
    session: Session, ctx: AuditContext, referral: Referral, *, rules: CaseRules = DEFAULT_RULES
) -> ReferralView:
    """The referral with what the policy lets the actor see; one audit event for the subject."""
    now = utcnow()
    case = case_of(session, referral)
    facts = case_facts(session, case, now, rules)
    current = referral_facts(referral, facts)
    full = decide(ctx.actor, Permission.REFERRAL_READ, current, now)
    decision = full if full else authorize(ctx.actor, Permission.REFERRAL_STATUS_READ, current, now)
    history = list(
        session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id)
            .order_by(ReferralEvent.at, ReferralEvent.kind)
        )
    )
    notes: list[tuple[CaseNote, str]] = []
    hidden, bases = 0, set(decision.basis)
    person = None
    # Nothing of an erased young person decrypts any more: no reason, texts or notes to show.
    texts = False
    if full:
        person = current_details_of(session, [referral.person_id]).get(referral.person_id)
        texts = person is not None
    if texts:
        ids = [uuid.UUID(i) for i in referral.attached_note_ids]
        assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
        attached = list(session.scalars(select(CaseNote).where(CaseNote.id.in_(ids))))
        for note in attached:
            verdict = attached_note_decision(ctx.actor, current, note_facts(facts, note), now)
            if verdict:
                notes.append((note, note.body or ""))
                bases.update(verdict.basis)
            else:
                hidden += 1
    view = ReferralView(
        referral=referral,
        content=bool(full),
        person=person,
        reason=referral.reason if texts else None,
        history=[HistoryEntry(e, e.text if texts else None) for e in history],
        notes=notes,
        hidden_notes=hidden,
        overdue=overdue(referral, now),
        may=frozenset(str(p) for p in REFERRAL_ACTIONS if decide(ctx.actor, p, current, now)),
        status_only_reason=None if full else str(full.reason),
        listed_in=_listed_in(ctx, referral),
    )
    record_about(
        session,
        ctx,
        Action.REFERRAL_READ,
        case,
        sorted(bases),
        object_type="referral",
        object_id=referral.id,
        content=bool(full),
        notes_shown=len(notes),
        notes_hidden=hidden,
    )
    return view


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    person: PersonDetails | None
    overdue: bool


def listing_rows(
    session: Session,
    ctx: AuditContext,
    referrals: list[Referral],
    now: datetime,
    rules: CaseRules,
    listing: str,
) -> list[ReferralRow]:
    """The rows the actor may read (one decision each), with names and identity codes, and one
    audit event per referral shown, inserted together."""
    cases = list(session.scalars(select(Case).where(Case.id.in_({r.case_id for r in referrals}))))
    facts = cases_facts(session, cases, now, rules) if cases else {}
    shown: list[tuple[Referral, Decision]] = []
    for referral in referrals:
        decision = decide(
            ctx.actor,
            Permission.REFERRAL_READ,
            referral_facts(referral, facts[referral.case_id]),
            now,
        )
        if decision:
            shown.append((referral, decision))
    people = current_details_of(session, {r.person_id for r, _d in shown})
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.REFERRAL_LISTED,
                object_type="referral",
                object_id=r.id,
                subject=r.person_id,
                bases=d.basis,
                listing=listing,
            )
            for r, d in shown
        ],
    )
    return [ReferralRow(r, people.get(r.person_id), overdue(r, now)) for r, _d in shown]


def overdue_first(now: datetime) -> Any:
    """An ORDER BY term: 0 for a referral past a running clock (as `overdue`), 1 otherwise."""
    running = Referral.state.not_in([ReferralState.WITHDRAWN, ReferralState.DECLINED])
    return sql_case(
        (and_(Referral.state == ReferralState.SENT, Referral.acknowledge_due_at < now), 0),
        (and_(Referral.state.in_(AWAITING_RESPONSE), Referral.response_due_at < now), 0),
        (
            and_(
                running,
                Referral.assessment_started_on.is_(None),
                Referral.assessment_start_due_at < now,
            ),
            0,
        ),
        (
            and_(
                running,
                Referral.assessment_completed_on.is_(None),
                Referral.assessment_complete_due_at < now,
            ),
            0,
        ),
        else_=1,
    )


def inbox_query(agency: uuid.UUID | None, now: datetime) -> Select[Referral]:
    """The open referrals to `agency`: overdue first, then new, then acknowledged, then by the
    response clock (a stable order, so pages do not overlap)."""
    new_first = sql_case(
        (Referral.state == ReferralState.SENT, 0),
        (Referral.state == ReferralState.ACKNOWLEDGED, 1),
        else_=2,
    )
    return (
        select(Referral)
        .where(Referral.to_agency_id == agency, Referral.state.in_(OPEN_STATES))
        .order_by(overdue_first(now), new_first, Referral.response_due_at, Referral.id)
    )


def sent_query(user: uuid.UUID | None) -> Select[Referral]:
    """The referrals `user` sent, newest first, whatever their state."""
    return (
        select(Referral)
        .where(Referral.from_user_id == user)
        .order_by(Referral.sent_at.desc(), Referral.id)
    )


@dataclass(frozen=True)
class Overview:
    """A supervisor's agency's referrals in and out: counts by state, open and overdue ones
    (no personal data: states, agencies, clocks)."""

    incoming: dict[str, int]
    outgoing: dict[str, int]
    open_in: list[Referral]
    open_out: list[Referral]
    overdue_in: int
    overdue_out: int


def overview(session: Session, ctx: AuditContext) -> Overview:
    """Counts by state and the open referrals of the supervisor's agency, in and out."""
    now = utcnow()
    authorize(ctx.actor, Permission.REFERRAL_OVERVIEW, None, now)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    agency = ctx.actor.agency_id
    counts: dict[str, Counter[str]] = {"in": Counter(), "out": Counter()}
    for to_agency, state, number in session.execute(
        select(Referral.to_agency_id, Referral.state, func.count())
        .where(or_(Referral.to_agency_id == agency, Referral.from_agency_id == agency))
        .group_by(Referral.to_agency_id, Referral.state)
    ):
        counts["in" if to_agency == agency else "out"][state] += number
    open_rows = list(
        session.scalars(
            select(Referral)
            .where(
                or_(Referral.to_agency_id == agency, Referral.from_agency_id == agency),
                Referral.state.in_(OPEN_STATES),
            )
            .order_by(Referral.response_due_at)
            .limit(LISTING_LIMIT)
        )
    )
    open_in = [r for r in open_rows if r.to_agency_id == agency]
    open_out = [r for r in open_rows if r.to_agency_id != agency]
    result = Overview(
        incoming=dict(counts["in"]),
        outgoing=dict(counts["out"]),
        open_in=open_in,
        open_out=open_out,
        overdue_in=sum(overdue(r, now) for r in open_in),
        overdue_out=sum(overdue(r, now) for r in open_out),
    )
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.REFERRAL_LISTED,
                object_type="agency",
                object_id=agency,
                listing="overview",
                open_in=len(open_in),
                open_out=len(open_out),
            )
        ],
    )
    return result
