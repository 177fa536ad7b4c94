"""The access policy: the one place that knows who may do what.

Routes and services name a `Permission` and ask `decide` (or `authorize`, which raises); nothing
else in Silta compares roles. Anything not granted below is denied.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select

from audit.events import Actor
from cases.access import (
    CaseFacts,
    DisclosureRequest,
    LegalBasis,
    NoteFacts,
    PersonFacts,
    Sensitivity,
)
from cases.accounts.models import AgencyKind, Role
from cases.casework.models import Case, TeamAgency
from cases.persons.models import Person
from cases.sharing import consent_effective, police_compartment, releasing_disclosures
from core.db import utcnow

__all__ = [
    "Actor",
    "CliActor",
    "Decision",
    "Permission",
    "PolicyDenied",
    "Reason",
    "authorize",
    "decide",
    "visible_persons",
]


class Permission(StrEnum):
    # Any signed-in, active account.
    DASHBOARD_VIEW = "dashboard:view"
    ACCOUNT_MANAGE_OWN = "account:self:manage"
    # Administration of agencies and accounts; never case content.
    AGENCY_LIST = "admin:agency:list"
    AGENCY_CREATE = "admin:agency:create"
    AGENCY_SET_ACTIVE = "admin:agency:set-active"
    USER_LIST = "admin:user:list"
    USER_READ = "admin:user:read"
    USER_CREATE = "admin:user:create"
    USER_SET_ACTIVE = "admin:user:set-active"
    USER_RESET_PASSWORD = "admin:user:reset-password"  # noqa: S105 - a label, not a password
    USER_UNLOCK = "admin:user:unlock"
    USER_END_SESSIONS = "admin:user:end-sessions"
    # The auditor's workspace: metadata of the log, never case content.
    AUDIT_LOG_READ = "audit:log:read"
    AUDIT_LOG_EXPORT = "audit:log:export"
    AUDIT_REPORT_READ = "audit:report:read"
    AUDIT_FLAGS_READ = "audit:flags:read"
    AUDIT_INTEGRITY_READ = "audit:integrity:read"
    AUDIT_VERIFY = "audit:log:verify"
    AUDIT_PERSON_LOOKUP = "audit:person:lookup"
    # The register of young people: practitioners, and only persons visible to them.
    PERSON_CREATE = "person:create"
    PERSON_SEARCH = "person:search"
    PERSON_READ = "person:read"
    PERSON_UPDATE = "person:update"
    # Operators on a host with the keyring: erasure (the retention job) and key management.
    PERSON_SHRED = "person:shred"
    # Case content (DESIGN.md §4); decided on `cases.access` facts.
    NOTE_READ = "case:note:read"
    NOTE_WRITE = "case:note:write"
    CASE_OPEN = "case:open"
    CASE_READ = "case:read"
    TEAM_ADD = "case:team:add"
    CONSENT_RECORD = "case:consent:record"
    CONSENT_WITHDRAW = "case:consent:withdraw"
    DISCLOSURE_CREATE = "case:disclosure:create"
    EMERGENCY_REQUEST = "case:emergency:request"
    EMERGENCY_REVIEW = "case:emergency:review"
    CLOSURE_REQUEST = "case:closure:request"
    CLOSURE_APPROVE = "case:closure:approve"
    CASE_REOPEN = "case:reopen"
    KEYS_MANAGE = "keys:manage"
    # Four-eyes release of a practitioner's credential (issue 9, finding 7).
    CREDENTIAL_PENDING_LIST = "account:credential:list-pending"
    CREDENTIAL_RELEASE = "account:credential:release"


class Reason(StrEnum):
    SIGNED_IN = "signed_in"
    ANONYMOUS = "anonymous"
    ROLE_ADMIN = "role_admin"
    ROLE_AUDITOR = "role_auditor"
    HOST_OPERATOR = "host_operator"
    OWN_ACCOUNT = "own_account"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    INACTIVE = "inactive"
    SELF_ADMINISTRATION = "self_administration"
    NOT_GRANTED = "not_granted"
    PRACTITIONER = "practitioner"
    REGISTERING_AGENCY = "registering_agency"
    ROLE_NO_CONTENT = "role_no_content"
    NOT_VISIBLE = "not_visible"
    # Reading a case note, in the order DESIGN.md §4 evaluates them.
    NOT_ON_TEAM = "not_on_team"
    OWN_AGENCY = "own_agency"
    POLICE_COMPARTMENT = "police_compartment"
    DISCLOSURE = "disclosure"
    EMERGENCY = "emergency"
    RESTRICTED = "restricted"
    CONSENT = "consent"
    NO_BASIS = "no_basis"
    CASE_TEAM = "case_team"
    LEAD_SUPERVISOR = "lead_supervisor"
    NOT_LEAD_SUPERVISOR = "not_lead_supervisor"
    NOT_DISCLOSING_AGENCY = "not_disclosing_agency"
    NOT_LEAD_AGENCY = "not_lead_agency"
    CASE_CLOSED = "case_closed"
    CASE_NOT_CLOSED = "case_not_closed"
    # Four-eyes release of a practitioner's credential.
    AGENCY_SUPERVISOR = "agency_supervisor"
    NOT_AGENCY_SUPERVISOR = "not_agency_supervisor"
    SUPERVISOR_AVAILABLE = "supervisor_available"


@dataclass(frozen=True)
class CliActor:
    """An operator running a Flask CLI command on a host that holds the keyring."""

    name: str
    id: None = None
    role: str = "cli"
    agency_id: None = None
    active: bool = True

    @property
    def label(self) -> str:
        return f"cli:{self.name}"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason
    basis: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.allowed


class PolicyDenied(Exception):
    """Raised by `authorize` when the policy denies an action."""

    def __init__(self, permission: Permission, decision: Decision, resource: Any = None) -> None:
        super().__init__(f"{permission} denied: {decision.reason}")
        self.permission = permission
        self.decision = decision
        # Only the resource's kind and id travel on, never its content.
        self.object_type = type(resource).__name__.lower() if resource is not None else None
        self.object_id = getattr(resource, "id", None)
        # The person the refused action concerns, so the denial is in their access report.
        self.subject_id = subject_of(resource)


def subject_of(resource: Any) -> uuid.UUID | None:
    """The young person whose data a resource of the policy is (None for anything else)."""
    if isinstance(resource, PersonFacts):
        return resource.id
    if isinstance(resource, NoteFacts | DisclosureRequest):
        return resource.case.person_id
    if isinstance(resource, CaseFacts):
        return resource.person_id
    return None


_ANY_ACCOUNT = {Permission.DASHBOARD_VIEW, Permission.ACCOUNT_MANAGE_OWN}

_ADMIN_ONLY = {
    Permission.AGENCY_LIST,
    Permission.AGENCY_CREATE,
    Permission.AGENCY_SET_ACTIVE,
    Permission.USER_LIST,
    Permission.USER_READ,
    Permission.USER_CREATE,
    Permission.USER_SET_ACTIVE,
    Permission.USER_RESET_PASSWORD,
    Permission.USER_UNLOCK,
    Permission.USER_END_SESSIONS,
}

_AUDITOR_ONLY = {
    Permission.AUDIT_LOG_READ,
    Permission.AUDIT_LOG_EXPORT,
    Permission.AUDIT_REPORT_READ,
    Permission.AUDIT_FLAGS_READ,
    Permission.AUDIT_INTEGRITY_READ,
    Permission.AUDIT_VERIFY,
    Permission.AUDIT_PERSON_LOOKUP,
}

_CLI_ONLY = {Permission.PERSON_SHRED, Permission.KEYS_MANAGE}

# Practitioner work on the register; a single person is further limited to visible persons.
_PRACTITIONER_ROLES = {Role.CASEWORKER, Role.SUPERVISOR}
_REGISTER = {Permission.PERSON_CREATE, Permission.PERSON_SEARCH}
_ONE_PERSON = {Permission.PERSON_READ, Permission.PERSON_UPDATE, Permission.CASE_OPEN}
# Acting on a case: practitioners on its team (DESIGN.md §3).
_TEAM_WORK = {
    Permission.CASE_READ,
    Permission.NOTE_WRITE,
    Permission.TEAM_ADD,
    Permission.CONSENT_RECORD,
    Permission.CONSENT_WITHDRAW,
    Permission.EMERGENCY_REQUEST,
    Permission.CLOSURE_REQUEST,
}
# Decisions for the lead agency's supervisors.
_LEAD_SUPERVISOR = {
    Permission.CLOSURE_APPROVE,
    Permission.EMERGENCY_REVIEW,
    Permission.CASE_REOPEN,
}
# What a closed case no longer takes (DESIGN.md §3); reading it and withdrawing a consent
# (which only narrows sharing) go on.
_OPEN_CASE_ONLY = {
    Permission.NOTE_WRITE,
    Permission.TEAM_ADD,
    Permission.CONSENT_RECORD,
    Permission.DISCLOSURE_CREATE,
    Permission.EMERGENCY_REQUEST,
    Permission.CLOSURE_REQUEST,
}
# Widening sharing by consent is for the lead agency's caseworkers and supervisors.
_LEAD_AGENCY = {Permission.CONSENT_RECORD}

# Actions an admin may not take on their own account through the admin pages: it would let
# one admin lock themselves out or bypass the password-change flow.
_NOT_ON_SELF = {
    Permission.USER_SET_ACTIVE,
    Permission.USER_RESET_PASSWORD,
}


def _allow(reason: Reason, *basis: str) -> Decision:
    return Decision(True, reason, basis)


def _deny(reason: Reason) -> Decision:
    return Decision(False, reason)


def decide(
    actor: Actor | None, permission: Permission, resource: Any = None, now: datetime | None = None
) -> Decision:
    """Decide whether `actor` may exercise `permission` on `resource` at `now`."""
    if actor is None:
        return _deny(Reason.ANONYMOUS)
    if not actor.active:
        return _deny(Reason.INACTIVE)
    if permission in _CREDENTIAL_RELEASE:
        return _credential_release(actor, permission, resource)
    if isinstance(actor, CliActor):
        if (
            permission in _ADMIN_ONLY
            or permission in _CLI_ONLY
            or permission == Permission.AUDIT_VERIFY
        ):
            return _allow(Reason.HOST_OPERATOR)
        return _deny(Reason.NOT_GRANTED)
    if permission in _ANY_ACCOUNT:
        return _allow(Reason.SIGNED_IN)
    if permission in _ADMIN_ONLY:
        if actor.role != Role.ADMIN:
            return _deny(Reason.ROLE_NOT_ALLOWED)
        if permission in _NOT_ON_SELF and getattr(resource, "id", None) == actor.id:
            return _deny(Reason.SELF_ADMINISTRATION)
        return _allow(Reason.ROLE_ADMIN)
    if permission in _AUDITOR_ONLY:
        if actor.role != Role.AUDITOR:
            return _deny(Reason.ROLE_NOT_ALLOWED)
        return _allow(Reason.ROLE_AUDITOR)
    case_permissions = (
        _TEAM_WORK
        | _LEAD_SUPERVISOR
        | {
            Permission.NOTE_READ,
            Permission.DISCLOSURE_CREATE,
        }
    )
    if permission in case_permissions:
        if actor.role not in _PRACTITIONER_ROLES:
            return _deny(Reason.ROLE_NO_CONTENT)
        if resource is None:
            return _allow(Reason.PRACTITIONER)
        if permission == Permission.NOTE_READ:
            return _note_read(actor, resource, now or utcnow())
        return _case_work(actor, permission, resource)
    if permission in _REGISTER or permission in _ONE_PERSON:
        if actor.role not in _PRACTITIONER_ROLES:
            return _deny(Reason.ROLE_NO_CONTENT)
        if permission in _REGISTER:
            return _allow(Reason.PRACTITIONER)
        return _person_visible(actor, resource)
    return _deny(Reason.NOT_GRANTED)


# --- Four-eyes release of practitioners' credentials (issue 9, finding 7) -------------------
# An admin's creation or reset of an account that can read case content yields a pending
# credential; a supervisor of the account's agency (not the account itself) releases it, and
# only where the agency has no other active supervisor does a host operator, with the CLI.

_CREDENTIAL_RELEASE = {Permission.CREDENTIAL_PENDING_LIST, Permission.CREDENTIAL_RELEASE}


@dataclass(frozen=True)
class PendingCredential:
    """What the release rule needs to know about an account waiting for its credential."""

    user_id: uuid.UUID
    agency_id: uuid.UUID
    # Active supervisors of the agency, other than the account, who can sign in to release it.
    other_supervisors: int


def credential_needs_release(role: str) -> bool:
    """Accounts that can read case content get their first or reset credential from a second
    person, so the admin who made it never holds a practitioner's password."""
    return role in _PRACTITIONER_ROLES


