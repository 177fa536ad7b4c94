"""The statistics query: a GET form (it changes nothing, so no CSRF token), every parameter
validated; a bad one is answered 400 with the form's message."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from app.forms import QueryForm
from app.statistics.messages import BREAKDOWN_LABELS, GRANULARITY_LABELS, MEASURE_LABELS
from cases.statistics.services import Breakdown, Granularity

NONE = "none"
# ASCII digits only, as every number the pages take: "2026".
_YEAR_RE = re.compile(r"[0-9]{4}", re.ASCII)


def parse_year(text: str) -> int | None:
    """The year "YYYY", or None when the text is not four ASCII digits."""
    return int(text) if _YEAR_RE.fullmatch(text) else None


def _is_year(_form: Any, field: Field) -> None:
    if not isinstance(field.data, str) or parse_year(field.data) is None:
        raise ValidationError(str(_l("Enter a year as YYYY.")))


_YEAR_INPUT = {"type": "number", "inputmode": "numeric", "min": "2000"}

_BREAKDOWNS = [SelectChoice(b.value, text) for b, text in BREAKDOWN_LABELS.items()]


class StatisticsForm(QueryForm):
    measure = SelectField(
        _l("Measure"),
        choices=[SelectChoice(m.value, text) for m, text in MEASURE_LABELS.items()],
        validators=[InputRequired(_l("Choose a measure."))],
    )
    first_year = StringField(
        _l("From year"),
        validators=[InputRequired(_l("Enter a year.")), _is_year],
        render_kw=_YEAR_INPUT,
    )
    last_year = StringField(
        _l("To year"),
        validators=[InputRequired(_l("Enter a year.")), _is_year],
        render_kw=_YEAR_INPUT,
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

    def validate_last_year(self, field: Field) -> None:
        first = parse_year(self.first_year.data or "")
        last = parse_year(field.data or "")
        if first is not None and last is not None and last < first:
            raise ValidationError(str(_l("The first year must not be after the last year.")))

    def breakdowns(self) -> tuple[Breakdown, ...]:
        # `Optional` lets a blank-but-not-empty value through unchecked: blank is "none" too
        # (attack on issue 13: " " was a 500).
        second = (self.breakdown2.data or "").strip()
        first = (Breakdown(self.breakdown.data),)
        return first if second in (None, "", NONE) else (*first, Breakdown(second))

    def granularity_value(self) -> Granularity:
        return Granularity(self.granularity.data)
