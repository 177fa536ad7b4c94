"""Reading a case note (DESIGN.md §4's order) and who is on a case team: the rules `decide`
applies to notes, and the referral rules reuse (`cases.policy.referrals`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from audit.events import Actor
from cases.accounts.models import AgencyKind, Role
from cases.policy.facts import CaseFacts, LegalBasis, NoteFacts, Sensitivity
from cases.policy.permissions import Decision, Reason, allow, deny
from cases.policy.sharing import consent_effective, police_compartment, releasing_disclosures


def on_team(actor: Actor, case: CaseFacts) -> bool:
    """A caseworker must be named on the team; a supervisor's agency must be a member."""
    if actor.role == Role.SUPERVISOR:
        return actor.agency_id in case.member_agencies
    return actor.id in case.member_users and actor.agency_id in case.member_agencies


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
