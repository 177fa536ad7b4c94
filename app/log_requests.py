"""The fields of a request to read the log further back, shared by the auditor's access report
and the access-log part (`cases.log_requests`): the older-period reason with its labels and the
reference number. One meaning, one translation."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import Optional, Regexp

from cases.log_requests import REFERENCE_PATTERN, OlderReason

OLDER_REASONS = {
    OlderReason.SUBJECT_REQUEST: _l("The person's own access request"),
    OlderReason.COMPLAINT: _l("Investigating a complaint"),
    OlderReason.SUPERVISORY_AUTHORITY: _l("Request of the supervisory authority"),
    OlderReason.LEGAL_PROCEEDINGS: _l("Legal proceedings"),
    OlderReason.INTERNAL_INVESTIGATION: _l("Internal investigation of misuse"),
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
            Regexp(REFERENCE_PATTERN, message=_l("Use letters, digits and - _ . : / only.")),
        ],
    )
