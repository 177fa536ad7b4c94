"""The access policy as a table: every role (and the host operator) × every permission."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from cases.accounts.models import Role
from cases.policy import CliActor, Permission, PolicyDenied, Reason, authorize, decide


@dataclass
class FakeUser:
    role: str
    id: uuid.UUID = uuid.UUID(int=1)
    agency_id: uuid.UUID | None = uuid.UUID(int=100)
    active: bool = True


ADMIN_PERMISSIONS = {p for p in Permission if p.value.startswith("admin:")}
AUDIT_PERMISSIONS = {p for p in Permission if p.value.startswith("audit:")}
EVERYONE = {Permission.DASHBOARD_VIEW, Permission.ACCOUNT_MANAGE_OWN}

# Expected grants, written from DESIGN.md §3/§7 rather than from the implementation.
EXPECTED = {
    Role.CASEWORKER: EVERYONE,
    Role.SUPERVISOR: EVERYONE,
    Role.ANALYST: EVERYONE,
    Role.AUDITOR: EVERYONE | AUDIT_PERMISSIONS,
    Role.ADMIN: EVERYONE | ADMIN_PERMISSIONS,
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_role_permission_matrix(role: Role, permission: Permission) -> None:
    decision = decide(FakeUser(role.value), permission, None)
    assert decision.allowed == (permission in EXPECTED[role])
    if not decision.allowed:
        assert decision.reason in {Reason.ROLE_NOT_ALLOWED, Reason.NOT_GRANTED}


def test_anonymous_may_do_nothing() -> None:
    for permission in Permission:
        assert decide(None, permission).reason == Reason.ANONYMOUS


@pytest.mark.parametrize("permission", list(Permission))
def test_inactive_accounts_may_do_nothing(permission: Permission) -> None:
    decision = decide(FakeUser(Role.ADMIN.value, active=False), permission)
    assert not decision.allowed and decision.reason == Reason.INACTIVE


@pytest.mark.parametrize("permission", list(Permission))
def test_host_operator_may_administer_but_has_no_session(permission: Permission) -> None:
    decision = decide(CliActor("tests"), permission)
    assert decision.allowed == (permission in ADMIN_PERMISSIONS | {Permission.AUDIT_VERIFY})
    assert CliActor("x").label == "cli:x"


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (Permission.USER_SET_ACTIVE, False),
        (Permission.USER_RESET_PASSWORD, False),
        (Permission.USER_UNLOCK, True),
        (Permission.USER_END_SESSIONS, True),
        (Permission.USER_READ, True),
    ],
)
def test_admin_may_not_deactivate_or_reset_themselves(
    permission: Permission, allowed: bool
) -> None:
    admin = FakeUser(Role.ADMIN.value)
    decision = decide(admin, permission, admin)
    assert decision.allowed == allowed
    if not allowed:
        assert decision.reason == Reason.SELF_ADMINISTRATION
    assert decide(admin, permission, FakeUser(Role.CASEWORKER.value, id=uuid.UUID(int=2)))


def test_authorize_raises_with_the_decision() -> None:
    with pytest.raises(PolicyDenied) as raised:
        authorize(FakeUser(Role.CASEWORKER.value), Permission.USER_CREATE)
    assert raised.value.decision.reason == Reason.ROLE_NOT_ALLOWED
    assert raised.value.permission == Permission.USER_CREATE
    assert authorize(FakeUser(Role.ADMIN.value), Permission.USER_CREATE).allowed


def test_permissions_follow_the_naming_scheme() -> None:
    for permission in Permission:
        parts = permission.value.split(":")
        assert 2 <= len(parts) <= 3 and all(parts), permission
