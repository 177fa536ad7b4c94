"""The young person's summary (issue 14, point 5): who may produce it and for whom.

Whoever may see the case's consents today (a practitioner on the case team, on an open or a
closed case) may produce it for the young person; a guardian's version is refused when the young
person forbids disclosure to their guardian (DESIGN.md §4), and nothing is produced about a
person who is erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from audit.events import Actor
from cases.policy.facts import CaseFacts
from cases.policy.notes import case_team_gate
from cases.policy.permissions import Decision, Permission, Reason, allow, deny

SUMMARY_PERMISSIONS = frozenset({Permission.SUMMARY_PRODUCE})


class Audience(StrEnum):
    """Whom the summary speaks to."""

    YOUNG_PERSON = "young_person"
    GUARDIAN = "guardian"


@dataclass(frozen=True)
class SummaryRequest:
    """A summary about to be produced: the case, for whom, and what the person's register
    entry says about guardians and erasure."""

    case: CaseFacts
    audience: Audience
    forbids_guardian_disclosure: bool = False
    person_erased: bool = False


def summary_decision(actor: Actor, permission: Permission, resource: Any) -> Decision:
    gate = case_team_gate(actor, permission, resource, SummaryRequest, SUMMARY_PERMISSIONS)
    if gate is not None:
        return gate
    if resource.person_erased:
        return deny(Reason.PERSON_ERASED)
    if resource.audience == Audience.GUARDIAN and resource.forbids_guardian_disclosure:
        return deny(Reason.GUARDIAN_FORBIDDEN)
    return allow(Reason.CASE_TEAM, Reason.CASE_TEAM)