def _credential_release(actor: Actor, permission: Permission, resource: Any) -> Decision:
    if isinstance(actor, CliActor):
        if isinstance(resource, PendingCredential) and resource.other_supervisors > 0:
            return _deny(Reason.SUPERVISOR_AVAILABLE)
        return _allow(Reason.HOST_OPERATOR)
    if actor.role != Role.SUPERVISOR:
        return _deny(Reason.ROLE_NOT_ALLOWED)
    if resource is None or permission == Permission.CREDENTIAL_PENDING_LIST:
        # The route guard asks before the account is loaded; the service asks with it.
        return _allow(Reason.AGENCY_SUPERVISOR)
    if not isinstance(resource, PendingCredential):
        return _deny(Reason.NOT_GRANTED)
    if resource.user_id == actor.id:
        return _deny(Reason.SELF_ADMINISTRATION)
    if resource.agency_id != actor.agency_id:
        return _deny(Reason.NOT_AGENCY_SUPERVISOR)
    return _allow(Reason.AGENCY_SUPERVISOR)


# --- end of the credential-release block -----------------------------------------------------


def _person_visible(actor: Actor, person: Any) -> Decision:
    # DESIGN.md §3: the registering agency and the agencies on the person's case teams.
    if person is None:
        # The route guard asks before the person is loaded: the role may hold this permission;
        # the service asks again with the person.
        return _allow(Reason.PRACTITIONER)
    if not isinstance(person, PersonFacts):
        return _deny(Reason.NOT_VISIBLE)
    if person.registered_by_agency == actor.agency_id:
        return _allow(Reason.REGISTERING_AGENCY, Reason.REGISTERING_AGENCY)
    if actor.agency_id in person.team_agencies:
        return _allow(Reason.CASE_TEAM, Reason.CASE_TEAM)
    return _deny(Reason.NOT_VISIBLE)


