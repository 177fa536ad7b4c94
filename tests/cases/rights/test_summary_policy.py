"""Who may produce the young person's summary, as a table written from issue 14 (point 5):
whoever may see the case's consents today (a caseworker named on the team, a supervisor of a
member agency; on a closed case too), for the young person always and for the guardian unless
the young person forbids disclosure to their guardian; nobody about an erased person."""

from __future__ import annotations

import uuid

import pytest

from cases.accounts.models import Role
from cases.policy import Permission, Reason, decide
from cases.policy.summary import Audience, SummaryRequest
from tests.cases.team_case import LEAD, MEMBER, OUTSIDE, Someone, team_case


def _request(
    named: bool, closed: bool, audience: Audience, forbids: bool, erased: bool
) -> SummaryRequest:
    return SummaryRequest(team_case(named, closed), audience, forbids, erased)


# (role, agency, named on the team) -> whether they may see the case's consents at all.
ON_TEAM = {
    (Role.SUPERVISOR, LEAD, False): True,
    (Role.SUPERVISOR, LEAD, True): True,
    (Role.SUPERVISOR, MEMBER, False): True,
    (Role.SUPERVISOR, MEMBER, True): True,
    (Role.SUPERVISOR, OUTSIDE, False): False,
    (Role.SUPERVISOR, OUTSIDE, True): False,
    (Role.CASEWORKER, LEAD, False): False,
    (Role.CASEWORKER, LEAD, True): True,
    (Role.CASEWORKER, MEMBER, False): False,
    (Role.CASEWORKER, MEMBER, True): True,
    (Role.CASEWORKER, OUTSIDE, False): False,
    (Role.CASEWORKER, OUTSIDE, True): False,
}
NO_CONTENT = (Role.ADMIN, Role.AUDITOR, Role.ANALYST)


def _expected(
    role: str, agency: uuid.UUID, named: bool, audience: Audience, forbids: bool, erased: bool
) -> Reason | None:
    if role in NO_CONTENT:
        return Reason.ROLE_NO_CONTENT
    if not ON_TEAM[(role, agency, named)]:
        return Reason.NOT_ON_TEAM
    if erased:
        return Reason.PERSON_ERASED
    if audience == Audience.GUARDIAN and forbids:
        return Reason.GUARDIAN_FORBIDDEN
    return None


CASES = [
    (role, agency, named, closed, audience, forbids, erased)
    for role in (Role.SUPERVISOR, Role.CASEWORKER, *NO_CONTENT)
    for agency in (LEAD, MEMBER, OUTSIDE)
    for named in (False, True)
    for closed in (False, True)
    for audience in Audience
    for forbids in (False, True)
    for erased in (False, True)
]


@pytest.mark.parametrize(
    ("role", "agency", "named", "closed", "audience", "forbids", "erased"), CASES
)
def test_who_may_produce_the_summary(
    role: str,
    agency: uuid.UUID,
    named: bool,
    closed: bool,
    audience: Audience,
    forbids: bool,
    erased: bool,
) -> None:
    request = _request(named, closed, audience, forbids, erased)
    decision = decide(Someone(role, agency), Permission.SUMMARY_PRODUCE, request)  # type: ignore[arg-type]
    expected = _expected(role, agency, named, audience, forbids, erased)
    if expected is None:
        assert decision.allowed and decision.reason == Reason.CASE_TEAM
    else:
        assert not decision.allowed and decision.reason == expected


@pytest.mark.parametrize("role", list(Role))
def test_the_route_gate_lets_only_practitioners_through(role: str) -> None:
    decision = decide(Someone(role, LEAD), Permission.SUMMARY_PRODUCE)  # type: ignore[arg-type]
    assert decision.allowed == (role in (Role.CASEWORKER, Role.SUPERVISOR))


def test_a_resource_of_another_kind_is_refused() -> None:
    case = _request(True, False, Audience.YOUNG_PERSON, False, False).case
    decision = decide(Someone(Role.SUPERVISOR, LEAD), Permission.SUMMARY_PRODUCE, case)  # type: ignore[arg-type]
    assert not decision.allowed and decision.reason == Reason.NOT_GRANTED
