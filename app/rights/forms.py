"""The agency part's release form: the recipient, the output, and one explicit choice per item
(release, or withhold with a reason from the fixed list). No choice has a default, so nothing
is released without being chosen; the service checks that every item of the part has a choice
and that no choice names an item outside it."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.forms import SiltaForm
from app.rights.agency_labels import RECIPIENT_LABELS

CHOICE_PREFIX = "choice-"
REASON_PREFIX = "reason-"


class AgencyPartForm(SiltaForm):
    recipient = RadioField(
        _l("The report is for"),
        choices=[SelectChoice(str(value), text) for value, text in RECIPIENT_LABELS.items()],
        validators=[InputRequired(message=_l("Choose who receives the report."))],
    )
    print_page = SubmitField(_l("Produce the printable page"))
    download_json = SubmitField(_l("Download as JSON"))

    @property
    def output(self) -> str:
        return "json" if self.download_json.data else "html"


def item_choices(formdata: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Each posted item's (choice, reason), by the item's token (`kind:id`). Only keys the form
    names are read; the service refuses a token that is not an item of the part."""
    tokens = {key[len(CHOICE_PREFIX) :] for key in formdata if key.startswith(CHOICE_PREFIX)}
    tokens |= {key[len(REASON_PREFIX) :] for key in formdata if key.startswith(REASON_PREFIX)}
    return {
        token: (
            str(formdata.get(CHOICE_PREFIX + token, "")),
            str(formdata.get(REASON_PREFIX + token, "")),
        )
        for token in tokens
    }
