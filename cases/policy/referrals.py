"""The referral rules (issue 11): who may send a referral, who reads it, who moves it on.

- Sending: a referral of category C from agency S to agency R is allowed exactly when a note of
  category C written by S would be readable by R under the note policy (`note_read`, asked
  about a caseworker of R as if on the team), so the police compartment and the basis table
  apply and a disclosure counts only if it comes from S. A Youth Act §11 referral (no
  category: identification and contact data only) needs an unexpired §11 disclosure from S to
  R that fits both agencies' kinds.
- Reading: the sending side (the sender, and practitioners of the sending agency on the case
  team) and the receiving side (every caseworker and supervisor of the receiving agency, from
  its inbox) read it; other team agencies see that it exists, its agencies and its state;
  analysts, auditors and admins see none of it.
- Moving it on: the receiving agency acknowledges, accepts, declines and completes it and
  records the needs-assessment dates; the sending side withdraws it while open; a supervisor of
  the receiving agency reopens a declined or completed one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.policy.facts import CaseFacts, LegalBasis, NoteFacts, Sensitivity
from cases.policy.notes import note_read, on_team
from cases.policy.permissions import (
    PRACTITIONER_ROLES,
    Decision,
    Permission,
    Reason,
    allow,
    deny,
)
from cases.policy.sharing import disclosure_active, disclosure_fits
from cases.referrals.models import Referral, ReferralState

REFERRAL_PERMISSIONS = frozenset(
    {
        Permission.REFERRAL_SEND,
        Permission.REFERRAL_READ,
        Permission.REFERRAL_STATUS_READ,
        Permission.REFERRAL_ACKNOWLEDGE,
        Permission.REFERRAL_ACCEPT,
        Permission.REFERRAL_DECLINE,
        Permission.REFERRAL_COMPLETE,
        Permission.REFERRAL_WITHDRAW,
        Permission.REFERRAL_REOPEN,
        Permission.REFERRAL_ASSESSMENT_RECORD,
        Permission.REFERRAL_INBOX,
        Permission.REFERRAL_OVERVIEW,
    }
)

S = ReferralState
# The states each transition starts from.
FROM_STATES: dict[Permission, frozenset[str]] = {
    Permission.REFERRAL_ACKNOWLEDGE: frozenset({S.SENT}),
    Permission.REFERRAL_ACCEPT: frozenset({S.SENT, S.ACKNOWLEDGED}),
    Permission.REFERRAL_DECLINE: frozenset({S.SENT, S.ACKNOWLEDGED}),
    Permission.REFERRAL_COMPLETE: frozenset({S.ACCEPTED}),
    Permission.REFERRAL_WITHDRAW: frozenset({S.SENT, S.ACKNOWLEDGED, S.ACCEPTED}),
    Permission.REFERRAL_REOPEN: frozenset({S.DECLINED, S.COMPLETED}),
    Permission.REFERRAL_ASSESSMENT_RECORD: frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.COMPLETED}),
}
# Where each transition leads; a reopened referral goes back to where its answer was given.
TO_STATE: dict[Permission, str] = {
    Permission.REFERRAL_ACKNOWLEDGE: S.ACKNOWLEDGED,
    Permission.REFERRAL_ACCEPT: S.ACCEPTED,
    Permission.REFERRAL_DECLINE: S.DECLINED,
    Permission.REFERRAL_COMPLETE: S.COMPLETED,
    Permission.REFERRAL_WITHDRAW: S.WITHDRAWN,
}
REOPENED_TO = {S.DECLINED: S.ACKNOWLEDGED, S.COMPLETED: S.ACCEPTED}
RECEIVING_WORK = frozenset(
    {
        Permission.REFERRAL_ACKNOWLEDGE,
        Permission.REFERRAL_ACCEPT,
        Permission.REFERRAL_DECLINE,
        Permission.REFERRAL_COMPLETE,
        Permission.REFERRAL_ASSESSMENT_RECORD,
    }
)
# What a closed case no longer takes: joining its team, or opening a referral on it again.
OPEN_CASE_ONLY = frozenset({Permission.REFERRAL_ACCEPT, Permission.REFERRAL_REOPEN})
# The receiving side reads attached notes while the referral is before it or taken on.
NOTES_TO_RECEIVER = frozenset({S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.COMPLETED})


@dataclass(frozen=True)
class ReferralProposal:
    """A referral about to be sent from `from_agency` to `to_agency`; `category` None is a
    Youth Act §11 referral (identification and contact data only)."""

    case: CaseFacts
    from_agency: uuid.UUID
    to_agency: uuid.UUID
    category: str | None


@dataclass(frozen=True)
class ReferralFacts:
    """A referral as the policy sees it."""

    case: CaseFacts
    from_agency: uuid.UUID
    from_user: uuid.UUID | None
    to_agency: uuid.UUID
    state: str
    category: str | None = None
    needs_assessment: bool = False
    id: uuid.UUID | None = None


def referral_facts(referral: Referral, case: CaseFacts) -> ReferralFacts:
    """A referral row and its case's facts as the policy sees them."""
    return ReferralFacts(
        case=case,
        from_agency=referral.from_agency_id,
        from_user=referral.from_user_id,
        to_agency=referral.to_agency_id,
        state=referral.state,
        category=referral.category,
        needs_assessment=referral.needs_assessment,
        id=referral.id,
    )


