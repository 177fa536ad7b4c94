"""Reading a meeting's rows and facts: the meeting, who is invited, its agenda's cases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.casework.models import Case, CaseStatus
from cases.inputs import InputError
from cases.meetings.models import AgendaItem, InvitedAgency, InvitedUser, Meeting, MinuteEntry
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseFacts, CaseRules
from cases.policy.loading import case_facts, cases_facts
from cases.policy.meetings import MeetingCase, MeetingFacts
from core.claims import claim
from core.db import utcnow

_INVITED_AGENCIES = select(InvitedAgency.agency_id).where(
    InvitedAgency.meeting_id == bindparam("meeting_id")
)
_INVITED_USERS = select(InvitedUser).where(InvitedUser.meeting_id == bindparam("meeting_id"))
_AGENDA = (
    select(AgendaItem, Case)
    .join(Case, Case.id == AgendaItem.case_id)
    .where(AgendaItem.meeting_id == bindparam("meeting_id"))
    .order_by(AgendaItem.position)
)


def get_meeting(session: Session, meeting_id: uuid.UUID) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise InputError("not_found", "meeting")
    return meeting


@dataclass(frozen=True)
class LoadedMeeting:
    """A meeting with who is invited, as rows and as the policy's facts (one request's)."""

    meeting: Meeting
    facts: MeetingFacts
    invited: tuple[InvitedUser, ...]


def load_meeting(session: Session, meeting: Meeting) -> LoadedMeeting:
    invited = tuple(session.scalars(_INVITED_USERS, {"meeting_id": meeting.id}))
    agencies = frozenset(session.scalars(_INVITED_AGENCIES, {"meeting_id": meeting.id}))
    facts = MeetingFacts(
        id=meeting.id,
        organising_agency=meeting.organising_agency_id,
        chair=meeting.chair_user_id,
        status=meeting.status,
        invited_agencies=agencies,
        invited_users=frozenset(row.user_id for row in invited),
    )
    return LoadedMeeting(meeting, facts, invited)


def meeting_facts(session: Session, meeting: Meeting) -> MeetingFacts:
    return load_meeting(session, meeting).facts


@dataclass(frozen=True)
class AgendaCase:
    item: AgendaItem
    case: Case
    facts: CaseFacts


def agenda_cases(
    session: Session, meeting: Meeting, now: datetime, rules: CaseRules
) -> list[AgendaCase]:
    """The agenda in order, each case with its facts now (one statement per kind of fact,
    however long the agenda)."""
    rows: Sequence[tuple[AgendaItem, Case]] = [
        (item, case) for item, case in session.execute(_AGENDA, {"meeting_id": meeting.id})
    ]
    facts = cases_facts(session, [case for _item, case in rows], now, rules)
    return [AgendaCase(item, case, facts[case.id]) for item, case in rows]


def meeting_titled(session: Session, title: str) -> Meeting | None:
    """The earliest meeting with this exact title (the demo seeds each of its meetings once)."""
    return session.scalar(
        select(Meeting).where(Meeting.title == title).order_by(Meeting.created_at).limit(1)
    )


def superseded(session: Session, entry: MinuteEntry) -> bool:
    """Whether a later version replaced this minute entry already (changes and addenda are made
    to the current version, so the versions stay one line)."""
    later = select(MinuteEntry.id).where(MinuteEntry.supersedes_id == entry.id).limit(1)
    return session.scalar(later) is not None


def hold_case_open(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    case: Case,
    permission: Permission,
    rules: CaseRules,
) -> None:
    """Claim the case row in its open state for the rest of a minutes write (as a note does),
    so a write racing the case's closure either lands before it or is refused as a write on a
    closed case is (attack on issue 12). Taken after the meeting row, always in that order."""
    if claim(session, case, Case.status == CaseStatus.OPEN, status=CaseStatus.OPEN):
        return
    session.refresh(case)
    now = utcnow()
    facts = MeetingCase(load_meeting(session, meeting).facts, case_facts(session, case, now, rules))
    authorize(ctx.actor, permission, facts, now)
    raise InputError("case_changed", "case")


def authorize_step(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    permission: Permission,
    case_id: uuid.UUID | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> None:
    """Ask the policy about a step before its input is looked at: a page whose form did not
    validate still answers a user who may not take the step as a refusal (audited), not as a
    form error that would tell them the step exists (attack on issue 12)."""
    facts = load_meeting(session, meeting).facts
    case = session.get(Case, case_id) if case_id is not None else None
    resource: MeetingFacts | MeetingCase = (
        facts if case is None else MeetingCase(facts, case_facts(session, case, rules=rules))
    )
    authorize(ctx.actor, permission, resource)


def meeting_step(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    permission: Permission,
    action: Action,
    *,
    check: Callable[[LoadedMeeting], None] | None = None,
    **values: object,
) -> Meeting:
    """A step on the meeting row itself (cancel, hold, submit, approve, return): decided, then
    `check`ed, then claimed in the state the policy allowed it in, so two steps racing each
    other cannot both succeed; the loser is decided again on what the winner made of it."""
    now = utcnow()
    loaded = load_meeting(session, meeting)
    decision = authorize(ctx.actor, permission, loaded.facts, now)
    if check is not None:
        check(loaded)
    if not claim(session, meeting, Meeting.status == loaded.facts.status, **values):
        session.refresh(meeting)
        authorize(ctx.actor, permission, load_meeting(session, meeting).facts, now)
        raise InputError("meeting_changed", "meeting")
    record(
        session,
        ctx,
        action,
        object_type="meeting",
        object_id=meeting.id,
        bases=decision.basis or (str(decision.reason),),
    )
    return meeting
