"""The subject access report's agency part (issue 14, point 4): only a supervisor of an agency
on one of the young person's case teams produces it, for their own agency, and never for a
young person already erased. What goes into it is decided item by item with the ordinary
permissions (`PERSON_READ`, `CASE_READ`, `REFERRAL_READ`, `NOTE_READ`), so the report never
shows its producer more than the policy already does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.policy.facts import CaseFacts
from cases.policy.notes import on_team
from cases.policy.permissions import (
    PRACTITIONER_ROLES,
    Decision,
    Permission,
    Reason,
    allow,
    deny,
)

RIGHTS_PERMISSIONS = frozenset({Permission.SUBJECT_ACCESS_AGENCY_PART})


@dataclass(frozen=True)
class AgencyPartFacts:
    """A young person as the agency part sees them: their id, the facts of all their cases
    (as of now) and whether they are erased."""

    id: uuid.UUID
    cases: tuple[CaseFacts, ...] = ()
    erased: bool = False


def agency_part_decision(actor: Actor, permission: Permission, resource: Any) -> Decision:
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    if actor.role != Role.SUPERVISOR:
        # A caseworker answers for their own work, not for their agency's records.
        return deny(Reason.ROLE_NOT_ALLOWED)
    if resource is None:
        # The route's gate, before the person is loaded; the service asks again with the facts.
        return allow(Reason.AGENCY_SUPERVISOR)
    if not isinstance(resource, AgencyPartFacts) or permission not in RIGHTS_PERMISSIONS:
        return deny(Reason.NOT_GRANTED)
    if not any(on_team(actor, case) for case in resource.cases):
        # Answered like a person who does not exist.
        return deny(Reason.NOT_ON_TEAM)
    if resource.erased:
        return deny(Reason.PERSON_ERASED)
    return allow(Reason.AGENCY_SUPERVISOR, Reason.AGENCY_SUPERVISOR)