def _case_work(actor: Actor, permission: Permission, resource: Any) -> Decision:
    case = resource.case if isinstance(resource, DisclosureRequest) else resource
    if not isinstance(case, CaseFacts):
        return _deny(Reason.NOT_GRANTED)
    if not on_team(actor, case):
        return _deny(Reason.NOT_ON_TEAM)
    if case.closed and permission in _OPEN_CASE_ONLY:
        return _deny(Reason.CASE_CLOSED)
    if permission == Permission.CASE_REOPEN and not case.closed:
        return _deny(Reason.CASE_NOT_CLOSED)
    if permission in _LEAD_SUPERVISOR:
        if actor.role != Role.SUPERVISOR or actor.agency_id != case.lead_agency:
            return _deny(Reason.NOT_LEAD_SUPERVISOR)
        return _allow(Reason.LEAD_SUPERVISOR, Reason.LEAD_SUPERVISOR)
    if permission in _LEAD_AGENCY and actor.agency_id != case.lead_agency:
        return _deny(Reason.NOT_LEAD_AGENCY)
    if permission == Permission.DISCLOSURE_CREATE and (
        not isinstance(resource, DisclosureRequest) or resource.from_agency != actor.agency_id
    ):
        # Only the agency whose notes a disclosure releases may grant it.
        return _deny(Reason.NOT_DISCLOSING_AGENCY)
    return _allow(Reason.CASE_TEAM, Reason.CASE_TEAM)


