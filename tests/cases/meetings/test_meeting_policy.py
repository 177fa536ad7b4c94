"""The meeting rules as reference tables (issue 12, points 1–4), on facts built here.

Every kind of actor × every meeting status × every meeting-wide step, and every case-bound step
× on or off the case's team × every status, against expectations written from the issue's text
(not from `cases.policy.meetings`'s sets): a meeting is seen by its invited users and by
supervisors of its invited agencies; a planned meeting can be cancelled; the chair records and
submits the minutes; a supervisor of the organising agency who is not the chair approves or
returns them; approved minutes take only addenda; a case's team members put it on the agenda
and write its minutes; analysts, auditors and admins see no meeting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cases.policy import Permission, decide
from cases.policy.facts import CaseFacts
from cases.policy.meetings import MeetingCase, MeetingFacts

P = Permission
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ORG, INV, OUT = (uuid.UUID(int=i) for i in (101, 102, 103))
CHAIR, ACTOR = uuid.UUID(int=201), uuid.UUID(int=202)
STATUSES = ["planned", "held", "submitted", "returned", "approved", "cancelled"]
STEPS = {
    "read": P.MEETING_READ,
    "print": P.MEETING_PRINT,
    "cancel": P.MEETING_CANCEL,
    "hold": P.MEETING_HOLD,
    "attendance": P.MEETING_ATTENDANCE_RECORD,
    "submit": P.MEETING_MINUTES_SUBMIT,
    "approve": P.MEETING_MINUTES_APPROVE,
    "return": P.MEETING_MINUTES_RETURN,
}
CASE_STEPS = {
    "agenda": P.MEETING_AGENDA_ADD,
    "write": P.MEETING_MINUTES_WRITE,
    "addendum": P.MEETING_ADDENDUM_WRITE,
}


@dataclass(frozen=True)
class Kind:
    """One kind of actor: role, agency, whether invited by name, whether the chair."""

    role: str
    agency: uuid.UUID
    invited: bool = False
    chair: bool = False


KINDS = {
    "chair": Kind("caseworker", ORG, invited=True, chair=True),
    "organiser_caseworker_invited": Kind("caseworker", ORG, invited=True),
    "organiser_supervisor": Kind("supervisor", ORG),
    "supervisor_chair": Kind("supervisor", ORG, invited=True, chair=True),
    "invited_agency_supervisor": Kind("supervisor", INV),
    "invited_caseworker_other_agency": Kind("caseworker", INV, invited=True),
    "uninvited_caseworker_invited_agency": Kind("caseworker", INV),
    "uninvited_caseworker_uninvited_agency": Kind("caseworker", OUT),
    "uninvited_agency_supervisor": Kind("supervisor", OUT),
    # Invited by name and of the organising agency: still no meeting for these roles.
    "analyst": Kind("analyst", ORG, invited=True),
    "auditor": Kind("auditor", ORG, invited=True),
    "admin": Kind("admin", ORG, invited=True),
}


@dataclass
class Someone:
    role: str
    agency_id: uuid.UUID
    id: uuid.UUID
    active: bool = True


def _actor(kind: Kind) -> Someone:
    return Someone(kind.role, kind.agency, CHAIR if kind.chair else ACTOR)


def _meeting(kind: Kind, status: str) -> MeetingFacts:
    invited = {CHAIR} | ({ACTOR} if kind.invited and not kind.chair else set())
    return MeetingFacts(
        id=uuid.UUID(int=301),
        organising_agency=ORG,
        chair=CHAIR,
        status=status,
        invited_agencies=frozenset({ORG, INV}),
        invited_users=frozenset(invited),
    )


def _sees(kind: Kind) -> bool:
    if kind.role not in ("caseworker", "supervisor"):
        return False
    return kind.invited or (kind.role == "supervisor" and kind.agency in (ORG, INV))


def expected(kind: Kind, step: str, status: str) -> bool:
    """The issue's rules, spelled out here."""
    if not _sees(kind):
        return False
    organiser_supervisor = kind.role == "supervisor" and kind.agency == ORG
    match step:
        case "read" | "print":
            return True
        case "cancel" | "hold":
            return status == "planned" and (kind.chair or organiser_supervisor)
        case "attendance" | "submit":
            return status in ("held", "returned") and kind.chair
        case "approve" | "return":
            return status == "submitted" and organiser_supervisor and not kind.chair
    raise AssertionError(step)


