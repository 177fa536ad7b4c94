"""The notification page's forms: both only carry the CSRF token and what the user saw."""

from __future__ import annotations

from wtforms import DateTimeLocalField
from wtforms.validators import InputRequired

from app.forms import SiltaForm

# How the page writes the newest notification's time into the "mark all read" form (UTC).
UNTIL_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


class MarkReadForm(SiltaForm):
    until = DateTimeLocalField(format=[UNTIL_FORMAT], validators=[InputRequired()])


class OpenForm(SiltaForm):
    """Opening one notification (marks it read)."""
