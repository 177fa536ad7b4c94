"""Who may set and lift a legal hold, as a table written from issue 14 (point 2): a supervisor
of the case's lead agency, and nobody on a young person already erased; every other role,
agency or naming is refused with the policy's reason."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from cases.accounts.models import Role
from cases.policy import Permission, Reason, decide
from cases.policy.holds import HoldFacts
from tests.cases.team_case import LEAD, MEMBER, OUTSIDE, Someone, team_case


def _hold(named: bool, erased: bool, closed: bool) -> HoldFacts:
    return HoldFacts(case=dataclasses.replace(team_case(named, closed), person_erased=erased))


# (role, agency, named on the team) -> the reason a refusal gives (None: allowed).
EXPECTED = {
    (Role.SUPERVISOR, LEAD, False): None,
    (Role.SUPERVISOR, LEAD, True): None,
    (Role.SUPERVISOR, MEMBER, False): Reason.NOT_LEAD_SUPERVISOR,
    (Role.SUPERVISOR, MEMBER, True): Reason.NOT_LEAD_SUPERVISOR,
    (Role.SUPERVISOR, OUTSIDE, False): Reason.NOT_ON_TEAM,
    (Role.SUPERVISOR, OUTSIDE, True): Reason.NOT_ON_TEAM,
    (Role.CASEWORKER, LEAD, False): Reason.NOT_ON_TEAM,
    (Role.CASEWORKER, LEAD, True): Reason.NOT_LEAD_SUPERVISOR,
    (Role.CASEWORKER, MEMBER, False): Reason.NOT_ON_TEAM,
    (Role.CASEWORKER, MEMBER, True): Reason.NOT_LEAD_SUPERVISOR,
    (Role.CASEWORKER, OUTSIDE, False): Reason.NOT_ON_TEAM,
    (Role.CASEWORKER, OUTSIDE, True): Reason.NOT_ON_TEAM,
    **{
        (role, agency, named): Reason.ROLE_NO_CONTENT
        for role in (Role.ADMIN, Role.AUDITOR, Role.ANALYST)
        for agency in (LEAD, MEMBER, OUTSIDE)
        for named in (False, True)
    },
}
ROWS = [
    (permission, role, agency, named, erased, closed)
    for permission in (Permission.HOLD_SET, Permission.HOLD_LIFT)
    for (role, agency, named) in EXPECTED
    for erased in (False, True)
    for closed in (False, True)
]


def test_the_table_covers_every_role() -> None:
    assert {role for role, _a, _n in EXPECTED} == set(Role)


@pytest.mark.parametrize(("permission", "role", "agency", "named", "erased", "closed"), ROWS)
def test_hold_decision(
    permission: Permission,
    role: Role,
    agency: uuid.UUID,
    named: bool,
    erased: bool,
    closed: bool,
) -> None:
    decision = decide(Someone(role.value, agency), permission, _hold(named, erased, closed))
    reason = EXPECTED[(role, agency, named)]
    if reason is None and erased:
        reason = Reason.PERSON_ERASED
    assert decision.allowed == (reason is None)
    if reason is None:
        assert decision.basis == ("lead_supervisor",)
    else:
        assert decision.reason == reason


def test_a_hold_is_decided_only_on_hold_facts() -> None:
    supervisor = Someone(Role.SUPERVISOR.value, LEAD)
    assert decide(supervisor, Permission.HOLD_SET, _hold(True, False, False).case).reason == (
        Reason.NOT_GRANTED
    )
    assert decide(supervisor, Permission.HOLD_SET, None).allowed  # the route's gate only
