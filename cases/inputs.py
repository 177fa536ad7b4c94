"""The one input-error type of the domain, and the shared text rules raised as it.

Every area refuses bad input the same way: an `InputError` naming a code (one UI message per
code) and the field it concerns, never quoting the input. The text limits are `cases.text`'s.
"""

from __future__ import annotations

from cases.text import MAX_LINE, MAX_TEXT, TextProblem, clean_line, clean_long, clean_name

__all__ = ["InputError", "line_field", "long_field", "name_field"]


class InputError(ValueError):
    """Bad input or a refused step, named by a code and a field (never quoting the input)."""

    def __init__(self, code: str, field_name: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field_name


def line_field(
    value: str | None, field_name: str, *, limit: int = MAX_LINE, required: bool = False
) -> str:
    """A one-line field under `cases.text.clean_line`."""
    try:
        return clean_line(value, limit=limit, required=required)
    except TextProblem as problem:
        raise InputError(problem.code, field_name) from None


def long_field(
    value: str | None, field_name: str, *, limit: int = MAX_TEXT, required: bool = True
) -> str:
    """Free text under `cases.text.clean_long` (no control characters but newline and tab)."""
    try:
        return clean_long(value, limit=limit, required=required)
    except TextProblem as problem:
        raise InputError(problem.code, field_name) from None


def name_field(
    value: str | None, field_name: str, *, limit: int = MAX_LINE, required: bool = False
) -> str:
    """A person's name under `cases.text.clean_name`."""
    try:
        return clean_name(value, limit=limit, required=required)
    except TextProblem as problem:
        raise InputError(problem.code, field_name) from None
