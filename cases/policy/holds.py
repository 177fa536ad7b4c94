"""Legal holds (issue 14): only a supervisor of the case's lead agency sets or lifts one, and
never on a young person who is already erased."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.policy.facts import CaseFacts
from cases.policy.notes import case_team_gate
from cases.policy.permissions import Decision, Permission, Reason, allow, deny

HOLD_PERMISSIONS = frozenset({Permission.HOLD_SET, Permission.HOLD_LIFT})


@dataclass(frozen=True)
class HoldFacts:
    """A case as a hold sees it (whether its young person is erased is the case's fact)."""

    case: CaseFacts


def hold_decision(actor: Actor, permission: Permission, resource: Any) -> Decision:
    gate = case_team_gate(actor, permission, resource, HoldFacts, HOLD_PERMISSIONS)
    if gate is not None:
        return gate
    case = resource.case
    if actor.role != Role.SUPERVISOR or actor.agency_id != case.lead_agency:
        return deny(Reason.NOT_LEAD_SUPERVISOR)
    if case.person_erased:
        # Nothing of theirs is left to hold, and a reason could not be encrypted for them.
        return deny(Reason.PERSON_ERASED)
    return allow(Reason.LEAD_SUPERVISOR, Reason.LEAD_SUPERVISOR)
