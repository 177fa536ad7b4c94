"""Translated texts of the register: the person services' error codes and the field labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.messages import TEXT_ERRORS
from cases.persons.services import EARLIEST_BIRTH_DATE

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
    "mixed_scripts": _l(
        "A word of this name mixes letters of two alphabets (such as a Cyrillic letter that "
        "looks Latin). Type it in one alphabet."
    ),
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
