"""Translated texts of the agency part of the subject access report: item kinds, field names,
the withholding reasons, the recipients and the error codes of `cases.rights.agency_part`."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app import dates
from app.casework.messages import (
    CATEGORY_LABELS,
    CONCERN_LABELS,
    GIVEN_BY_LABELS,
    HOW_RECORDED_LABELS,
    OUTCOME_LABELS,
    SENSITIVITY_LABELS,
    basis_label,
)
from app.meetings.messages import ACTION_STATUS_LABELS
from app.meetings.messages import KIND_LABELS as ENTRY_KIND_LABELS
from app.messages import label
from app.persons.messages import MOTHER_TONGUE_LABELS, PERSON_FIELD_LABELS
from app.referrals.messages import DECLINE_REASON_LABELS, STATE_LABELS, URGENCY_LABELS
from cases.rights.agency_part import Recipient, WithholdReason

KIND_LABELS = {
    "register": _l("Register data"),
    "case": _l("Cases"),
    "consent": _l("Consents"),
    "disclosure": _l("Disclosures"),
    "referral": _l("Referrals"),
    "note": _l("Case notes"),
    "minute_entry": _l("Meeting minutes"),
    "action_item": _l("Action items"),
    "addendum": _l("Addenda to minutes"),
}

FIELD_LABELS = {
    **PERSON_FIELD_LABELS,
    "registered_at": _l("Registered"),
    "lead_agency": _l("Lead agency"),
    "team_agencies": _l("Team agencies"),
    "status": _l("Status"),
    "concern_codes": _l("Concerns"),
    "opened_at": _l("Opened"),
    "closed_at": _l("Closed"),
    "outcome": _l("Outcome"),
    "given_by": _l("Given by"),
    "given_on": _l("Given on"),
    "valid_from": _l("Valid from"),
    "valid_until": _l("Valid until"),
    "recipients": _l("Recipients"),
    "categories": _l("Categories"),
    "how_recorded": _l("How recorded"),
    "late_entry_reason": _l("Late entry"),
    "withdrawn_at": _l("Withdrawn"),
    "from_agency": _l("From"),
    "to_agency": _l("To"),
    "basis": _l("Legal basis"),
    "granted_at": _l("Granted"),
    "expires_at": _l("Expires"),
    "sent_at": _l("Sent"),
    "urgency": _l("Urgency"),
    "category": _l("Category"),
    "state": _l("State"),
    "decline_reason": _l("Decline reason"),
    "reason": _l("Reason"),
    "created_at": _l("Written"),
    "sensitivity": _l("Sensitivity"),
    "corrects": _l("Corrects an earlier version"),
    "text": _l("Text"),
    "meeting_at": _l("Meeting"),
    "entry_kind": _l("Kind"),
    "due_on": _l("Due"),
}

# Codes shown through an existing label table, by field.
VALUE_LABELS: dict[str, dict[str, object]] = {
    "category": CATEGORY_LABELS,
    "categories": CATEGORY_LABELS,
    "concern_codes": CONCERN_LABELS,
    "outcome": OUTCOME_LABELS,
    "given_by": GIVEN_BY_LABELS,
    "mother_tongue": MOTHER_TONGUE_LABELS,
    "urgency": URGENCY_LABELS,
    "state": STATE_LABELS,
    "decline_reason": DECLINE_REASON_LABELS,
    "how_recorded": HOW_RECORDED_LABELS,
    "sensitivity": SENSITIVITY_LABELS,
    "entry_kind": ENTRY_KIND_LABELS,
    # A case is open or closed, an action item open or done.
    "status": {**ACTION_STATUS_LABELS, "closed": _l("Closed")},
}

WITHHOLD_REASON_LABELS = {
    WithholdReason.THIRD_PARTY: _l("Third party's personal data"),
    WithholdReason.ENDANGERS: _l("Would endanger the young person or another person"),
    WithholdReason.PRE_TRIAL_SECRECY: _l("Police investigation (pre-trial secrecy)"),
    WithholdReason.OTHER_AUTHORITY: _l("Statutory secrecy of another authority"),
}

RECIPIENT_LABELS = {
    Recipient.YOUNG_PERSON: _l("The young person"),
    Recipient.GUARDIAN: _l("The guardian"),
}

PART_ERRORS = {
    "invalid_recipient": _l("Choose who receives the report."),
    "unknown_item": _l(
        "The form named an item that is not in your agency's part for this young person. "
        "Nothing was produced; reload the page and choose again."
    ),
    "choice_required": _l("Choose for every item whether to release or withhold it."),
    "reason_required": _l("A withheld item needs a reason from the list."),
    "invalid_reason": _l("Choose a reason from the list."),
}


def part_error(code: str) -> str:
    return str(PART_ERRORS.get(code, code))


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def shown_value(name: str, value: object) -> str:
    """A field's value as the page shows it: days and moments in the user's locale, codes
    through their labels, lists joined, yes/no for flags, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, datetime):
        return dates.format_datetime(value)
    if isinstance(value, date):
        return dates.format_date(value)
    if name == "basis" and isinstance(value, str):
        return basis_label(value)
    table = VALUE_LABELS.get(name)
    values = value if isinstance(value, list) else [value]
    return ", ".join(label(table, str(v)) if table else str(v) for v in values)
