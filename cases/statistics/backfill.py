"""The one-off back-fill (issue 13): the facts of what happened before facts were written live
(`StatisticsState.live_since`, set by the migration that made the table), counted once.

It reads the source rows themselves — cases opened, closures approved, referral steps, meetings
held, consents withdrawn, emergency accesses — dated before `live_since`, so an event is
counted by the back-fill or live, never both; the young person's age band and district come
from their current details (none once erased).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency
from cases.casework.models import Case, ClosureRequest, Consent, EmergencyAccess
from cases.inputs import InputError
from cases.meetings.models import Meeting
from cases.persons.queries import current_details_of
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.referrals.models import Referral, ReferralEvent, ReferralEventKind
from cases.statistics.counting import Counted, count_event
from cases.statistics.models import FactEvent, StatisticsState
from core.claims import claim
from core.db import utcnow

_REFERRAL_STEPS = {
    ReferralEventKind.SENT: FactEvent.REFERRAL_SENT,
    ReferralEventKind.ACCEPTED: FactEvent.REFERRAL_ACCEPTED,
    ReferralEventKind.DECLINED: FactEvent.REFERRAL_DECLINED,
    ReferralEventKind.COMPLETED: FactEvent.REFERRAL_COMPLETED,
}


@dataclass(frozen=True)
class _Source:
    """One event found in the source rows."""

    event: FactEvent
    case: Case
    at: datetime
    sending: uuid.UUID | None = None
    receiving: uuid.UUID | None = None
    outcome: str | None = None


def _case_events(session: Session, before: datetime) -> list[_Source]:
    found = [
        _Source(FactEvent.CASE_OPENED, case, case.opened_at)
        for case in session.scalars(select(Case).where(Case.opened_at < before))
    ]
    closures = (
        select(ClosureRequest, Case)
        .join(Case, Case.id == ClosureRequest.case_id)
        .where(ClosureRequest.decision == "approved", ClosureRequest.decided_at < before)
    )
    found += [
        _Source(FactEvent.CASE_CLOSED, case, closure.decided_at, outcome=closure.outcome)
        for closure, case in session.execute(closures)
        if closure.decided_at is not None
    ]
    consents = (
        select(Consent, Case)
        .join(Case, Case.id == Consent.case_id)
        .where(Consent.withdrawn_at < before)
    )
    found += [
        _Source(FactEvent.CONSENT_WITHDRAWN, case, consent.withdrawn_at)
        for consent, case in session.execute(consents)
        if consent.withdrawn_at is not None
    ]
    emergencies = (
        select(EmergencyAccess, Case)
        .join(Case, Case.id == EmergencyAccess.case_id)
        .where(EmergencyAccess.granted_at < before)
    )
    found += [
        _Source(FactEvent.EMERGENCY_ACCESS, case, access.granted_at)
        for access, case in session.execute(emergencies)
    ]
    steps = (
        select(ReferralEvent, Referral, Case)
        .join(Referral, Referral.id == ReferralEvent.referral_id)
        .join(Case, Case.id == Referral.case_id)
        .where(ReferralEvent.kind.in_(list(_REFERRAL_STEPS)), ReferralEvent.at < before)
    )
    found += [
        _Source(
            _REFERRAL_STEPS[ReferralEventKind(step.kind)],
            case,
            step.at,
            sending=referral.from_agency_id,
            receiving=referral.to_agency_id,
        )
        for step, referral, case in session.execute(steps)
    ]
    return found


def backfill(
    session: Session, ctx: AuditContext, *, rules: CaseRules = DEFAULT_RULES
) -> Counter[str]:
    """Count, once, the events before facts were written live; returns the counts per event.
    Refused (`InputError("already_backfilled")`) when it ran before."""
    authorize(ctx.actor, Permission.STATISTICS_BACKFILL)
    state = session.scalar(select(StatisticsState).limit(1))
    if state is None:
        raise InputError("no_state", "statistics")
    # Claimed, so two runs at once count once.
    if not claim(session, state, StatisticsState.backfilled_at.is_(None), backfilled_at=utcnow()):
        raise InputError("already_backfilled", "statistics")
    kinds = {agency.id: agency.kind for agency in session.scalars(select(Agency))}
    events = _case_events(session, state.live_since)
    persons = {source.case.person_id for source in events}
    details = current_details_of(session, persons)
    counts: Counter[str] = Counter()
    for source in sorted(events, key=lambda e: e.at):
        person = details.get(source.case.person_id)
        count_event(
            session,
            Counted(
                event=source.event,
                at=source.at,
                lead_kind=kinds.get(source.case.lead_agency_id),
                sending_kind=kinds.get(source.sending) if source.sending else None,
                receiving_kind=kinds.get(source.receiving) if source.receiving else None,
                concerns=source.case.concern_codes or (),
                born=person.birth_date if person is not None else None,
                postal_code=person.postal_code if person is not None else None,
                outcome=source.outcome,
            ),
            rules,
        )
        counts[source.event] += 1
    held = (
        select(Meeting, Agency)
        .join(Agency, Agency.id == Meeting.organising_agency_id)
        .where(Meeting.held_at < state.live_since)
    )
    for meeting, agency in session.execute(held):
        assert meeting.held_at is not None  # noqa: S101 - filtered above
        count_event(
            session, Counted(FactEvent.MEETING_HELD, meeting.held_at, lead_kind=agency.kind), rules
        )
        counts[FactEvent.MEETING_HELD] += 1
    session.flush()
    record(session, ctx, Action.STATISTICS_BACKFILLED, object_type="statistics", extra=dict(counts))
    return counts
