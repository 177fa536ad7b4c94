"""Finnish personal identity codes (henkilötunnus), checked with python-stdnum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.fi import hetu

# Century signs, including those added on 1 January 2023 (Population Information Act 661/2009 as
# amended): stdnum validates them; this table only turns a valid code into its birth date.
_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURY.update(dict.fromkeys("ABCDEF", 2000))
TEMPORARY_INDIVIDUAL_NUMBERS = range(900, 1000)


class InvalidIdentityCode(ValueError):
    """The text is not a valid identity code (the message is safe to show; it has no input)."""


@dataclass(frozen=True)
class IdentityCode:
    code: str
    birth_date: date
    temporary: bool


def parse(text: str) -> IdentityCode:
    """Normalise (trim, upper-case) and validate a code; temporary codes 900–999 are accepted."""
    try:
        code = hetu.validate(text.strip(), allow_temporary=True)
    except ValidationError:
        raise InvalidIdentityCode("not a valid identity code") from None
    birth = date(_CENTURY[code[6]] + int(code[4:6]), int(code[2:4]), int(code[0:2]))
    return IdentityCode(code, birth, int(code[7:10]) in TEMPORARY_INDIVIDUAL_NUMBERS)


def is_temporary(code: str) -> bool:
    return int(code[7:10]) in TEMPORARY_INDIVIDUAL_NUMBERS
