"""The summary's choices: its language and for whom (a GET form: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.forms import QueryForm
from cases.policy.summary import Audience

# Each language named in itself: the choice is about the sheet, not the interface.
SUMMARY_LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

AUDIENCE_LABELS = {
    Audience.YOUNG_PERSON: _l("The young person"),
    Audience.GUARDIAN: _l("The guardian"),
}


class SummaryForm(QueryForm):
    lang = SelectField(
        _l("Language of the summary"),
        choices=[SelectChoice(code, name) for code, name in SUMMARY_LANGUAGES.items()],
        validators=[InputRequired(_l("Choose a language."))],
        # Not "lang": the interface's own language switch in the header has that id.
        id="summary-lang",
    )
    audience = SelectField(
        _l("For whom"),
        choices=[SelectChoice(a.value, text) for a, text in AUDIENCE_LABELS.items()],
        validators=[InputRequired(_l("Choose for whom the summary is."))],
        id="summary-audience",
    )
