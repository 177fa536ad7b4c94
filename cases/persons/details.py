"""A person's details as entered: the rules each field follows (issue 9: the shared text
rules, names as one string however typed, ASCII postal codes, bounded birth dates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cases.inputs import InputError, line_field, name_field
from cases.persons import identity
from cases.persons.models import MotherTongue
from cases.text import has_visible_text
from core.db import utcnow

# ASCII digits only, matched whole: `\d` would also take Arabic-Indic or full-width digits.
POSTAL_CODE_RE = re.compile(r"[0-9]{5}")
PHONE_RE = re.compile(r"\+?[0-9][0-9 ()-]{4,24}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_GUARDIANS = 2
# Nobody on the register was born before this day; an earlier date is a typing error.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Guardian:
    name: str
    contact: str = ""


@dataclass(frozen=True)
class PersonDetails:
    """A person's details in plaintext, as entered and as shown."""

    given_names: str
    surname: str
    birth_date: date
    identity_code: str | None = None
    municipality: str = ""
    postal_code: str = ""
    phone: str = ""
    email: str = ""
    guardians: tuple[Guardian, ...] = ()
    mother_tongue: str = MotherTongue.FINNISH
    forbids_guardian_disclosure: bool = False

    @property
    def identity_code_temporary(self) -> bool:
        return self.identity_code is not None and identity.is_temporary(self.identity_code)


def text_field(value: str | None, field_name: str, *, required: bool = False) -> str:
    """A one-line field, trimmed and with inner runs of spaces made one."""
    return " ".join(line_field(value, field_name, required=required).split())


def check_birth_date(birth_date: date, today: date) -> None:
    """Refuse a birth date in the future or before EARLIEST_BIRTH_DATE."""
    if birth_date > today:
        raise InputError("birth_date_future", "birth_date")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise InputError("birth_date_too_early", "birth_date")


def check_details(details: PersonDetails, today: date | None = None) -> PersonDetails:
    """Validate and normalise; raise InputError for the first problem found."""
    today = today or utcnow().date()
    code = None
    if text_field(details.identity_code, "identity_code"):
        parsed = parsed_code(details.identity_code or "")
        if parsed.birth_date != details.birth_date:
            raise InputError("birth_date_mismatch", "birth_date")
        code = parsed.code
    check_birth_date(details.birth_date, today)
    postal_code = text_field(details.postal_code, "postal_code")
    if postal_code and not POSTAL_CODE_RE.fullmatch(postal_code):
        raise InputError("invalid_postal_code", "postal_code")
    phone = text_field(details.phone, "phone")
    if phone and not PHONE_RE.fullmatch(phone):
        raise InputError("invalid_phone", "phone")
    email = text_field(details.email, "email")
    if email and not EMAIL_RE.fullmatch(email):
        raise InputError("invalid_email", "email")
    if details.mother_tongue not in MotherTongue.__members__.values():
        raise InputError("invalid_choice", "mother_tongue")
    guardians = []
    for guardian in details.guardians:
        name = name_field(guardian.name, "guardians")
        # A name a reader cannot see (a lone combining mark) is no name.
        name = name if has_visible_text(name) else ""
        contact = text_field(guardian.contact, "guardians")
        if contact and not name:
            raise InputError("guardian_name_required", "guardians")
        if name:
            guardians.append(Guardian(name, contact))
    if len(guardians) > MAX_GUARDIANS:
        raise InputError("too_many_guardians", "guardians")
    return PersonDetails(
        given_names=name_field(details.given_names, "given_names", required=True),
        surname=name_field(details.surname, "surname", required=True),
        birth_date=details.birth_date,
        identity_code=code,
        municipality=text_field(details.municipality, "municipality"),
        postal_code=postal_code,
        phone=phone,
        email=email,
        guardians=tuple(guardians),
        mother_tongue=details.mother_tongue,
        forbids_guardian_disclosure=bool(details.forbids_guardian_disclosure),
    )


def parsed_code(text: str) -> identity.IdentityCode:
    """The identity code in `text` (a one-line field), or InputError."""
    try:
        return identity.parse(text_field(text, "identity_code"))
    except identity.InvalidIdentityCode:
        raise InputError("invalid_identity_code", "identity_code") from None