MEETING_ROWS = [(name, step, status) for name in KINDS for step in STEPS for status in STATUSES]


@pytest.mark.parametrize(("kind", "step", "status"), MEETING_ROWS)
def test_meeting_step(kind: str, step: str, status: str) -> None:
    k = KINDS[kind]
    decision = decide(_actor(k), STEPS[step], _meeting(k, status), NOW)
    assert decision.allowed is expected(k, step, status), decision


def test_the_table_allows_and_denies_something_of_every_step() -> None:
    for step in STEPS:
        outcomes = {expected(KINDS[k], step, s) for k, _step, s in MEETING_ROWS if _step == step}
        assert outcomes == {True, False}, step


LEAD = uuid.UUID(int=104)  # the case's lead agency, neither organiser nor invited
TEAM = ["named", "agency_only", "off"]


def _case(kind: Kind, team: str, *, closed: bool = False) -> CaseFacts:
    """The case with the actor's agency on its team (and the actor named) or not."""
    agencies = {LEAD} | ({kind.agency} if team != "off" else set())
    users = {_actor(kind).id} if team == "named" else set()
    return CaseFacts(
        id=uuid.UUID(int=401),
        lead_agency=LEAD,
        member_agencies=frozenset(agencies),
        member_users=frozenset(users),
        agency_kinds={LEAD: "social_services", ORG: "social_services", INV: "youth_work"},
        closed=closed,
    )


def _on_team(kind: Kind, team: str) -> bool:
    # A caseworker is on the team when named; a supervisor when their agency is a member.
    return team == "named" or (team == "agency_only" and kind.role == "supervisor")


def expected_case_step(kind: Kind, step: str, team: str, status: str) -> bool:
    if not (_sees(kind) and _on_team(kind, team)):
        return False
    match step:
        case "agenda":
            return status in ("planned", "held", "returned")
        case "write":
            # Written by the meeting's participants who are on the case's team.
            return kind.invited and status in ("held", "returned")
        case "addendum":
            return status == "approved"
    raise AssertionError(step)


CASE_ROWS = [
    (name, step, team, status)
    for name in KINDS
    for step in CASE_STEPS
    for team in TEAM
    for status in STATUSES
]


@pytest.mark.parametrize(("kind", "step", "team", "status"), CASE_ROWS)
def test_case_step(kind: str, step: str, team: str, status: str) -> None:
    k = KINDS[kind]
    resource = MeetingCase(_meeting(k, status), _case(k, team))
    decision = decide(_actor(k), CASE_STEPS[step], resource, NOW)
    assert decision.allowed is expected_case_step(k, step, team, status), decision


@pytest.mark.parametrize("status", ["planned", "held", "returned"])
def test_a_closed_case_is_not_put_on_an_agenda(status: str) -> None:
    k = KINDS["chair"]
    resource = MeetingCase(_meeting(k, status), _case(k, "named", closed=True))
    assert not decide(_actor(k), P.MEETING_AGENDA_ADD, resource, NOW)


@pytest.mark.parametrize("step", list(STEPS.values()) + list(CASE_STEPS.values()))
def test_an_inactive_chair_may_do_nothing(step: Permission) -> None:
    k = KINDS["chair"]
    actor = Someone(k.role, k.agency, CHAIR, active=False)
    resource: object = _meeting(k, "held")
    if step in CASE_STEPS.values():
        resource = MeetingCase(_meeting(k, "held"), _case(k, "named"))
    assert not decide(actor, step, resource, NOW)


@pytest.mark.parametrize("step", list(STEPS.values()))
def test_meeting_steps_are_not_granted_on_a_case_alone(step: Permission) -> None:
    """A caller that passes case facts where meeting facts belong gets nothing."""
    k = KINDS["chair"]
    assert not decide(_actor(k), step, _case(k, "named"), NOW)
