"""Filter and report forms for the auditor's workspace (GET forms: they change nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, DataRequired, Length, Optional

from app.forms import QueryForm, SiltaForm
from app.log_requests import older_reason_field, reference_field
from audit.events import Action, Outcome

UUID_MESSAGE = _l("Enter an identifier like 123e4567-e89b-12d3-a456-426614174000.")


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
    reason = older_reason_field()
    reference = reference_field()


class PersonLookupForm(SiltaForm):
    """A POST form: an identity code must never travel in a URL."""

    identity_code = StringField(
        _l("Personal identity code"),
        validators=[DataRequired(_l("Enter an identity code.")), Length(max=20)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
