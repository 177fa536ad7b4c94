"""Translated texts for the error codes that services raise."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from cases.accounts.models import AgencyKind, Role
from cases.accounts.passwords import MIN_LENGTH, PasswordProblem
from cases.oversight.workspace import EARLIEST_FILTER_DATE, LATEST_FILTER_DATE
from cases.persons.services import EARLIEST_BIRTH_DATE
from cases.policy.legal_bases import basis_entry

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


# The shared text rules of `cases.text`: one message per problem, whichever area refuses it.
TEXT_ERRORS = {
    "control_characters": _l(
        "Remove the control characters (such as NUL or escape) from this field."
    ),
    "line_break": _l("This field takes one line: remove the line breaks."),
}

PERSON_ERRORS = {
    **TEXT_ERRORS,
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "invalid_identity_code": _l(
        "This is not a valid personal identity code. Check the date, the century sign and the "
        "check character."
    ),
    "birth_date_mismatch": _l("The date of birth does not match the personal identity code."),
    "birth_date_future": _l("The date of birth cannot be in the future."),
    "birth_date_too_early": _l(
        "The date of birth cannot be before %(earliest)s.", earliest=EARLIEST_BIRTH_DATE.isoformat()
    ),
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


AUDIT_ERRORS = {
    **TEXT_ERRORS,
    "reason_required": _l("Choose a reason to see more than the last two years."),
    "date_out_of_range": _l(
        "Enter a date from %(earliest)s to %(latest)s.",
        earliest=EARLIEST_FILTER_DATE.isoformat(),
        latest=LATEST_FILTER_DATE.isoformat(),
    ),
    "date_to_before_from": _l("The end date is before the start date."),
    "invalid_reference": _l("Use letters, digits and - _ . : / only."),
}


def audit_error(code: str) -> str:
    return str(AUDIT_ERRORS.get(code, code))


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


CATEGORY_LABELS = {
    "general": _l("General"),
    "education": _l("Education"),
    "family": _l("Family"),
    "health": _l("Health"),
    "substance_use": _l("Substance use"),
    "offence": _l("Offence"),
    "social_welfare": _l("Social welfare"),
}
CONCERN_LABELS = {
    "school_absence": _l("School absence"),
    "substance_use": _l("Substance use"),
    "violence": _l("Violence"),
    "property_crime": _l("Property crime"),
    "mental_health": _l("Mental health"),
    "family_situation": _l("Family situation"),
    "radicalisation_concern": _l("Radicalisation concern"),
    "online_risk": _l("Online risk"),
    "housing": _l("Housing"),
    "other": _l("Other"),
}
OUTCOME_LABELS = {
    "referred_onward": _l("Referred onward"),
    "no_further_need": _l("No further need"),
    "moved_away": _l("Moved away"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "aged_out": _l("Aged out"),
    "other": _l("Other"),
}


def basis_label(code: str) -> str:
    """The statute cited in the UI, from the one basis table (`cases.policy.legal_bases`)."""
    entry = basis_entry(code)
    if entry is None:
        return code
    # English writes "§25", Finnish and Swedish "25 §": the order is the translation's.
    return str(
        _(
            "%(statute)s §%(section)s (%(purpose)s)",
            statute=_(entry.statute),
            section=entry.section,
            purpose=_(entry.purpose),
        )
    )


def basis_recipients(code: str) -> str:
    """The kinds of agency a basis discloses to, for the disclosure form's explanation."""
    entry = basis_entry(code)
    if entry is None:
        return ""
    return ", ".join(sorted(agency_kind_label(kind) for kind in entry.recipient_kinds))


def basis_releases(code: str) -> str:
    entry = basis_entry(code)
    return _(entry.releases) if entry is not None else ""


GIVEN_BY_LABELS = {
    "self": _l("The young person"),
    "guardian": _l("Guardian"),
    "both": _l("The young person and a guardian"),
}
HOW_RECORDED_LABELS = {
    "written": _l("Written"),
    "verbal_with_witness": _l("Verbal, with a witness"),
}
SENSITIVITY_LABELS = {"normal": _l("Normal"), "restricted": _l("Restricted")}
CONSENT_STATE_LABELS = {
    "effective": _l("In effect"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
    "not_yet_valid": _l("Not yet valid"),
    "not_effective_for_age": _l("Not in effect: not given by the right people for the age"),
    "lapsed_at_self_age": _l(
        "Not in effect: the young person has reached the age to consent themselves"
    ),
}
CASE_ERRORS = {
    **TEXT_ERRORS,
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "invalid_choice": _l("Choose from the list."),
    "erased": _l("This person's data has been erased."),
    "already_member": _l("Already on the team."),
    "no_basis_for_agency": _l(
        "No consent or disclosure in effect covers this agency, so it cannot join the team."
    ),
    "agency_not_member": _l("The user's agency is not on the team."),
    "until_before_from": _l("The end date is before the start date."),
    "not_found": _l("The page was not found."),
    "already_withdrawn": _l("This consent has already been withdrawn."),
    "same_agency": _l("Choose another agency than your own."),
    "expiry_in_past": _l("The expiry date must be in the future."),
    "already_reviewed": _l("This has already been reviewed."),
    "not_correctable": _l("Only your agency's own notes on this case can be corrected."),
    "case_closed": _l("The case is closed."),
    "closure_pending": _l("A closure request is already waiting for a decision."),
    "already_decided": _l("This request has already been decided."),
    "case_changed": _l("The case was changed by someone else meanwhile. Open it again."),
    "given_in_future": _l("The day the consent was given cannot be in the future."),
    "given_before_birth": _l("The day the consent was given is before the date of birth."),
    "late_entry_reason_required": _l(
        "The consent was given more than %(days)d days ago: say why it is recorded only now."
    ),
    "given_before_withdrawal": _l(
        "The consent cannot be given before the latest withdrawal recorded on this case."
    ),
    "from_before_given": _l("The consent cannot be valid before the day it was given."),
    "validity_too_long": _l(
        "A consent is valid for at most %(years)d years from the day it was given."
    ),
    "basis_not_for_discloser": _l("Your agency cannot disclose under this legal basis."),
    "basis_not_for_recipient": _l(
        "This legal basis does not allow disclosure to this kind of agency. Choose a basis "
        "that fits the recipient, or another recipient."
    ),
    "expiry_too_far": _l(
        "A disclosure lasts at most %(months)d months. Choose an earlier expiry date."
    ),
}


def case_error(code: str, **limits: int) -> str:
    """The message for a case-work error code; `limits` fill in the configured thresholds."""
    message = str(CASE_ERRORS.get(code, code))
    return message % limits if limits else message


def label(table: dict[str, object], value: str) -> str:
    return str(table.get(value, value))
