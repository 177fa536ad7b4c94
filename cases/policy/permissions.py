"""The policy's vocabulary and tables: permissions, reasons, and which roles hold which
permissions. Nothing else in Silta compares roles; `cases.policy.decisions` reads these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cases.accounts.models import Role


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
    # Case content (DESIGN.md §4); decided on `cases.policy.facts` facts.
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
    # Referrals between agencies (issue 11); decided in `cases.policy.referrals`.
    REFERRAL_SEND = "case:referral:send"
    REFERRAL_READ = "case:referral:read"
    REFERRAL_STATUS_READ = "case:referral:status"
    REFERRAL_ACKNOWLEDGE = "case:referral:acknowledge"
    REFERRAL_ACCEPT = "case:referral:accept"
    REFERRAL_DECLINE = "case:referral:decline"
    REFERRAL_COMPLETE = "case:referral:complete"
    REFERRAL_WITHDRAW = "case:referral:withdraw"
    REFERRAL_REOPEN = "case:referral:reopen"
    REFERRAL_ASSESSMENT_RECORD = "case:referral:assessment"
    REFERRAL_INBOX = "case:referral:inbox"
    REFERRAL_OVERVIEW = "referral:overview:read"
    # Four-eyes release of a practitioner's credential (issue 9, finding 7).
    CREDENTIAL_PENDING_LIST = "account:credential:list-pending"
    CREDENTIAL_RELEASE = "account:credential:release"
    # Notifications about referrals (issue 11): a practitioner's own, nobody else's.
    NOTIFICATION_LIST = "notification:list"
    NOTIFICATION_MARK_READ = "notification:mark-read"
    # The operators' cron commands: mailing the outbox, escalating overdue referrals.
    NOTIFICATION_MAIL = "notification:mail"
    REFERRAL_ESCALATE = "referral:escalate"
    # Setting an account's address for the notification mail.
    USER_SET_EMAIL = "admin:user:set-email"
    # Multi-agency meetings (issue 12); decided in `cases.policy.meetings`. Minute entries,
    # action items and addenda are read as notes (`NOTE_READ`).
    MEETING_CREATE = "meeting:create"
    MEETING_LIST = "meeting:list"
    MEETING_READ = "meeting:read"
    MEETING_UPDATE = "meeting:update"
    MEETING_CANCEL = "meeting:cancel"
    MEETING_HOLD = "meeting:hold"
    MEETING_AGENDA_ADD = "meeting:agenda:add"
    MEETING_ATTENDANCE_RECORD = "meeting:attendance:record"
    MEETING_MINUTES_WRITE = "meeting:minutes:write"
    MEETING_MINUTES_SUBMIT = "meeting:minutes:submit"
    MEETING_MINUTES_APPROVE = "meeting:minutes:approve"
    MEETING_MINUTES_RETURN = "meeting:minutes:return"
    MEETING_ADDENDUM_WRITE = "meeting:addendum:write"
    MEETING_PRINT = "meeting:print"
    MEETING_REVIEW_QUEUE = "meeting:review-queue"
    ACTION_ITEM_LIST = "meeting:action:list"
    ACTION_ITEM_DONE = "meeting:action:done"
    # Statistics (issue 13): suppressed tables for the city's analysts, nothing else for them;
    # the one-off back-fill of the facts is an operator's command.
    STATISTICS_READ = "statistics:read"
    STATISTICS_EXPORT = "statistics:export"
    STATISTICS_BACKFILL = "statistics:backfill"
    # Protecting every ended year's tables ahead of the analysts (`statistics prepare`).
    STATISTICS_PREPARE = "statistics:prepare"
    # Retention (issue 14): legal holds by the lead agency's supervisors, decided in
    # `cases.policy.holds`; the auditors' list of holds; the operators' sweep.
    HOLD_SET = "case:hold:set"
    HOLD_LIFT = "case:hold:lift"
    AUDIT_HOLDS_READ = "audit:holds:read"
    RETENTION_SWEEP = "retention:sweep"
    # Synthetic data for the scale benchmarks (issue 15): an operator's command, refused in
    # production besides.
    BENCH_GENERATE = "bench:generate"
    # The subject access report (issue 14, point 4): an agency's part, produced by a supervisor
    # of an agency on the young person's cases, decided in `cases.policy.rights`.
    SUBJECT_ACCESS_AGENCY_PART = "rights:agency-part:produce"
    # Subject access (issue 14, point 4): the access-log part is the auditors' (metadata only).
    SUBJECT_ACCESS_LOG_PRODUCE = "rights:access-log:produce"
    # The young person's summary of what is shared about them (issue 14, point 5), decided in
    # `cases.policy.summary`.
    SUMMARY_PRODUCE = "case:summary:produce"


class Reason(StrEnum):
    SIGNED_IN = "signed_in"
    ANONYMOUS = "anonymous"
    ROLE_ADMIN = "role_admin"
    ROLE_AUDITOR = "role_auditor"
    ROLE_ANALYST = "role_analyst"
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
    # A record asked for through a case it does not belong to (another case's note or consent).
    NOT_IN_CASE = "not_in_case"
    # Four-eyes release of a practitioner's credential.
    AGENCY_SUPERVISOR = "agency_supervisor"
    NOT_AGENCY_SUPERVISOR = "not_agency_supervisor"
    SUPERVISOR_AVAILABLE = "supervisor_available"
    # Referrals (issue 11).
    SENDER = "sender"
    SENDING_AGENCY = "sending_agency"
    RECEIVING_AGENCY = "receiving_agency"
    OTHER_TEAM_AGENCY = "other_team_agency"
    NOT_INVOLVED = "not_involved"
    NOT_RECEIVING_AGENCY = "not_receiving_agency"
    NOT_BEFORE_RECEIVER = "not_before_receiver"
    NOT_RECEIVING_SUPERVISOR = "not_receiving_supervisor"
    NOT_SENDING_SIDE = "not_sending_side"
    WRONG_STATE = "wrong_state"
    SAME_AGENCY = "same_agency"
    NO_ASSESSMENT_CLOCK = "no_assessment_clock"
    AGENCY_SUPERVISOR_ONLY = "agency_supervisor_only"
    # Notifications (issue 11).
    OWN_NOTIFICATION = "own_notification"
    NOT_OWN_NOTIFICATION = "not_own_notification"
    # Meetings (issue 12).
    INVITED = "invited"
    INVITED_AGENCY_SUPERVISOR = "invited_agency_supervisor"
    NOT_INVITED = "not_invited"
    CHAIR = "chair"
    NOT_CHAIR = "not_chair"
    ORGANISING_SUPERVISOR = "organising_supervisor"
    NOT_ORGANISING_SUPERVISOR = "not_organising_supervisor"
    CHAIR_MAY_NOT_APPROVE = "chair_may_not_approve"
    ACTION_OWNER = "action_owner"
    NOT_ACTION_OWNER = "not_action_owner"
    # Retention (issue 14).
    PERSON_ERASED = "person_erased"
    # The young person forbids disclosure to their guardian: no guardian version of anything.
    GUARDIAN_FORBIDDEN = "guardian_forbidden"


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


ANY_ACCOUNT = frozenset({Permission.DASHBOARD_VIEW, Permission.ACCOUNT_MANAGE_OWN})

ADMIN_ONLY = frozenset(
    {
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
        Permission.USER_SET_EMAIL,
    }
)

AUDITOR_ONLY = frozenset(
    {
        Permission.AUDIT_LOG_READ,
        Permission.AUDIT_LOG_EXPORT,
        Permission.AUDIT_REPORT_READ,
        Permission.AUDIT_FLAGS_READ,
        Permission.AUDIT_INTEGRITY_READ,
        Permission.AUDIT_VERIFY,
        Permission.AUDIT_PERSON_LOOKUP,
        Permission.AUDIT_HOLDS_READ,
        Permission.SUBJECT_ACCESS_LOG_PRODUCE,
    }
)

ANALYST_ONLY = frozenset({Permission.STATISTICS_READ, Permission.STATISTICS_EXPORT})

CLI_ONLY = frozenset(
    {
        Permission.STATISTICS_BACKFILL,
        Permission.STATISTICS_PREPARE,
        Permission.PERSON_SHRED,
        Permission.KEYS_MANAGE,
        Permission.NOTIFICATION_MAIL,
        Permission.REFERRAL_ESCALATE,
        Permission.RETENTION_SWEEP,
        Permission.BENCH_GENERATE,
    }
)
# A practitioner's own notifications (they are only ever about referrals).
NOTIFICATIONS = frozenset({Permission.NOTIFICATION_LIST, Permission.NOTIFICATION_MARK_READ})

# Practitioner work on the register; a single person is further limited to visible persons.
PRACTITIONER_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
REGISTER = frozenset({Permission.PERSON_CREATE, Permission.PERSON_SEARCH})
ONE_PERSON = frozenset({Permission.PERSON_READ, Permission.PERSON_UPDATE, Permission.CASE_OPEN})
# Acting on a case: practitioners on its team (DESIGN.md §3).
TEAM_WORK = frozenset(
    {
        Permission.CASE_READ,
        Permission.NOTE_WRITE,
        Permission.TEAM_ADD,
        Permission.CONSENT_RECORD,
        Permission.CONSENT_WITHDRAW,
        Permission.EMERGENCY_REQUEST,
        Permission.CLOSURE_REQUEST,
    }
)
# Decisions for the lead agency's supervisors.
LEAD_SUPERVISOR = frozenset(
    {
        Permission.CLOSURE_APPROVE,
        Permission.EMERGENCY_REVIEW,
        Permission.CASE_REOPEN,
    }
)
# What a closed case no longer takes (DESIGN.md §3); reading it and withdrawing a consent
# (which only narrows sharing) go on.
OPEN_CASE_ONLY = frozenset(
    {
        Permission.NOTE_WRITE,
        Permission.TEAM_ADD,
        Permission.CONSENT_RECORD,
        Permission.DISCLOSURE_CREATE,
        Permission.EMERGENCY_REQUEST,
        Permission.CLOSURE_REQUEST,
    }
)
# Widening sharing by consent is for the lead agency's caseworkers and supervisors.
LEAD_AGENCY = frozenset({Permission.CONSENT_RECORD})

# Actions an admin may not take on their own account through the admin pages: it would let
# one admin lock themselves out or bypass the password-change flow.
NOT_ON_SELF = frozenset(
    {
        Permission.USER_SET_ACTIVE,
        Permission.USER_RESET_PASSWORD,
    }
)


def allow(reason: Reason, *basis: str) -> Decision:
    return Decision(True, reason, basis)


def deny(reason: Reason) -> Decision:
    return Decision(False, reason)
