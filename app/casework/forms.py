"""Forms of case work."""

from __future__ import annotations

import re
import uuid

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Field,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.casework.messages import (
    CATEGORY_LABELS,
    CONCERN_LABELS,
    GIVEN_BY_LABELS,
    HOW_RECORDED_LABELS,
    OUTCOME_LABELS,
    SENSITIVITY_LABELS,
)
from app.forms import QueryForm, SiltaForm
from cases.casework.models import CaseStatus
from cases.casework.services import CaseOrder, MyCasesQuery


def _choices(table: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in table.items()]


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpenCaseForm(SiltaForm):
    concern_codes = Checkboxes(
        _l("Concerns"),
        choices=_choices(CONCERN_LABELS),
        validators=[DataRequired(_l("Choose at least one concern."))],
    )


class NoteForm(SiltaForm):
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    sensitivity = SelectField(_l("Sensitivity"), choices=_choices(SENSITIVITY_LABELS))
    body = TextAreaField(
        _l("Note"), validators=[DataRequired(_l("Write the note.")), Length(max=20000)]
    )


class ConsentForm(SiltaForm):
    given_by = RadioField(_l("Given by"), choices=_choices(GIVEN_BY_LABELS), default="self")
    recipients = Checkboxes(
        _l("Agencies that may receive the data"),
        choices=[],
        validators=[DataRequired(_l("Choose at least one agency."))],
    )
    categories = Checkboxes(
        _l("Data categories"),
        choices=_choices(CATEGORY_LABELS),
        validators=[DataRequired(_l("Choose at least one category."))],
    )
    purpose = TextAreaField(
        _l("Purpose"), validators=[DataRequired(_l("Describe the purpose.")), Length(max=4000)]
    )
    how_recorded = SelectField(_l("How it was given"), choices=_choices(HOW_RECORDED_LABELS))
    given_on = DateField(_l("Given on (default: today)"), validators=[Optional()])
    late_entry_reason = TextAreaField(
        _l("Why it is recorded only now (needed when it was given long ago)"),
        validators=[Optional(), Length(max=4000)],
    )
    valid_from = DateField(
        _l("Valid from (default: the day it was given)"), validators=[Optional()]
    )
    valid_until = DateField(_l("Valid until (default: 12 months)"), validators=[Optional()])
    young_person_view = TextAreaField(
        _l("The young person's own view (when a guardian consents)"),
        validators=[Optional(), Length(max=4000)],
    )


class WithdrawForm(SiltaForm):
    reason = TextAreaField(
        _l("Why, and who withdrew it"),
        validators=[DataRequired(_l("Describe the withdrawal.")), Length(max=4000)],
    )


class DisclosureForm(SiltaForm):
    to_agency = SelectField(_l("Recipient agency"), choices=[])
    # The bases open to the user's agency, set by the route from the basis table.
    basis = SelectField(_l("Legal basis"), choices=[])
    categories = Checkboxes(_l("Data categories"), choices=_choices(CATEGORY_LABELS))
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(_l("Write the justification.")), Length(max=4000)],
    )
    expires_on = DateField(
        _l("Expires on"), validators=[InputRequired(_l("Enter the expiry date."))]
    )


class EmergencyForm(SiltaForm):
    justification = TextAreaField(
        _l("Why is access needed now?"),
        validators=[DataRequired(_l("Write the justification.")), Length(max=4000)],
    )


class TeamAgencyForm(SiltaForm):
    agency = SelectField(_l("Agency"), choices=[])


class TeamUserForm(SiltaForm):
    user = SelectField(_l("User"), choices=[])


class ClosureForm(SiltaForm):
    outcome = SelectField(_l("Outcome"), choices=_choices(OUTCOME_LABELS))


class ClosureDecisionForm(SiltaForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("approve", _l("Approve")), SelectChoice("return", _l("Return"))],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    comment = TextAreaField(_l("Comment (required when returning)"), validators=[Length(max=4000)])


class ReopenForm(SiltaForm):
    reason = TextAreaField(
        _l("Why the case is reopened"),
        validators=[DataRequired(_l("Write the reason.")), Length(max=4000)],
    )


class HoldForm(SiltaForm):
    reason = TextAreaField(
        _l("Why the case is held"),
        validators=[DataRequired(_l("Write the reason.")), Length(max=4000)],
    )
    ends_on = DateField(_l("Held until (leave empty: until lifted)"), validators=[Optional()])


class LiftHoldForm(SiltaForm):
    lift_reason = TextAreaField(
        _l("Why the hold is lifted"),
        validators=[DataRequired(_l("Write the reason.")), Length(max=4000)],
    )


_PAGE_RE = re.compile(r"[1-9][0-9]{0,4}")  # ASCII digits only: str.isdigit() accepts "²"


def _is_agency_id(_form: Form, field: Field) -> None:
    if field.data:
        try:
            uuid.UUID(str(field.data))
        except ValueError:
            raise ValidationError(_l("Choose an agency from the list.")) from None


def _is_page(_form: Form, field: Field) -> None:
    if field.data and not _PAGE_RE.fullmatch(str(field.data)):
        raise ValidationError(_l("Give a page number from 1 to 99999."))


class MyCasesForm(QueryForm):
    """The "my cases" filters (issue 16): a GET form, every field optional."""

    status = SelectField(
        _l("Cases"),
        choices=[
            SelectChoice(CaseStatus.OPEN.value, _l("Open")),
            SelectChoice(CaseStatus.CLOSED.value, _l("Closed")),
        ],
        default=CaseStatus.OPEN.value,
    )
    # The choices are the lead agencies of the user's own cases, known only once they are
    # read: the template lists them; any other id simply matches none of the user's cases.
    lead = SelectField(
        _l("Lead agency"), validate_choice=False, validators=[Optional(), _is_agency_id]
    )
    order = SelectField(
        _l("Order"),
        choices=[
            SelectChoice(CaseOrder.OLDEST.value, _l("Oldest first")),
            SelectChoice(CaseOrder.NEWEST.value, _l("Newest first")),
        ],
        default=CaseOrder.OLDEST.value,
    )
    page = StringField(_l("Page"), validators=[Optional(), _is_page])

    def wanted(self) -> MyCasesQuery:
        return MyCasesQuery(
            status=CaseStatus(self.status.data or CaseStatus.OPEN.value),
            lead_agency_id=uuid.UUID(self.lead.data) if self.lead.data else None,
            order=CaseOrder(self.order.data or CaseOrder.OLDEST.value),
            page=int(self.page.data) if self.page.data else 1,
        )
