"""The access decision: `decide(actor, permission, resource, now)` on plain facts.

Routes and services name a `Permission` and ask `decide` (or `authorize`, which raises); anything
not granted by the tables in `cases.policy.permissions` is denied.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from audit.events import Actor
from cases.accounts.models import Role
from cases.policy.credentials import CREDENTIAL_RELEASE, credential_release
from cases.policy.facts import (
    CaseFacts,
    DisclosureRequest,
    NoteFacts,
    NotificationFacts,
    PersonFacts,
)
from cases.policy.holds import HOLD_PERMISSIONS, HoldFacts, hold_decision
from cases.policy.meetings import (
    MEETING_PERMISSIONS,
    ActionFacts,
    MeetingCase,
    MeetingFacts,
    meeting_decision,
)
from cases.policy.notes import note_read, on_team
from cases.policy.permissions import (
    ADMIN_ONLY,
    ANALYST_ONLY,
    ANY_ACCOUNT,
    AUDITOR_ONLY,
    CLI_ONLY,
    LEAD_AGENCY,
    LEAD_SUPERVISOR,
    NOT_ON_SELF,
    NOTIFICATIONS,
    ONE_PERSON,
    OPEN_CASE_ONLY,
    PRACTITIONER_ROLES,
    REGISTER,
    TEAM_WORK,
    CliActor,
    Decision,
    Permission,
    Reason,
    allow,
    deny,
)
from cases.policy.referrals import (
    REFERRAL_PERMISSIONS,
    ReferralFacts,
    ReferralProposal,
    referral_decision,
)
from cases.policy.rights import RIGHTS_PERMISSIONS, AgencyPartFacts, agency_part_decision
from cases.policy.summary import SUMMARY_PERMISSIONS, SummaryRequest, summary_decision
from core.db import utcnow


class PolicyDenied(Exception):
    """Raised by `authorize` when the policy denies an action."""

    def __init__(self, permission: Permission, decision: Decision, resource: Any = None) -> None:
        super().__init__(f"{permission} denied: {decision.reason}")
        self.permission = permission
        self.decision = decision
        # Only the resource's kind and id travel on, never its content. A refusal about a
        # person names the person (the one denial type for every area).
        self.object_type = _kind_of(resource)
        self.object_id = getattr(resource, "id", None)
        # The person the refused action concerns, so the denial is in their access report.
        self.subject_id = subject_of(resource)


def _kind_of(resource: Any) -> str | None:
    if resource is None:
        return None
    if isinstance(resource, PersonFacts | AgencyPartFacts):
        return "person"
    if isinstance(resource, ReferralFacts | ReferralProposal):
        return "referral"
    if isinstance(resource, CaseFacts | DisclosureRequest | HoldFacts | SummaryRequest):
        return "case"
    if isinstance(resource, MeetingFacts | MeetingCase):
        return "meeting"
    if isinstance(resource, ActionFacts):
        return "action_item"
    return type(resource).__name__.lower()


def subject_of(resource: Any) -> uuid.UUID | None:
    """The young person whose data a resource of the policy is (None for anything else)."""
    if isinstance(resource, PersonFacts | AgencyPartFacts):
        return resource.id
    if isinstance(
        resource,
        NoteFacts
        | DisclosureRequest
        | ReferralFacts
        | ReferralProposal
        | MeetingCase
        | ActionFacts
        | HoldFacts
        | SummaryRequest,
    ):
        return resource.case.person_id
    if isinstance(resource, CaseFacts):
        return resource.person_id
    return None


def decide(
    actor: Actor | None, permission: Permission, resource: Any = None, now: datetime | None = None
) -> Decision:
    """Decide whether `actor` may exercise `permission` on `resource` at `now`."""
    if actor is None:
        return deny(Reason.ANONYMOUS)
    if not actor.active:
        return deny(Reason.INACTIVE)
    if permission in CREDENTIAL_RELEASE:
        return credential_release(actor, permission, resource)
    if isinstance(actor, CliActor):
        if (
            permission in ADMIN_ONLY
            or permission in CLI_ONLY
            or permission == Permission.AUDIT_VERIFY
        ):
            return allow(Reason.HOST_OPERATOR)
        return deny(Reason.NOT_GRANTED)
    if permission in ANY_ACCOUNT:
        return allow(Reason.SIGNED_IN)
    if permission in ADMIN_ONLY:
        if actor.role != Role.ADMIN:
            return deny(Reason.ROLE_NOT_ALLOWED)
        if permission in NOT_ON_SELF and getattr(resource, "id", None) == actor.id:
            return deny(Reason.SELF_ADMINISTRATION)
        return allow(Reason.ROLE_ADMIN)
    if permission in AUDITOR_ONLY:
        if actor.role != Role.AUDITOR:
            return deny(Reason.ROLE_NOT_ALLOWED)
        return allow(Reason.ROLE_AUDITOR)
    if permission in ANALYST_ONLY:
        if actor.role != Role.ANALYST:
            return deny(Reason.ROLE_NOT_ALLOWED)
        return allow(Reason.ROLE_ANALYST)
    if permission in REFERRAL_PERMISSIONS:
        return referral_decision(actor, permission, resource, now or utcnow())
    if permission in MEETING_PERMISSIONS:
        return meeting_decision(actor, permission, resource, now or utcnow())
    if permission in NOTIFICATIONS:
        return _own_notification(actor, resource)
    if permission in HOLD_PERMISSIONS:
        return hold_decision(actor, permission, resource)
    if permission in RIGHTS_PERMISSIONS:
        return agency_part_decision(actor, permission, resource)
    if permission in SUMMARY_PERMISSIONS:
        return summary_decision(actor, permission, resource)
    case_permissions = (
        TEAM_WORK
        | LEAD_SUPERVISOR
        | {
            Permission.NOTE_READ,
            Permission.DISCLOSURE_CREATE,
        }
    )
    if permission in case_permissions:
        if actor.role not in PRACTITIONER_ROLES:
            return deny(Reason.ROLE_NO_CONTENT)
        if resource is None:
            return allow(Reason.PRACTITIONER)
        if permission == Permission.NOTE_READ:
            return note_read(actor, resource, now or utcnow())
        return _case_work(actor, permission, resource)
    if permission in REGISTER or permission in ONE_PERSON:
        if actor.role not in PRACTITIONER_ROLES:
            return deny(Reason.ROLE_NO_CONTENT)
        if permission in REGISTER:
            return allow(Reason.PRACTITIONER)
        return _person_visible(actor, resource, permission)
    return deny(Reason.NOT_GRANTED)


def _own_notification(actor: Actor, notification: Any) -> Decision:
    """Practitioners' own notifications (only they ever get any: they are about referrals)."""
    if actor.role not in PRACTITIONER_ROLES:
        return deny(Reason.ROLE_NO_CONTENT)
    if notification is None:
        # The route gate and the user's own list (the service scopes it to the user).
        return allow(Reason.PRACTITIONER)
    if not isinstance(notification, NotificationFacts) or notification.user_id != actor.id:
        return deny(Reason.NOT_OWN_NOTIFICATION)
    return allow(Reason.OWN_NOTIFICATION)


