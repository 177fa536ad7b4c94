"""The case a policy table about one case's team is written against: the lead agency and a
member agency on its team, an agency outside it, and one user (`NAMED`) named on it or not;
`Someone` is an actor of any role and agency, that user by default."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cases.policy.facts import CaseFacts

LEAD, MEMBER, OUTSIDE = uuid.UUID(int=100), uuid.UUID(int=300), uuid.UUID(int=400)
NAMED = uuid.UUID(int=1)


@dataclass
class Someone:
    role: str
    agency_id: uuid.UUID
    id: uuid.UUID = NAMED
    active: bool = True


def team_case(named: bool, closed: bool) -> CaseFacts:
    """A case of `LEAD` with `MEMBER` on its team, and `NAMED` on it when `named`."""
    return CaseFacts(
        id=uuid.uuid4(),
        lead_agency=LEAD,
        member_agencies=frozenset({LEAD, MEMBER}),
        member_users=frozenset({NAMED} if named else set()),
        person_id=uuid.UUID(int=900),
        closed=closed,
    )
