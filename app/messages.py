"""Translated texts for the error codes that services raise."""

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


PERSON_ERRORS = {
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "invalid_identity_code": _l(
        "This is not a valid personal identity code. Check the date, the century sign and the "
        "check character."
    ),
    "birth_date_mismatch": _l("The date of birth does not match the personal identity code."),
    "birth_date_future": _l("The date of birth cannot be in the future."),
    "invalid_postal_code": _l("A postal code has five digits."),
    "invalid_phone": _l("Enter a phone number using digits, spaces and an optional +."),
    "invalid_email": _l("Enter an e-mail address such as name@example.fi."),
    "invalid_choice": _l("Choose from the list."),
    "guardian_name_required": _l("Enter the guardian's name as well as the contact."),
    "too_many_guardians": _l("Enter at most two guardians."),
    "erased": _l("This person's data has been erased and cannot be edited."),
    "unchanged": _l("Nothing was changed."),
}


def person_error(code: str) -> str:
    return str(PERSON_ERRORS.get(code, code))


PERSON_FIELD_LABELS = {
    "given_names": _l("Given names"),
    "surname": _l("Surname"),
    "birth_date": _l("Date of birth"),
    "identity_code": _l("Personal identity code"),
    "municipality": _l("Municipality"),
    "postal_code": _l("Postal code"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "guardians": _l("Guardians"),
    "mother_tongue": _l("Mother tongue"),
    "forbids_guardian_disclosure": _l("Forbids disclosure to guardian"),
}

MOTHER_TONGUE_LABELS = {"fi": _l("Finnish"), "sv": _l("Swedish"), "other": _l("Other")}


def person_field_label(name: str) -> str:
    return str(PERSON_FIELD_LABELS.get(name, name))


def mother_tongue_label(value: str) -> str:
    return str(MOTHER_TONGUE_LABELS.get(value, value))
