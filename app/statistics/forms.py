"""The statistics query: a GET form (it changes nothing, so no CSRF token), every parameter
validated; a bad one is answered 400 with the form's message."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from app.forms import QueryForm
from app.statistics.messages import BREAKDOWN_LABELS, GRANULARITY_LABELS, MEASURE_LABELS
from cases.statistics.services import Breakdown, Granularity

NONE = "none"
# ASCII digits only, as every number the pages take: "2026-05".
_MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)


def parse_month(text: str) -> date | None:
    """The first day of the month "YYYY-MM", or None when it names no month."""
    if not _MONTH_RE.fullmatch(text):
        return None
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12 or year < 1:
        return None
    return date(year, month, 1)


def _is_month(_form: Any, field: Field) -> None:
    if not isinstance(field.data, str) or parse_month(field.data) is None:
        raise ValidationError(str(_l("Enter a month as YYYY-MM.")))


_BREAKDOWNS = [SelectChoice(b.value, text) for b, text in BREAKDOWN_LABELS.items()]


class StatisticsForm(QueryForm):
    measure = SelectField(
        _l("Measure"),
        choices=[SelectChoice(m.value, text) for m, text in MEASURE_LABELS.items()],
        validators=[InputRequired(_l("Choose a measure."))],
    )
    first_month = StringField(
        _l("From month"),
        validators=[InputRequired(_l("Enter a month.")), _is_month],
        render_kw={"type": "month"},
    )
    last_month = StringField(
        _l("To month"),
        validators=[InputRequired(_l("Enter a month.")), _is_month],
        render_kw={"type": "month"},
    )
    granularity = SelectField(
        _l("Periods"),
        choices=[SelectChoice(g.value, text) for g, text in GRANULARITY_LABELS.items()],
        validators=[InputRequired(_l("Choose months or quarters."))],
    )
    breakdown = SelectField(
        _l("Breakdown"), choices=_BREAKDOWNS, validators=[InputRequired(_l("Choose a breakdown."))]
    )
    breakdown2 = SelectField(
        _l("Second breakdown"),
        choices=[SelectChoice(NONE, _l("None")), *_BREAKDOWNS],
        validators=[Optional()],
    )

    def validate_breakdown2(self, field: Field) -> None:
        if field.data not in (None, "", NONE) and field.data == self.breakdown.data:
            raise ValidationError(str(_l("Choose two different breakdowns.")))

    def validate_last_month(self, field: Field) -> None:
        first = parse_month(self.first_month.data or "")
        last = parse_month(field.data or "")
        if first is not None and last is not None and last < first:
            raise ValidationError(str(_l("The first month must not be after the last month.")))

    def breakdowns(self) -> tuple[Breakdown, ...]:
        # `Optional` lets a blank-but-not-empty value through unchecked: blank is "none" too
        # (attack on issue 13: " " was a 500).
        second = (self.breakdown2.data or "").strip()
        first = (Breakdown(self.breakdown.data),)
        return first if second in (None, "", NONE) else (*first, Breakdown(second))

    def granularity_value(self) -> Granularity:
        return Granularity(self.granularity.data)