def visible_persons(actor: Actor | None) -> ColumnElement[bool]:
    """The SQL condition selecting the persons `actor` may see (search, duplicate checks).

    It states the same rule as `_person_visible`, for queries: a person the condition
    excludes is one the actor must not learn exists.
    """
    if (
        actor is None
        or not actor.active
        or isinstance(actor, CliActor)
        or actor.role not in _PRACTITIONER_ROLES
    ):
        return false()
    now = utcnow()
    on_a_team = (
        select(Case.person_id)
        .join(TeamAgency, TeamAgency.case_id == Case.id)
        .where(
            TeamAgency.agency_id == actor.agency_id,
            TeamAgency.start_at <= now,
            or_(TeamAgency.end_at.is_(None), TeamAgency.end_at > now),
        )
    )
    return and_(
        Person.erased_at.is_(None),
        or_(Person.registered_by_agency_id == actor.agency_id, Person.id.in_(on_a_team)),
    )


def cases_worth_checking(actor: Actor | None) -> ColumnElement[bool]:
    """An SQL pre-filter for "my cases": cases on which the actor's agency is a current member.

    Necessary for every case permission (see `on_team`), so it only saves work; `decide` is
    still asked about each case it lets through.
    """
    if actor is None or isinstance(actor, CliActor) or actor.role not in _PRACTITIONER_ROLES:
        return false()
    now = utcnow()
    return Case.id.in_(
        select(TeamAgency.case_id).where(
            TeamAgency.agency_id == actor.agency_id,
            TeamAgency.start_at <= now,
            or_(TeamAgency.end_at.is_(None), TeamAgency.end_at > now),
        )
    )


