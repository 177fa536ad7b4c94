"""Reading a case note (DESIGN.md §4's order) and who is on a case team: the rules `decide`
applies to notes, and the referral rules reuse (`cases.policy.referrals`); and the gate every
decision on one case's team facts starts with (holds, the young person's summary)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from audit.events import Actor
from cases.accounts.models import AgencyKind, Role
from cases.policy.facts import CaseFacts, LegalBasis, NoteFacts, Sensitivity
from cases.policy.permissions import PRACTITIONER_ROLES, Decision, Permission, Reason, allow, deny
from cases.policy.sharing import consent_effective, police_compartment, releasing_disclosures


def on_team(actor: Actor, case: CaseFacts) -> bool:
    """A caseworker must be named on the team; a supervisor's agency must be a member."""
    if actor.role == Role.SUPERVISOR:
        return actor.agency_id in case.member_agencies
    return actor.id in case.member_users and actor.agency_id in case.member_agencies


class OnCase(Protocol):
    """Facts about one case, the case's own as `.case`."""

    @property
    def case(self) -> CaseFacts: ...


def case_team_gate(
    actor: Actor,
    permission: Permission,
    resource: Any,
    kind: type[OnCase],
    permissions: frozenset[Permission],
) -> Decision | None:
    """The first steps of a decision on one case's facts (a `kind`, its case as `.case`):
    practitioners only; the route's gate (no resource yet: the service asks again with the
    facts) lets them through; anything but a `kind` for one of `permissions` is refused, and so
    is an actor not on the case's team. None: the decision goes on."""
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    if resource is None:
        return allow(Reason.PRACTITIONER)
    if not isinstance(resource, kind) or permission not in permissions:
        return deny(Reason.NOT_GRANTED)
    if not on_team(actor, resource.case):
        return deny(Reason.NOT_ON_TEAM)
    return None


def note_read(actor: Actor, note: Any, now: datetime) -> Decision:
    if not isinstance(note, NoteFacts):
        return deny(Reason.NOT_GRANTED)
    case = note.case
    if not on_team(actor, case):
        return deny(Reason.NOT_ON_TEAM)
    if note.author_agency == actor.agency_id:
        return allow(Reason.OWN_AGENCY, Reason.OWN_AGENCY)
    # Only a disclosure whose basis fits both agencies' kinds counts (DESIGN.md §3's table).
    disclosures = releasing_disclosures(
        case, note.author_agency, actor.agency_id, note.category, now
    )
    reader_is_police = case.agency_kinds.get(actor.agency_id) == AgencyKind.POLICE  # type: ignore[arg-type]
    if reader_is_police and police_compartment(note.category):
        section_18 = [d for d in disclosures if d.basis == LegalBasis.POLICE_812_18]
        if section_18:
            return allow(Reason.DISCLOSURE, _basis("disclosure", section_18[0].id))
        return deny(Reason.POLICE_COMPARTMENT)
    if disclosures:
        return allow(Reason.DISCLOSURE, _basis("disclosure", disclosures[0].id))
    if note.sensitivity == Sensitivity.NORMAL:
        for emergency in case.emergencies:
            if emergency.user_id == actor.id and emergency.granted_at <= now < emergency.expires_at:
                return allow(Reason.EMERGENCY, _basis("emergency", emergency.id))
    if note.sensitivity == Sensitivity.RESTRICTED:
        return deny(Reason.RESTRICTED)
    for consent in case.consents:
        if (
            consent_effective(consent, case, now)
            and actor.agency_id in consent.recipients
            and note.category in consent.categories
        ):
            return allow(Reason.CONSENT, _basis("consent", consent.id))
    return deny(Reason.NO_BASIS)


def _basis(kind: str, identifier: uuid.UUID | None) -> str:
    return kind if identifier is None else f"{kind}:{identifier}"
