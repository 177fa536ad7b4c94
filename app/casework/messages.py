"""Translated texts of case work: categories, concerns, outcomes, legal bases, consent states
and the error codes the case-work services raise."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.messages import agency_kind_label
from app.messages import TEXT_ERRORS
from cases.policy.legal_bases import basis_entry

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
    "date_in_past": _l("The end date cannot be in the past."),
    "hold_active": _l("A legal hold is already in force on this case."),
    "hold_ended": _l("This legal hold has already ended."),
    "hold_lifted": _l("This legal hold has already been lifted."),
    "no_hold": _l("There is no legal hold in force on this case."),
    "expiry_too_far": _l(
        "A disclosure lasts at most %(months)d months. Choose an earlier expiry date."
    ),
}


def case_error(code: str, **limits: int) -> str:
    """The message for a case-work error code; `limits` fill in the configured thresholds."""
    message = str(CASE_ERRORS.get(code, code))
    return message % limits if limits else message