# No account has this id (accounts get random ones); it stands for "a caseworker of R".
PROBE_USER = uuid.UUID("00000000-0000-4000-8000-00000000005e")


@dataclass(frozen=True)
class _ReceivingReader:
    """A caseworker of the receiving agency named on the team: whom the note rule is asked
    about when a referral shares what a note of its category would."""

    agency_id: uuid.UUID
    id: uuid.UUID = PROBE_USER
    role: str = Role.CASEWORKER
    active: bool = True


def _as_member(case: CaseFacts, agency: uuid.UUID, user: uuid.UUID | None) -> CaseFacts:
    users = case.member_users if user is None else case.member_users | {user}
    return replace(case, member_agencies=case.member_agencies | {agency}, member_users=users)


def sending_basis(
    case: CaseFacts,
    from_agency: uuid.UUID,
    to_agency: uuid.UUID,
    category: str | None,
    now: datetime,
) -> Decision:
    """What lets `from_agency` refer to `to_agency` now: the note rule's verdict on a normal note
    of `category` by `from_agency` read by `to_agency` (or, for a Youth Act §11 referral, a
    fitting §11 disclosure); its basis names the consent or disclosure."""
    if from_agency == to_agency:
        return deny(Reason.SAME_AGENCY)
    if category is None:
        for d in case.disclosures:
            if (
                d.basis == LegalBasis.YOUTH_ACT_11
                and d.from_agency == from_agency
                and d.to_agency == to_agency
                and disclosure_active(d, now, case.rules)
                and disclosure_fits(d, case)
            ):
                return allow(Reason.DISCLOSURE, f"disclosure:{d.id}")
        return deny(Reason.NO_BASIS)
    reader = _ReceivingReader(to_agency)
    note = NoteFacts(
        _as_member(case, to_agency, reader.id), from_agency, category, Sensitivity.NORMAL
    )
    return note_read(reader, note, now)


def _side(actor: Actor, referral: ReferralFacts) -> str:
    if actor.agency_id == referral.to_agency:
        return "receiver"
    if actor.agency_id == referral.from_agency and (
        actor.id == referral.from_user or on_team(actor, referral.case)
    ):
        return "sender"
    if on_team(actor, referral.case):
        return "team"
    return "outsider"


def referral_decision(
    actor: Actor, permission: Permission, resource: Any, now: datetime
) -> Decision:
    """Decide a referral permission (called by `decide` for `REFERRAL_PERMISSIONS`)."""
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    if permission == Permission.REFERRAL_OVERVIEW:
        # Supervisors: their own agency's referrals in and out (the service scopes to it).
        if actor.role != Role.SUPERVISOR:
            return deny(Reason.ROLE_NOT_ALLOWED)
        return allow(Reason.AGENCY_SUPERVISOR)
    if resource is None or permission == Permission.REFERRAL_INBOX:
        # The route gate, and the inbox of the actor's own agency (the service scopes to it).
        return allow(Reason.PRACTITIONER)
    if permission == Permission.REFERRAL_SEND:
        return _send(actor, resource, now)
    if not isinstance(resource, ReferralFacts):
        return deny(Reason.NOT_GRANTED)
    return _on_referral(actor, permission, resource, now)


def _send(actor: Actor, proposal: Any, now: datetime) -> Decision:
    if not isinstance(proposal, ReferralProposal):
        return deny(Reason.NOT_GRANTED)
    if not on_team(actor, proposal.case):
        return deny(Reason.NOT_ON_TEAM)
    if actor.agency_id != proposal.from_agency:
        return deny(Reason.NOT_SENDING_SIDE)
    if proposal.case.closed:
        return deny(Reason.CASE_CLOSED)
    return sending_basis(
        proposal.case, proposal.from_agency, proposal.to_agency, proposal.category, now
    )


