"""Forms of referrals: sending, the transitions, the needs-assessment dates and paging."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional

from app.casework.forms import Checkboxes
from app.forms import QueryForm, SiltaForm
from app.referrals.messages import (
    DECLINE_REASON_LABELS,
    URGENCY_LABELS,
    YOUTH_ACT_GROUND_LABELS,
)


def _choices(table: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in table.items()]


class AsciiIntegerField(IntegerField):
    """An integer of the digits 0-9 only (Python's int() also takes other scripts' digits)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not re.fullmatch(r"[0-9]{1,9}", str(valuelist[0])):
            self.data = None
            raise ValueError(_l("That is not a page number."))
        super().process_formdata(valuelist)


class PageForm(QueryForm):
    page = AsciiIntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(1, 10_000)])


class SendForm(SiltaForm):
    # A fresh token per form shown: the same form sent twice makes one referral.
    send_token = HiddenField(
        default=lambda: str(uuid.uuid4()),
        validators=[
            InputRequired(_l("The form has expired: open it again.")),
            UUID(_l("The form has expired: open it again.")),
        ],
    )
    to_agency = SelectField(
        _l("To agency"), choices=[], validators=[InputRequired(_l("Choose an agency."))]
    )
    urgency = SelectField(_l("Urgency"), choices=_choices(URGENCY_LABELS), default="routine")
    category = SelectField(
        _l("What is shared"), choices=[], validators=[InputRequired(_l("Choose what is shared."))]
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=20000)])
    attached_note_ids = Checkboxes(_l("Attach notes of the case"), choices=[])
    youth_act_grounds = Checkboxes(
        _l("Youth Act §11 grounds"), choices=_choices(YOUTH_ACT_GROUND_LABELS)
    )
    young_person_informed = BooleanField(_l("The young person was informed of the referral"))
    guardian_informed = BooleanField(
        _l("The guardian was informed (needed when the young person is a minor)")
    )


class ActionForm(SiltaForm):
    """Acknowledge or accept: nothing to fill in, the CSRF token only."""


class DeclineForm(SiltaForm):
    decline_reason = SelectField(
        _l("Reason for declining"),
        choices=[SelectChoice("", _l("Choose…")), *_choices(DECLINE_REASON_LABELS)],
        validators=[DataRequired(_l("Choose a reason."))],
    )
    decline_text = TextAreaField(
        _l("Explanation"), validators=[DataRequired(_l("Explain why.")), Length(max=20000)]
    )


class CompleteForm(SiltaForm):
    outcome = TextAreaField(
        _l("Outcome for the sender"),
        validators=[DataRequired(_l("Write the outcome.")), Length(max=20000)],
    )


class WithdrawReferralForm(SiltaForm):
    withdraw_reason = TextAreaField(
        _l("Why it is withdrawn (optional)"), validators=[Optional(), Length(max=20000)]
    )


class ReopenForm(SiltaForm):
    reopen_reason = TextAreaField(
        _l("Why it is reopened"),
        validators=[DataRequired(_l("Say why it is reopened.")), Length(max=20000)],
    )


class AssessmentForm(SiltaForm):
    started_on = DateField(_l("Needs assessment started on"), validators=[Optional()])
    completed_on = DateField(_l("Needs assessment completed on"), validators=[Optional()])
