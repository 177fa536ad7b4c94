"""Translated texts every area shares: the text-field problems and the label look-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The shared text rules of `cases.text`: one message per problem, whichever area refuses it.
TEXT_ERRORS = {
    "control_characters": _l(
        "Remove the control characters (such as NUL or escape) from this field."
    ),
    "line_break": _l("This field takes one line: remove the line breaks."),
}


def label(table: dict[str, object], value: str) -> str:
    return str(table.get(value, value))