def _on_referral(
    actor: Actor, permission: Permission, referral: ReferralFacts, now: datetime
) -> Decision:
    side = _side(actor, referral)
    if side == "outsider":
        # Answered like a referral that does not exist.
        return deny(Reason.NOT_ON_TEAM)
    if permission == Permission.REFERRAL_STATUS_READ:
        reason = {
            "sender": Reason.SENDING_AGENCY,
            "receiver": Reason.RECEIVING_AGENCY,
            "team": Reason.OTHER_TEAM_AGENCY,
        }[side]
        return allow(reason, reason)
    if permission == Permission.REFERRAL_READ:
        if side == "sender":
            reason = Reason.SENDER if actor.id == referral.from_user else Reason.SENDING_AGENCY
            return allow(reason, reason)
        if side == "receiver":
            return _received(referral, now)
        return deny(Reason.NOT_INVOLVED)
    if permission == Permission.REFERRAL_WITHDRAW:
        if side != "sender":
            return deny(Reason.NOT_SENDING_SIDE)
        return _in_state(permission, referral, Reason.SENDING_AGENCY)
    if permission == Permission.REFERRAL_REOPEN:
        if side != "receiver" or actor.role != Role.SUPERVISOR:
            return deny(Reason.NOT_RECEIVING_SUPERVISOR)
        return _in_state(permission, referral, Reason.RECEIVING_AGENCY)
    if permission in RECEIVING_WORK:
        if side != "receiver":
            return deny(Reason.NOT_RECEIVING_AGENCY)
        if permission == Permission.REFERRAL_ASSESSMENT_RECORD and not referral.needs_assessment:
            return deny(Reason.NO_ASSESSMENT_CLOCK)
        decision = _in_state(permission, referral, Reason.RECEIVING_AGENCY)
        if decision and permission == Permission.REFERRAL_ACCEPT:
            return _joining(referral, now)
        return decision
    return deny(Reason.NOT_GRANTED)


def _received(referral: ReferralFacts, now: datetime) -> Decision:
    """The receiving agency reads a referral's content (the person, the reason) while the
    referral is before it or taken on, or, once declined or withdrawn, while the agency is on
    the case team on a basis of its own (the referral no longer makes the person visible to
    it) — and in every state only while what it shared may still be shared: a withdrawn
    consent or an expired disclosure leaves the receiver the referral's state only."""
    if (
        referral.state not in NOTES_TO_RECEIVER
        and referral.to_agency not in referral.case.member_agencies
    ):
        return deny(Reason.NOT_BEFORE_RECEIVER)
    basis = sending_basis(
        referral.case, referral.from_agency, referral.to_agency, referral.category, now
    )
    if not basis:
        return basis
    return allow(Reason.RECEIVING_AGENCY, Reason.RECEIVING_AGENCY, *basis.basis)


def _joining(referral: ReferralFacts, now: datetime) -> Decision:
    """Accepting puts the receiving agency on the team: on the referral's kind of basis, which
    must still hold now (a consent withdrawn since it was sent stops the acceptance)."""
    if referral.to_agency in referral.case.member_agencies:
        return allow(Reason.CASE_TEAM, Reason.CASE_TEAM)
    return sending_basis(
        referral.case, referral.from_agency, referral.to_agency, referral.category, now
    )


def _in_state(permission: Permission, referral: ReferralFacts, reason: Reason) -> Decision:
    if referral.state not in FROM_STATES[permission]:
        return deny(Reason.WRONG_STATE)
    if referral.case.closed and permission in OPEN_CASE_ONLY:
        return deny(Reason.CASE_CLOSED)
    return allow(reason, reason)


def next_state(permission: Permission, referral: ReferralFacts) -> str:
    """The state a transition the policy allowed leads to."""
    if permission == Permission.REFERRAL_REOPEN:
        return REOPENED_TO[ReferralState(referral.state)]
    return TO_STATE.get(permission, referral.state)


def attached_note_decision(
    actor: Actor, referral: ReferralFacts, note: NoteFacts, now: datetime
) -> Decision:
    """Whether `actor` reads a note attached to `referral`, under the note rule at read time:
    the sending side as on the case; the receiving side as a member of the team while the
    referral is before it or taken on (so a withdrawn consent hides the note at once)."""
    if note.case.id != referral.case.id:
        return deny(Reason.NOT_GRANTED)
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    side = _side(actor, referral)
    if side == "outsider":
        return deny(Reason.NOT_ON_TEAM)
    if side == "receiver" and referral.state in NOTES_TO_RECEIVER:
        as_member = replace(note, case=_as_member(note.case, referral.to_agency, actor.id))
        return note_read(actor, as_member, now)
    if side == "team":
        return deny(Reason.NOT_INVOLVED)
    return note_read(actor, note, now)
