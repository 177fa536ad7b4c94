"""Translated texts of the auditor's workspace: the error codes its services raise."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.messages import TEXT_ERRORS
from cases.log_requests import EARLIEST_DAY, LATEST_DAY

AUDIT_ERRORS = {
    **TEXT_ERRORS,
    "reason_required": _l("Choose a reason to see more than the last two years."),
    "date_out_of_range": _l(
        "Enter a date from %(earliest)s to %(latest)s.",
        earliest=EARLIEST_DAY.isoformat(),
        latest=LATEST_DAY.isoformat(),
    ),
    "date_to_before_from": _l("The end date is before the start date."),
    "invalid_reference": _l("Use letters, digits and - _ . : / only."),
}


def audit_error(code: str) -> str:
    return str(AUDIT_ERRORS.get(code, code))
