"""Filter and report forms for the auditor's workspace (GET forms: they change nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, DataRequired, Length, Optional, Regexp

from app.forms import QueryForm, SiltaForm
from audit.events import Action, Outcome
from cases.log_requests import REFERENCE_PATTERN, OlderReason

UUID_MESSAGE = _l("Enter an identifier like 123e4567-e89b-12d3-a456-426614174000.")
OLDER_REASONS = {
    OlderReason.SUBJECT_REQUEST: _l("The person's own access request"),
    OlderReason.COMPLAINT: _l("Investigating a complaint"),
    OlderReason.SUPERVISORY_AUTHORITY: _l("Request of the supervisory authority"),
    OlderReason.LEGAL_PROCEEDINGS: _l("Legal proceedings"),
    OlderReason.INTERNAL_INVESTIGATION: _l("Internal investigation of misuse"),
}


class LogFilterForm(QueryForm):
    user = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    agency = SelectField(_l("Agency"), choices=[], default="")
    action = SelectField(
        _l("Action"),
        default="",
        choices=[SelectChoice("", _l("Any"))] + [SelectChoice(a.value, a.value) for a in Action],
    )
    outcome = SelectField(
        _l("Outcome"),
        default="",
        choices=[
            SelectChoice("", _l("Any")),
            SelectChoice(Outcome.ALLOWED.value, _l("Allowed")),
            SelectChoice(Outcome.DENIED.value, _l("Denied")),
        ],
    )
    subject = StringField(_l("Person id"), validators=[Optional(), UUID(UUID_MESSAGE)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


class ReportForm(QueryForm):
    subject = StringField(_l("Person id"), validators=[Optional(), UUID(UUID_MESSAGE)])
    date_from = DateField(_l("From (default: two years ago)"), validators=[Optional()])
    reason = SelectField(
        _l("Reason for a period older than two years"),
        default="",
        choices=[SelectChoice("", _l("None"))]
        + [SelectChoice(key.value, label) for key, label in OLDER_REASONS.items()],
    )
    reference = StringField(
        _l("Reference number (optional)"),
        validators=[
            Optional(),
            Regexp(REFERENCE_PATTERN, message=_l("Use letters, digits and - _ . : / only.")),
        ],
    )


class PersonLookupForm(SiltaForm):
    """A POST form: an identity code must never travel in a URL."""

    identity_code = StringField(
        _l("Personal identity code"),
        validators=[DataRequired(_l("Enter an identity code.")), Length(max=20)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
