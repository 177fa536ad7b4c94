"""Four-eyes release of practitioners' credentials (issue 9, finding 7).

An admin's creation or reset of an account that can read case content yields a pending
credential; a supervisor of the account's agency (not the account itself) releases it, and
only where the agency has no other active supervisor does a host operator, with the CLI.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.policy.permissions import (
    PRACTITIONER_ROLES,
    CliActor,
    Decision,
    Permission,
    Reason,
    allow,
    deny,
)

CREDENTIAL_RELEASE = frozenset({Permission.CREDENTIAL_PENDING_LIST, Permission.CREDENTIAL_RELEASE})


@dataclass(frozen=True)
class PendingCredential:
    """What the release rule needs to know about an account waiting for its credential."""

    user_id: uuid.UUID
    agency_id: uuid.UUID
    # Active supervisors of the agency, other than the account, who can sign in to release it.
    other_supervisors: int


def works_on_cases(role: str) -> bool:
    """Whether accounts of this role read and write case content (practitioners)."""
    return role in PRACTITIONER_ROLES


def credential_needs_release(role: str) -> bool:
    """Accounts that can read case content get their first or reset credential from a second
    person, so the admin who made it never holds a practitioner's password."""
    return role in PRACTITIONER_ROLES


def credential_release(actor: Actor, permission: Permission, resource: Any) -> Decision:
    if isinstance(actor, CliActor):
        if isinstance(resource, PendingCredential) and resource.other_supervisors > 0:
            return deny(Reason.SUPERVISOR_AVAILABLE)
        return allow(Reason.HOST_OPERATOR)
    if actor.role != Role.SUPERVISOR:
        return deny(Reason.ROLE_NOT_ALLOWED)
    if resource is None or permission == Permission.CREDENTIAL_PENDING_LIST:
        # The route guard asks before the account is loaded; the service asks with it.
        return allow(Reason.AGENCY_SUPERVISOR)
    if not isinstance(resource, PendingCredential):
        return deny(Reason.NOT_GRANTED)
    if resource.user_id == actor.id:
        return deny(Reason.SELF_ADMINISTRATION)
    if resource.agency_id != actor.agency_id:
        return deny(Reason.NOT_AGENCY_SUPERVISOR)
    return allow(Reason.AGENCY_SUPERVISOR)
