"""The access-log part's form (a GET form: it shows a part and records that, nothing else) and
the texts its service's error codes and codes shown on the part are translated with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import UUID, Length, Optional

from app.forms import QueryForm
from app.log_requests import LOG_REQUEST_ERRORS, older_reason_field, reference_field

ACCESS_LOG_ERRORS = {
    **LOG_REQUEST_ERRORS,
    "reason_required": _l(
        "The period starts more than two years ago: choose a reason for the older period."
    ),
    "date_in_future": _l("The end date is in the future."),
    "person_required": _l("Enter the person's id."),
    "unknown_person": _l("No person with this id is registered."),
    "unknown_format": _l("The part is produced as a page or as a JSON file only."),
}

# What the bases an event names mean (`cases.rights.access_log.Basis.kind`).
BASIS_KINDS = {
    "consent": _l("Consent"),
    "disclosure": _l("Disclosure without consent"),
    "emergency": _l("Emergency access"),
    "own_agency": _l("The agency's own record"),
    "case_team": _l("Member of the case team"),
    "registering_agency": _l("The agency that registered the person"),
    "receiving_agency": _l("The agency a referral was sent to"),
    "lead_supervisor": _l("Supervisor of the case's lead agency"),
}

# What an action is about, by the first part of its code (`audit.events.Action`).
ACTION_AREAS = {
    "person": _l("Register data"),
    "case": _l("Case work"),
    "meeting": _l("Meetings"),
    "audit": _l("Audit"),
    "rights": _l("Subject access"),
    "policy": _l("Refused access"),
    "cli": _l("Command"),
}


def action_area(action: str) -> str:
    return str(ACTION_AREAS.get(action.split(":", 1)[0], ""))


def access_log_error(code: str) -> str:
    return str(ACCESS_LOG_ERRORS.get(code, code))


class AccessLogForm(QueryForm):
    person = StringField(
        _l("Person id"),
        validators=[
            Optional(),
            UUID(_l("Enter an identifier like 123e4567-e89b-12d3-a456-426614174000.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    date_from = DateField(_l("From (default: two years ago)"), validators=[Optional()])
    date_to = DateField(_l("To (default: today)"), validators=[Optional()])
    reason = older_reason_field()
    reference = reference_field(Length(max=60))
