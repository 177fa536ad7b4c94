"""The meeting rules (issue 12): who sees a meeting, who builds its agenda, who writes, submits
and signs off its minutes.

- Seeing a meeting: its invited users, and supervisors of its invited agencies. Practitioners
  only; analysts, auditors and admins see no meeting.
- Planning (details, cancellation, marking it held): its chair, or a supervisor of the
  organising agency, while it is planned.
- Agenda: a member of a case's team puts the case on the agenda of a meeting they see, before
  the minutes are submitted. What each participant sees of an agenda item is decided per agency
  (`case_shared_with`): an agency not on the case's team, or on it without a basis now, sees "a
  case not shared with your agency" and nothing else.
- Minutes: the chair records attendance and submits; each entry and action item is written by
  an invited user on that case's team while the minutes are open (held, or returned); a
  supervisor of the organising agency who is not the chair approves or returns them; approved
  minutes take only addenda, from members of the case's team who see the meeting.
- Reading what the minutes say about a young person is `NOTE_READ` on the entry as a note of
  its category by its writer's agency (`minute_note`): the meeting adds no reader.
- Action items: their owner marks them done while on the case's team.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.meetings.models import AGENDA_OPEN, MINUTES_OPEN, MeetingStatus
from cases.policy.facts import CaseFacts, NoteFacts, Sensitivity
from cases.policy.notes import on_team
from cases.policy.permissions import (
    PRACTITIONER_ROLES,
    Decision,
    Permission,
    Reason,
    allow,
    deny,
)
from cases.policy.sharing import consent_effective, disclosure_active, disclosure_fits

P = Permission

MEETING_PERMISSIONS = frozenset(
    {
        P.MEETING_CREATE,
        P.MEETING_LIST,
        P.MEETING_READ,
        P.MEETING_UPDATE,
        P.MEETING_CANCEL,
        P.MEETING_HOLD,
        P.MEETING_AGENDA_ADD,
        P.MEETING_ATTENDANCE_RECORD,
        P.MEETING_MINUTES_WRITE,
        P.MEETING_MINUTES_SUBMIT,
        P.MEETING_MINUTES_APPROVE,
        P.MEETING_MINUTES_RETURN,
        P.MEETING_ADDENDUM_WRITE,
        P.MEETING_PRINT,
        P.MEETING_REVIEW_QUEUE,
        P.ACTION_ITEM_LIST,
        P.ACTION_ITEM_DONE,
    }
)
# Asked without a resource: may the role hold it at all (the route gate, the own lists).
_ANY_PRACTITIONER = frozenset({P.MEETING_CREATE, P.MEETING_LIST, P.ACTION_ITEM_LIST})
# Asked about the meeting alone.
_PLANNING = frozenset({P.MEETING_UPDATE, P.MEETING_CANCEL, P.MEETING_HOLD})
_CHAIR_ONLY = frozenset({P.MEETING_ATTENDANCE_RECORD, P.MEETING_MINUTES_SUBMIT})
_SIGN_OFF = frozenset({P.MEETING_MINUTES_APPROVE, P.MEETING_MINUTES_RETURN})
# Asked about a case in the meeting.
_CASE_WORK = frozenset({P.MEETING_AGENDA_ADD, P.MEETING_MINUTES_WRITE, P.MEETING_ADDENDUM_WRITE})

S = MeetingStatus
# The states each step may be taken in.
IN_STATES: dict[Permission, frozenset[str]] = {
    P.MEETING_UPDATE: frozenset({S.PLANNED}),
    P.MEETING_CANCEL: frozenset({S.PLANNED}),
    P.MEETING_HOLD: frozenset({S.PLANNED}),
    P.MEETING_AGENDA_ADD: AGENDA_OPEN,
    P.MEETING_ATTENDANCE_RECORD: MINUTES_OPEN,
    P.MEETING_MINUTES_WRITE: MINUTES_OPEN,
    P.MEETING_MINUTES_SUBMIT: MINUTES_OPEN,
    P.MEETING_MINUTES_APPROVE: frozenset({S.SUBMITTED}),
    P.MEETING_MINUTES_RETURN: frozenset({S.SUBMITTED}),
    P.MEETING_ADDENDUM_WRITE: frozenset({S.APPROVED}),
}


@dataclass(frozen=True)
class MeetingFacts:
    id: uuid.UUID
    organising_agency: uuid.UUID
    chair: uuid.UUID
    status: str
    invited_agencies: frozenset[uuid.UUID]
    invited_users: frozenset[uuid.UUID]


@dataclass(frozen=True)
class MeetingCase:
    """A case in (or about to be put on) a meeting."""

    meeting: MeetingFacts
    case: CaseFacts

    @property
    def id(self) -> uuid.UUID:
        return self.meeting.id


@dataclass(frozen=True)
class ActionFacts:
    case: CaseFacts
    owner: uuid.UUID
    id: uuid.UUID | None = None


def minute_note(case: CaseFacts, author_agency: uuid.UUID, category: str) -> NoteFacts:
    """A minute entry, action item or addendum as the note policy reads it: a note of its
    category by its writer's agency (never restricted: restricted notes stay in the case)."""
    return NoteFacts(case, author_agency, category, Sensitivity.NORMAL)


