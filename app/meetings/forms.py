"""Forms of meetings: a new meeting, the planning and sign-off steps, the minutes' entries,
action items and addenda, putting a case on an agenda, and the list's tab and page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional

from app.casework.forms import Checkboxes
from app.casework.messages import CATEGORY_LABELS
from app.forms import QueryForm, SiltaForm
from app.meetings.messages import KIND_LABELS
from app.referrals.forms import AsciiIntegerField


def _choices(table: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in table.items()]


class ListForm(QueryForm):
    tab = SelectField(
        _l("Meetings"),
        choices=[SelectChoice("upcoming", _l("Upcoming")), SelectChoice("past", _l("Past"))],
        default="upcoming",
        validators=[Optional()],
    )
    page = AsciiIntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(1, 10_000)])


class MeetingForm(SiltaForm):
    title = StringField(
        _l("Title"),
        description=_l(
            "No personal data in the title: name the young people on the agenda, not here"
        ),
        validators=[DataRequired(_l("Write a title.")), Length(max=200)],
    )
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(_l("Enter the time."))])
    # ASCII digits only, as every number the pages take (the house input rules).
    duration_minutes = AsciiIntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[
            InputRequired(_l("Enter the duration.")),
            NumberRange(15, 8 * 60, _l("From 15 minutes to 8 hours.")),
        ],
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    video_link = StringField(_l("Video link (https)"), validators=[Optional(), Length(max=500)])
    chair = SelectField(
        _l("Chair"), choices=[], validators=[InputRequired(_l("Choose the chair."))]
    )
    invited_agencies = Checkboxes(_l("Invited agencies"), choices=[])
    invited_users = Checkboxes(_l("Invited users"), choices=[])


class ActionForm(SiltaForm):
    """A step with nothing to fill in (mark held, submit, approve, done): the CSRF token only."""

    next = HiddenField()


class CancelForm(SiltaForm):
    reason = StringField(
        _l("Why it is cancelled (no personal data)"),
        validators=[DataRequired(_l("Say why it is cancelled.")), Length(max=200)],
    )


class ReturnForm(SiltaForm):
    comment = StringField(
        _l("What to correct (no personal data)"),
        validators=[DataRequired(_l("Say what to correct.")), Length(max=200)],
    )


class EntryForm(SiltaForm):
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(_l("Write the text.")), Length(max=20000)]
    )


class ActionItemForm(SiltaForm):
    # The owners are the case's team as the meeting page lists them; the service decides.
    owner = SelectField(
        _l("Owner"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose the owner.")), UUID(_l("Choose the owner."))],
    )
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    due_on = DateField(_l("Due on"), validators=[InputRequired(_l("Enter the due date."))])
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Write the description.")), Length(max=20000)],
    )


class AddendumForm(SiltaForm):
    category = SelectField(_l("Category"), choices=_choices(CATEGORY_LABELS))
    text = TextAreaField(
        _l("Addendum"), validators=[DataRequired(_l("Write the addendum.")), Length(max=20000)]
    )


class AgendaForm(SiltaForm):
    meeting = SelectField(
        _l("Meeting"), choices=[], validators=[InputRequired(_l("Choose a meeting."))]
    )
