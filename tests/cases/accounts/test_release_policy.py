"""Issue 9, finding 7, as a table: who may release a pending practitioner credential."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from cases.policy import CliActor, PendingCredential, Permission, credential_needs_release, decide

SOS, NUO = uuid.UUID(int=100), uuid.UUID(int=200)
TARGET = uuid.UUID(int=7)


@dataclass
class FakeUser:
    role: str
    agency_id: uuid.UUID
    id: uuid.UUID = uuid.UUID(int=1)
    active: bool = True


# (actor, the account's agency, other active supervisors there, allowed) — from DESIGN §3.
CASES = [
    (FakeUser("supervisor", SOS), SOS, 1, True),
    (FakeUser("supervisor", SOS), SOS, 0, True),
    (FakeUser("supervisor", NUO), SOS, 1, False),
    (FakeUser("supervisor", SOS, id=TARGET), SOS, 1, False),  # the account itself
    (FakeUser("supervisor", SOS, active=False), SOS, 1, False),
    (FakeUser("caseworker", SOS), SOS, 1, False),
    (FakeUser("admin", SOS), SOS, 0, False),
    (FakeUser("auditor", SOS), SOS, 0, False),
    (FakeUser("analyst", SOS), SOS, 0, False),
    (CliActor("users release"), SOS, 0, True),
    (CliActor("users release"), SOS, 1, False),  # a supervisor of the agency is there
]


@pytest.mark.parametrize(("actor", "agency", "others", "allowed"), CASES)
def test_who_may_release(actor: object, agency: uuid.UUID, others: int, allowed: bool) -> None:
    facts = PendingCredential(TARGET, agency, others)
    assert decide(actor, Permission.CREDENTIAL_RELEASE, facts).allowed is allowed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "needs"),
    [
        ("caseworker", True),
        ("supervisor", True),
        ("analyst", False),
        ("auditor", False),
        ("admin", False),
    ],
)
def test_which_roles_wait_for_release(role: str, needs: bool) -> None:
    assert credential_needs_release(role) is needs


def test_a_release_without_facts_is_refused_past_the_route_gate() -> None:
    supervisor = FakeUser("supervisor", SOS)
    assert decide(supervisor, Permission.CREDENTIAL_RELEASE, None).allowed  # the route gate
    assert not decide(supervisor, Permission.CREDENTIAL_RELEASE, object()).allowed