def case_shared_with(agency: uuid.UUID | None, case: CaseFacts, now: datetime) -> bool:
    """Whether an agency sees who an agenda item is about (the person's name, the case's link):
    only an agency on the case's team that has a basis now — the lead agency, or one an
    effective consent of the case names, or one an active disclosure of the case (of a basis
    fitting both agencies' kinds) is addressed to. "A case whose team or basis does not cover
    an invited agency" is shown to it as not shared (issue 12)."""
    if agency is None or agency not in case.member_agencies:
        return False
    if agency == case.lead_agency:
        return True
    if any(
        agency in consent.recipients and consent_effective(consent, case, now)
        for consent in case.consents
    ):
        return True
    return any(
        d.to_agency == agency and disclosure_active(d, now, case.rules) and disclosure_fits(d, case)
        for d in case.disclosures
    )


def unshared_agencies(
    meeting: MeetingFacts, case: CaseFacts, now: datetime
) -> frozenset[uuid.UUID]:
    """The invited agencies that will see this case only as "not shared with your agency" (the
    warning to whoever builds the agenda)."""
    return frozenset(a for a in meeting.invited_agencies if not case_shared_with(a, case, now))


def sees_meeting(actor: Actor, meeting: MeetingFacts) -> Decision:
    if actor.id in meeting.invited_users:
        return allow(Reason.INVITED)
    if actor.role == Role.SUPERVISOR and actor.agency_id in meeting.invited_agencies:
        return allow(Reason.INVITED_AGENCY_SUPERVISOR)
    return deny(Reason.NOT_INVITED)


def meeting_decision(
    actor: Actor, permission: Permission, resource: Any, now: datetime
) -> Decision:
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    if permission in _ANY_PRACTITIONER:
        return allow(Reason.PRACTITIONER)
    if permission == P.MEETING_REVIEW_QUEUE:
        if actor.role != Role.SUPERVISOR:
            return deny(Reason.ROLE_NOT_ALLOWED)
        return allow(Reason.AGENCY_SUPERVISOR)
    if permission == P.ACTION_ITEM_DONE:
        return _action_done(actor, resource)
    if resource is None:
        # The route gate asks before anything is loaded; the service asks again with facts.
        return allow(Reason.PRACTITIONER)
    if isinstance(resource, MeetingCase):
        return _case_step(actor, permission, resource)
    if not isinstance(resource, MeetingFacts) or permission in _CASE_WORK:
        return deny(Reason.NOT_GRANTED)
    seen = sees_meeting(actor, resource)
    if not seen or permission in (P.MEETING_READ, P.MEETING_PRINT):
        return seen
    if resource.status not in IN_STATES.get(permission, frozenset()):
        return deny(Reason.WRONG_STATE)
    is_chair = actor.id == resource.chair
    organising_supervisor = (
        actor.role == Role.SUPERVISOR and actor.agency_id == resource.organising_agency
    )
    if permission in _PLANNING:
        if is_chair:
            return allow(Reason.CHAIR)
        if organising_supervisor:
            return allow(Reason.ORGANISING_SUPERVISOR)
        return deny(Reason.NOT_CHAIR)
    if permission in _CHAIR_ONLY:
        return allow(Reason.CHAIR) if is_chair else deny(Reason.NOT_CHAIR)
    if permission in _SIGN_OFF:
        if not organising_supervisor:
            return deny(Reason.NOT_ORGANISING_SUPERVISOR)
        if is_chair:
            return deny(Reason.CHAIR_MAY_NOT_APPROVE)
        return allow(Reason.ORGANISING_SUPERVISOR)
    return deny(Reason.NOT_GRANTED)


def _case_step(actor: Actor, permission: Permission, resource: MeetingCase) -> Decision:
    if permission not in _CASE_WORK:
        return deny(Reason.NOT_GRANTED)
    seen = sees_meeting(actor, resource.meeting)
    if not seen:
        return seen
    if not on_team(actor, resource.case):
        return deny(Reason.NOT_ON_TEAM)
    if resource.meeting.status not in IN_STATES[permission]:
        return deny(Reason.WRONG_STATE)
    if resource.case.closed:
        # A closed case takes nothing new (DESIGN.md §3), from a meeting no more than from a
        # note: no agenda item, no minutes, no addendum (attack on issue 12).
        return deny(Reason.CASE_CLOSED)
    if permission == P.MEETING_MINUTES_WRITE and actor.id not in resource.meeting.invited_users:
        # The minutes are written by the meeting's participants, not by a supervisor who only
        # sees the meeting through their agency.
        return deny(Reason.NOT_INVITED)
    return allow(Reason.CASE_TEAM, Reason.CASE_TEAM)


def _action_done(actor: Actor, resource: Any) -> Decision:
    if resource is None:
        return allow(Reason.PRACTITIONER)
    if not isinstance(resource, ActionFacts):
        return deny(Reason.NOT_GRANTED)
    if resource.owner != actor.id:
        return deny(Reason.NOT_ACTION_OWNER)
    if not on_team(actor, resource.case):
        return deny(Reason.NOT_ON_TEAM)
    return allow(Reason.ACTION_OWNER, Reason.CASE_TEAM)
