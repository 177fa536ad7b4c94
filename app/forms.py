"""The base of every form: the shared text rules of `cases.text` hold for every text field.

A form's own validators say what a field means; `SiltaForm` adds what every text field shares,
so a form cannot forget it: no control characters anywhere (newline and tab are allowed in a
text area), and no line breaks in a one-line field.
"""

from __future__ import annotations

import sys
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, StringField, TextAreaField

from app.messages import TEXT_ERRORS
from cases.text import TextProblem, clean_line, clean_long


def text_problem(field: Field) -> str | None:
    """The `cases.text` problem code of the field's value, or None for a non-text field."""
    if not isinstance(field, StringField) or not isinstance(field.data, str):
        return None
    # Only the characters are judged here; lengths are each field's own validators' business.
    check = clean_long if isinstance(field, TextAreaField) else clean_line
    try:
        check(field.data, limit=sys.maxsize)
    except TextProblem as problem:
        return problem.code
    return None


def attach_error(form: Any, field_name: str, message: str) -> None:
    """Show `message` next to the form's field `field_name`, or at the top of the form when it
    has no such field (a service's `InputError` names the field it concerns)."""
    target = getattr(form, field_name, None)
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]


class SiltaForm(FlaskForm):
    """Every Silta form: its text fields refuse control characters and stray line breaks."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators=extra_validators))
        for field in self:
            code = text_problem(field)
            if code is not None:
                field.errors.append(str(TEXT_ERRORS[code]))
                valid = False
        return valid


class QueryForm(SiltaForm):
    """A GET form (filters): it changes nothing, so it carries no CSRF token. A parameter
    given twice is refused, not read as its first value (attack on issue 13: a link or a
    script could show one query while the page answered another)."""

    class Meta:
        csrf = False

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for field in self:
            repeated = not isinstance(field, SelectMultipleField) and len(field.raw_data or ()) > 1
            if repeated:
                field.errors.append(str(_l("Give this only once.")))
                valid = False
        return valid
