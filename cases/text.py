"""Rules every free-text input shares, whichever area takes it (issue 9, finding 10).

Each area wraps `TextProblem` in its own input error; the codes are the same everywhere so the
UI has one message per problem.
"""

from __future__ import annotations

import unicodedata

# One set of limits for the whole domain.
MAX_LINE = 200
MAX_TEXT = 4000
MAX_NOTE = 20000

# Newline and tab are the only control characters long text may hold; one-line fields hold none.
_LONG_TEXT_ALLOWED = frozenset("\n\t")


class TextProblem(ValueError):
    """A text input refused: `code` is one of control_characters, line_break, too_long, required."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _has_control(value: str, allowed: frozenset[str]) -> bool:
    # Cc is C0/C1 control characters (NUL, ESC, DEL, …); Cs are lone surrogates; Co private use
    # is allowed (emoji fonts use it), Cf is handled by `clean_name`.
    return any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value
    )


def clean_line(value: str | None, *, limit: int = MAX_LINE, required: bool = False) -> str:
    """A one-line field: no line breaks, no control characters; surrounding spaces trimmed."""
    raw = value or ""
    if "\n" in raw or "\r" in raw or "\u2028" in raw or "\u2029" in raw:
        raise TextProblem("line_break")
    if _has_control(raw, frozenset()):
        raise TextProblem("control_characters")
    cleaned = raw.strip()
    if required and not cleaned:
        raise TextProblem("required")
    if len(cleaned) > limit:
        raise TextProblem("too_long")
    return cleaned


def clean_long(value: str | None, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    """Long text (notes, reasons): newline and tab allowed, other control characters refused.

    Windows line ends are normalised to newlines so a pasted text is stored as the user saw it.
    """
    raw = (value or "").replace("\r\n", "\n")
    if _has_control(raw, _LONG_TEXT_ALLOWED):
        raise TextProblem("control_characters")
    cleaned = raw.strip()
    if required and not cleaned:
        raise TextProblem("required")
    if len(cleaned) > limit:
        raise TextProblem("too_long")
    return cleaned


def clean_name(value: str | None, *, limit: int = MAX_LINE, required: bool = False) -> str:
    """A person's name: a one-line field, NFC-normalised, invisible format characters (Unicode
    Cf, e.g. zero-width space or a bidi override) removed and inner spaces collapsed, so that
    "Virtanen" typed two ways is stored, indexed and compared as one string."""
    line = clean_line(value, limit=limit * 2, required=False)
    normalised = unicodedata.normalize("NFC", line)
    visible = "".join(ch for ch in normalised if unicodedata.category(ch) != "Cf")
    cleaned = " ".join(visible.split())
    if required and not cleaned:
        raise TextProblem("required")
    if len(cleaned) > limit:
        raise TextProblem("too_long")
    return cleaned
