"""The fields of a request to read the log further back, shared by the auditor's access report
and the access-log part (`cases.log_requests`): the older-period reason with its labels, the
reference number, and the messages of the rules they share. One meaning, one translation."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import Optional, Regexp

from app.messages import TEXT_ERRORS
from cases.log_requests import EARLIEST_DAY, LATEST_DAY, REFERENCE_PATTERN, OlderReason

OLDER_REASONS = {
    OlderReason.SUBJECT_REQUEST: _l("The person's own access request"),
    OlderReason.COMPLAINT: _l("Investigating a complaint"),
    OlderReason.SUPERVISORY_AUTHORITY: _l("Request of the supervisory authority"),
    OlderReason.LEGAL_PROCEEDINGS: _l("Legal proceedings"),
    OlderReason.INTERNAL_INVESTIGATION: _l("Internal investigation of misuse"),
}

REFERENCE_MESSAGE = _l("Use letters, digits and - _ . : / only.")
# The codes `cases.log_requests`' rules (and the day filters) raise, wherever the log is read.
LOG_REQUEST_ERRORS = {
    **TEXT_ERRORS,
    "date_out_of_range": _l(
        "Enter a date from %(earliest)s to %(latest)s.",
        earliest=EARLIEST_DAY.isoformat(),
        latest=LATEST_DAY.isoformat(),
    ),
    "date_to_before_from": _l("The end date is before the start date."),
    "invalid_reference": REFERENCE_MESSAGE,
}


def older_reason_field() -> UnboundField:
    """The reason for a period older than two years: none, or one of `OLDER_REASONS`."""
    return SelectField(
        _l("Reason for a period older than two years"),
        default="",
        choices=[SelectChoice("", _l("None"))]
        + [SelectChoice(key.value, label) for key, label in OLDER_REASONS.items()],
    )


def reference_field(*validators: Any) -> UnboundField:
    """The optional reference number, a token of `REFERENCE_PATTERN`; `validators` run between
    the optional check and the pattern's."""
    return StringField(
        _l("Reference number (optional)"),
        validators=[
            Optional(),
            *validators,
            Regexp(REFERENCE_PATTERN, message=REFERENCE_MESSAGE),
        ],
    )