def _person_visible(actor: Actor, person: Any, permission: Permission) -> Decision:
    # DESIGN.md §3: the registering agency and the agencies on the person's case teams; issue
    # 11: the agency an open referral is addressed to reads the person (their name and identity
    # code are what makes the referral workable) but neither edits them nor opens a case.
    if person is None:
        # The route guard asks before the person is loaded: the role may hold this permission;
        # the service asks again with the person.
        return allow(Reason.PRACTITIONER)
    if not isinstance(person, PersonFacts):
        return deny(Reason.NOT_VISIBLE)
    if person.registered_by_agency == actor.agency_id:
        return allow(Reason.REGISTERING_AGENCY, Reason.REGISTERING_AGENCY)
    if actor.agency_id in person.team_agencies:
        return allow(Reason.CASE_TEAM, Reason.CASE_TEAM)
    if permission == Permission.PERSON_READ and actor.agency_id in person.referred_to_agencies:
        return allow(Reason.RECEIVING_AGENCY, Reason.RECEIVING_AGENCY)
    return deny(Reason.NOT_VISIBLE)


def _case_work(actor: Actor, permission: Permission, resource: Any) -> Decision:
    case = resource.case if isinstance(resource, DisclosureRequest) else resource
    if not isinstance(case, CaseFacts):
        return deny(Reason.NOT_GRANTED)
    if not on_team(actor, case):
        return deny(Reason.NOT_ON_TEAM)
    if case.closed and permission in OPEN_CASE_ONLY:
        return deny(Reason.CASE_CLOSED)
    if permission == Permission.CASE_REOPEN and not case.closed:
        return deny(Reason.CASE_NOT_CLOSED)
    if permission == Permission.CASE_REOPEN and case.person_erased:
        # Nothing of an erased young person can be read or worked on again (attack on issue
        # 14: reopening their case was a 500).
        return deny(Reason.PERSON_ERASED)
    if permission in LEAD_SUPERVISOR:
        if actor.role != Role.SUPERVISOR or actor.agency_id != case.lead_agency:
            return deny(Reason.NOT_LEAD_SUPERVISOR)
        return allow(Reason.LEAD_SUPERVISOR, Reason.LEAD_SUPERVISOR)
    if permission in LEAD_AGENCY and actor.agency_id != case.lead_agency:
        return deny(Reason.NOT_LEAD_AGENCY)
    if permission == Permission.DISCLOSURE_CREATE and (
        not isinstance(resource, DisclosureRequest) or resource.from_agency != actor.agency_id
    ):
        # Only the agency whose notes a disclosure releases may grant it.
        return deny(Reason.NOT_DISCLOSING_AGENCY)
    return allow(Reason.CASE_TEAM, Reason.CASE_TEAM)


def authorize(
    actor: Actor | None, permission: Permission, resource: Any = None, now: datetime | None = None
) -> Decision:
    """Return the allowing decision or raise PolicyDenied."""
    decision = decide(actor, permission, resource, now)
    if not decision.allowed:
        raise PolicyDenied(permission, decision, resource)
    return decision
