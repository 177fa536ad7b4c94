"""The access policy as a table: every role (and the host operator) × every permission."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from cases.accounts.models import Role
from cases.policy import (
    CliActor,
    Permission,
    PolicyDenied,
    Reason,
    authorize,
    decide,
    visible_persons,
)
from cases.policy.facts import CaseFacts, DisclosureRequest, PersonFacts


@dataclass
class FakeUser:
    role: str
    id: uuid.UUID = uuid.UUID(int=1)
    agency_id: uuid.UUID | None = uuid.UUID(int=100)
    active: bool = True


ADMIN_PERMISSIONS = {p for p in Permission if p.value.startswith("admin:")}
AUDIT_PERMISSIONS = {p for p in Permission if p.value.startswith("audit:")}
EVERYONE = {Permission.DASHBOARD_VIEW, Permission.ACCOUNT_MANAGE_OWN}
# The register and case work, at the route gate (no person or case yet): practitioners only.
REGISTER = {p for p in Permission if p.value.startswith("case:")} | {
    Permission.PERSON_CREATE,
    Permission.PERSON_SEARCH,
    Permission.PERSON_READ,
    Permission.PERSON_UPDATE,
}
# Four-eyes release of practitioners' credentials (issue 9): supervisors, and host operators.
RELEASE = {Permission.CREDENTIAL_PENDING_LIST, Permission.CREDENTIAL_RELEASE}
# Issue 11: the overview of an agency's referrals in and out is for its supervisors.
REFERRAL_OVERVIEW = {Permission.REFERRAL_OVERVIEW}
# Issue 11: notifications are about referrals, so only practitioners have any; mailing them and
# escalating overdue referrals are the operators' cron commands.
NOTIFICATIONS = {Permission.NOTIFICATION_LIST, Permission.NOTIFICATION_MARK_READ}
# Issue 12: meetings are practitioners' work (at the route gate, before any meeting is loaded);
# the review queue of minutes awaiting approval is a supervisor's.
MEETINGS = {p for p in Permission if p.value.startswith("meeting:")}
REVIEW_QUEUE = {Permission.MEETING_REVIEW_QUEUE}
# Issue 14: the agency part of a subject access report is produced by an agency's supervisor.
AGENCY_PART = {Permission.SUBJECT_ACCESS_AGENCY_PART}
HOST_OPERATOR = (
    ADMIN_PERMISSIONS
    | RELEASE
    | {
        Permission.AUDIT_VERIFY,
        Permission.PERSON_SHRED,
        Permission.KEYS_MANAGE,
        Permission.NOTIFICATION_MAIL,
        Permission.REFERRAL_ESCALATE,
        Permission.STATISTICS_BACKFILL,
        Permission.STATISTICS_PREPARE,
        # Issue 14: the retention sweep is an operator's command.
        Permission.RETENTION_SWEEP,
        # Issue 15: synthetic benchmark data, likewise.
        Permission.BENCH_GENERATE,
    }
)

# Expected grants, written from DESIGN.md §3/§7 rather than from the implementation.
EXPECTED = {
    Role.CASEWORKER: EVERYONE | REGISTER | NOTIFICATIONS | (MEETINGS - REVIEW_QUEUE),
    Role.SUPERVISOR: EVERYONE
    | REGISTER
    | RELEASE
    | REFERRAL_OVERVIEW
    | NOTIFICATIONS
    | MEETINGS
    | AGENCY_PART,
    # Issue 13: suppressed statistics, for the analyst only.
    Role.ANALYST: EVERYONE | {Permission.STATISTICS_READ, Permission.STATISTICS_EXPORT},
    # Issue 14: the access-log part of the subject access report is the auditor's alone.
    Role.AUDITOR: EVERYONE | AUDIT_PERMISSIONS | {Permission.SUBJECT_ACCESS_LOG_PRODUCE},
    Role.ADMIN: EVERYONE | ADMIN_PERMISSIONS,
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_role_permission_matrix(role: Role, permission: Permission) -> None:
    decision = decide(FakeUser(role.value), permission, None)
    assert decision.allowed == (permission in EXPECTED[role])
    if not decision.allowed:
        assert decision.reason in {
            Reason.ROLE_NOT_ALLOWED,
            Reason.NOT_GRANTED,
            Reason.ROLE_NO_CONTENT,
        }


def test_anonymous_may_do_nothing() -> None:
    for permission in Permission:
        assert decide(None, permission).reason == Reason.ANONYMOUS


@pytest.mark.parametrize("permission", list(Permission))
def test_inactive_accounts_may_do_nothing(permission: Permission) -> None:
    decision = decide(FakeUser(Role.ADMIN.value, active=False), permission)
    assert not decision.allowed and decision.reason == Reason.INACTIVE


@pytest.mark.parametrize("permission", list(Permission))
def test_host_operator_may_administer_but_has_no_session(permission: Permission) -> None:
    decision = decide(CliActor("tests"), permission)
    assert decision.allowed == (permission in HOST_OPERATOR)
    assert CliActor("x").label == "cli:x"


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (Permission.USER_SET_ACTIVE, False),
        (Permission.USER_RESET_PASSWORD, False),
        (Permission.USER_UNLOCK, True),
        (Permission.USER_END_SESSIONS, True),
        (Permission.USER_READ, True),
    ],
)
def test_admin_may_not_deactivate_or_reset_themselves(
    permission: Permission, allowed: bool
) -> None:
    admin = FakeUser(Role.ADMIN.value)
    decision = decide(admin, permission, admin)
    assert decision.allowed == allowed
    if not allowed:
        assert decision.reason == Reason.SELF_ADMINISTRATION
    assert decide(admin, permission, FakeUser(Role.CASEWORKER.value, id=uuid.UUID(int=2)))


def test_authorize_raises_with_the_decision() -> None:
    with pytest.raises(PolicyDenied) as raised:
        authorize(FakeUser(Role.CASEWORKER.value), Permission.USER_CREATE)
    assert raised.value.decision.reason == Reason.ROLE_NOT_ALLOWED
    assert raised.value.permission == Permission.USER_CREATE
    assert authorize(FakeUser(Role.ADMIN.value), Permission.USER_CREATE).allowed


def test_permissions_follow_the_naming_scheme() -> None:
    for permission in Permission:
        parts = permission.value.split(":")
        assert 2 <= len(parts) <= 3 and all(parts), permission


OWN, OTHER = uuid.UUID(int=100), uuid.UUID(int=200)


def _person(agency: uuid.UUID, on_team: bool) -> PersonFacts:
    return PersonFacts(uuid.uuid4(), agency, frozenset({OWN} if on_team else set()))


# Reading, editing or opening a case for one person: role × registering agency × whether the
# reader's agency is on one of the person's case teams. Expected from DESIGN.md §3.
PERSON_TABLE = [
    (
        role,
        agency,
        on_team,
        role in (Role.CASEWORKER, Role.SUPERVISOR) and (agency == OWN or on_team),
    )
    for role in Role
    for agency in (OWN, OTHER)
    for on_team in (False, True)
]


@pytest.mark.parametrize(("role", "agency", "on_team", "allowed"), PERSON_TABLE)
@pytest.mark.parametrize(
    "permission", [Permission.PERSON_READ, Permission.PERSON_UPDATE, Permission.CASE_OPEN]
)
def test_one_person_by_role_agency_and_team(
    role: Role, agency: uuid.UUID, on_team: bool, allowed: bool, permission: Permission
) -> None:
    decision = decide(FakeUser(role.value, agency_id=OWN), permission, _person(agency, on_team))
    assert decision.allowed == allowed
    if allowed:
        expected = "registering_agency" if agency == OWN else "case_team"
        assert decision.basis == (expected,)
    elif role in (Role.CASEWORKER, Role.SUPERVISOR):
        assert decision.reason == Reason.NOT_VISIBLE
    else:
        assert decision.reason == Reason.ROLE_NO_CONTENT


@pytest.mark.parametrize("role", list(Role))
def test_visible_persons_condition_matches_the_decision(role: Role) -> None:
    condition = str(visible_persons(FakeUser(role.value, agency_id=OWN)))
    if role in (Role.CASEWORKER, Role.SUPERVISOR):
        assert "registered_by_agency_id" in condition and "erased_at IS NULL" in condition
        assert "case_team_agencies" in condition
    else:
        assert condition == "false"
    assert str(visible_persons(None)) == "false"
    assert str(visible_persons(CliActor("x"))) == "false"


LEAD, MEMBER, OUTSIDE = uuid.UUID(int=100), uuid.UUID(int=300), uuid.UUID(int=400)
CASE_USER = uuid.UUID(int=1)
PERSON = uuid.UUID(int=900)


def _case(named: bool, closed: bool = False) -> CaseFacts:
    return CaseFacts(
        id=uuid.uuid4(),
        lead_agency=LEAD,
        member_agencies=frozenset({LEAD, MEMBER}),
        member_users=frozenset({CASE_USER} if named else set()),
        person_id=PERSON,
        closed=closed,
    )


# Case work by role × the reader's agency (lead, member, outside) × named on the team × the
# case open or closed. Expected from DESIGN.md §3 (issue 9), written out per permission:
# - on the team: a caseworker named and of a member agency; a supervisor's agency a member;
# - reading the case and withdrawing a consent: anyone on the team, open or closed;
# - notes, team changes, emergency access and closure requests: on the team, open cases only;
# - recording a consent (it widens sharing): on the team, of the lead agency, open only;
# - closure approval and emergency review: supervisors of the lead agency;
# - reopening: supervisors of the lead agency, closed cases only;
# - a disclosure: granted by the disclosing agency itself, on the team, open only.
CASE_RULES: dict[Permission, tuple[str, str]] = {
    Permission.CASE_READ: ("team", "any"),
    Permission.CONSENT_WITHDRAW: ("team", "any"),
    Permission.NOTE_WRITE: ("team", "open"),
    Permission.TEAM_ADD: ("team", "open"),
    Permission.EMERGENCY_REQUEST: ("team", "open"),
    Permission.CLOSURE_REQUEST: ("team", "open"),
    Permission.CONSENT_RECORD: ("lead_agency", "open"),
    Permission.CLOSURE_APPROVE: ("lead_supervisor", "any"),
    Permission.EMERGENCY_REVIEW: ("lead_supervisor", "any"),
    Permission.CASE_REOPEN: ("lead_supervisor", "closed"),
}
CASE_TABLE = [
    (role, agency, named, closed)
    for role in Role
    for agency in (LEAD, MEMBER, OUTSIDE)
    for named in (False, True)
    for closed in (False, True)
]


def _on_team(role: Role, agency: uuid.UUID, named: bool) -> bool:
    if role == Role.SUPERVISOR:
        return agency in (LEAD, MEMBER)
    return role == Role.CASEWORKER and named and agency in (LEAD, MEMBER)


def _expected(
    permission: Permission, role: Role, agency: uuid.UUID, named: bool, closed: bool
) -> bool:
    who, when = CASE_RULES[permission]
    if not _on_team(role, agency, named):
        return False
    if (when == "open" and closed) or (when == "closed" and not closed):
        return False
    if who == "lead_agency":
        return agency == LEAD
    if who == "lead_supervisor":
        return agency == LEAD and role == Role.SUPERVISOR
    return True


def test_every_case_permission_has_a_rule() -> None:
    case_permissions = {p for p in Permission if p.value.startswith("case:")}
    assert case_permissions - set(CASE_RULES) == {
        Permission.NOTE_READ,  # the reference table, tests/cases/test_note_access.py
        Permission.CASE_OPEN,  # the person table above
        Permission.DISCLOSURE_CREATE,  # below, with the disclosing agency
    } | {  # issue 11: the referral tables, tests/cases/referrals/test_referral_policy.py
        p for p in Permission if p.value.startswith("case:referral:")
    } | {  # issue 14: the hold table, tests/cases/retention/test_hold_policy.py
        Permission.HOLD_SET,
        Permission.HOLD_LIFT,
        # issue 14: the summary table, tests/cases/rights/test_summary_policy.py
        Permission.SUMMARY_PRODUCE,
    }


@pytest.mark.parametrize(("role", "agency", "named", "closed"), CASE_TABLE)
def test_case_work_by_role_agency_naming_and_status(
    role: Role, agency: uuid.UUID, named: bool, closed: bool
) -> None:
    actor = FakeUser(role.value, id=CASE_USER, agency_id=agency)
    case = _case(named, closed)
    practitioner = role in (Role.CASEWORKER, Role.SUPERVISOR)
    on_team = _on_team(role, agency, named)
    for permission in CASE_RULES:
        decision = decide(actor, permission, case)
        assert decision.allowed == _expected(permission, role, agency, named, closed), permission
        if not practitioner:
            assert decision.reason == Reason.ROLE_NO_CONTENT
        elif not on_team:
            assert decision.reason == Reason.NOT_ON_TEAM
    own = decide(actor, Permission.DISCLOSURE_CREATE, DisclosureRequest(case, agency))
    assert own.allowed == (on_team and not closed)
    other = MEMBER if agency != MEMBER else LEAD
    assert not decide(actor, Permission.DISCLOSURE_CREATE, DisclosureRequest(case, other))


def test_closed_case_refusals_name_the_reason() -> None:
    actor = FakeUser(Role.CASEWORKER.value, id=CASE_USER, agency_id=LEAD)
    decision = decide(actor, Permission.NOTE_WRITE, _case(True, closed=True))
    assert not decision.allowed and decision.reason == Reason.CASE_CLOSED
    member = FakeUser(Role.CASEWORKER.value, id=CASE_USER, agency_id=MEMBER)
    decision = decide(member, Permission.CONSENT_RECORD, _case(True))
    assert not decision.allowed and decision.reason == Reason.NOT_LEAD_AGENCY


@pytest.mark.parametrize("named", [False, True])
def test_a_refused_case_action_names_the_young_person(named: bool) -> None:
    outsider = FakeUser(Role.CASEWORKER.value, id=CASE_USER, agency_id=OUTSIDE)
    with pytest.raises(PolicyDenied) as raised:
        authorize(outsider, Permission.CASE_READ, _case(named))
    assert raised.value.subject_id == PERSON
    with pytest.raises(PolicyDenied) as raised:
        authorize(outsider, Permission.DISCLOSURE_CREATE, DisclosureRequest(_case(named), LEAD))
    assert raised.value.subject_id == PERSON