def authorize(
    actor: Actor | None, permission: Permission, resource: Any = None, now: datetime | None = None
) -> Decision:
    """Return the allowing decision or raise PolicyDenied."""
    decision = decide(actor, permission, resource, now)
    if not decision.allowed:
        raise PolicyDenied(permission, decision, resource)
    return decision


def on_team(actor: Actor, case: CaseFacts) -> bool:
    """A caseworker must be named on the team; a supervisor's agency must be a member."""
    if actor.role == Role.SUPERVISOR:
        return actor.agency_id in case.member_agencies
    return actor.id in case.member_users and actor.agency_id in case.member_agencies


def _note_read(actor: Actor, note: Any, now: datetime) -> Decision:
    if not isinstance(note, NoteFacts):
        return _deny(Reason.NOT_GRANTED)
    case = note.case
    if not on_team(actor, case):
        return _deny(Reason.NOT_ON_TEAM)
    if note.author_agency == actor.agency_id:
        return _allow(Reason.OWN_AGENCY, Reason.OWN_AGENCY)
    # Only a disclosure whose basis fits both agencies' kinds counts (DESIGN.md §3's table).
    disclosures = releasing_disclosures(
        case, note.author_agency, actor.agency_id, note.category, now
    )
    reader_is_police = case.agency_kinds.get(actor.agency_id) == AgencyKind.POLICE  # type: ignore[arg-type]
    if reader_is_police and police_compartment(note.category):
        section_18 = [d for d in disclosures if d.basis == LegalBasis.POLICE_812_18]
        if section_18:
            return _allow(Reason.DISCLOSURE, _basis("disclosure", section_18[0].id))
        return _deny(Reason.POLICE_COMPARTMENT)
    if disclosures:
        return _allow(Reason.DISCLOSURE, _basis("disclosure", disclosures[0].id))
    if note.sensitivity == Sensitivity.NORMAL:
        for emergency in case.emergencies:
            if emergency.user_id == actor.id and emergency.granted_at <= now < emergency.expires_at:
                return _allow(Reason.EMERGENCY, _basis("emergency", emergency.id))
    if note.sensitivity == Sensitivity.RESTRICTED:
        return _deny(Reason.RESTRICTED)
    for consent in case.consents:
        if (
            consent_effective(consent, case, now)
            and actor.agency_id in consent.recipients
            and note.category in consent.categories
        ):
            return _allow(Reason.CONSENT, _basis("consent", consent.id))
    return _deny(Reason.NO_BASIS)


def _basis(kind: str, identifier: uuid.UUID | None) -> str:
    return kind if identifier is None else f"{kind}:{identifier}"
