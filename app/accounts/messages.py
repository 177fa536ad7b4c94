"""Translated texts of accounts (sign-in, administration and the user commands): roles, agency
kinds, password problems and the error codes the account services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.accounts.models import AgencyKind, Role
from cases.accounts.passwords import MIN_LENGTH, PasswordProblem

ROLE_LABELS = {
    Role.CASEWORKER: _l("Caseworker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ANALYST: _l("Analyst"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}

AGENCY_KIND_LABELS = {
    AgencyKind.SOCIAL_SERVICES: _l("Social services"),
    AgencyKind.YOUTH_WORK: _l("Youth work"),
    AgencyKind.POLICE: _l("Police"),
    AgencyKind.NGO: _l("Non-governmental organisation"),
    AgencyKind.SCHOOL: _l("School"),
    AgencyKind.HEALTH: _l("Health care"),
    AgencyKind.COORDINATION: _l("Coordination"),
}

PASSWORD_PROBLEMS = {
    PasswordProblem.TOO_SHORT: _l("Use at least %(n)d characters.", n=MIN_LENGTH),
    PasswordProblem.TOO_LONG: _l("The password is too long."),
    PasswordProblem.COMMON: _l("This password is too common. Choose another."),
    PasswordProblem.CONTAINS_USERNAME: _l("The password must not contain your username."),
}

ACCOUNT_ERRORS = {
    "wrong_password": _l("The current password is not right."),
    "password_unchanged": _l("Choose a password different from the current one."),
    "invalid_agency_code": _l("Use 2–16 lower-case letters or digits, starting with a letter."),
    "invalid_agency_kind": _l("Choose a kind from the list."),
    "invalid_agency_name": _l("Enter a name."),
    "agency_code_taken": _l("An agency with this code already exists."),
    "invalid_username": _l(
        "Use 2–64 lower-case letters, digits, dots, hyphens or underscores, starting with a letter."
    ),
    "invalid_role": _l("Choose a role from the list."),
    "invalid_display_name": _l("Enter a name."),
    "agency_inactive": _l("The agency is not active."),
    "username_taken": _l("This username is taken."),
    "last_admin": _l("The last active administrator cannot be deactivated."),
    "not_pending": _l("This account has no credential waiting for release."),
    # The shared text rules (cases.text), for account fields.
    "control_characters": _l("Remove the control characters."),
    "line_break": _l("Write this on one line."),
    "too_long": _l("The text is too long."),
    "required": _l("Fill in this field."),
}


def account_error(code: str) -> str:
    return str(ACCOUNT_ERRORS.get(code, code))


def role_label(value: str) -> str:
    label = ROLE_LABELS.get(Role(value)) if value in Role.__members__.values() else None
    return str(label or value)


def agency_kind_label(value: str) -> str:
    known = value in AgencyKind.__members__.values()
    label = AGENCY_KIND_LABELS.get(AgencyKind(value)) if known else None
    return str(label or value)
