"""Rules every free-text input shares, whichever area takes it (issue 9, finding 10).

Each area wraps `TextProblem` in its own input error; the codes are the same everywhere so the
UI has one message per problem.
"""

from __future__ import annotations

import unicodedata

import regex
from confusable_homoglyphs import categories as scripts

# One set of limits for the whole domain.
MAX_LINE = 200
MAX_TEXT = 4000
MAX_NOTE = 20000

# Newline and tab are the only control characters long text may hold; one-line fields hold none.
_LONG_TEXT_ALLOWED = frozenset("\n\t")


class TextProblem(ValueError):
    """A text input refused: `code` is one of control_characters, line_break, too_long, required,
    mixed_scripts (names only)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _has_control(value: str, allowed: frozenset[str]) -> bool:
    # Cc is C0/C1 control characters (NUL, ESC, DEL, …); Cs are lone surrogates; Co private use
    # is allowed (emoji fonts use it), Cf is handled by `clean_name`.
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value)


# Bidirectional embeddings, overrides and isolates reorder what a reader sees ("Trojan source"),
# so a display name or a note could show another text than the one stored. The marks LRM/RLM
# (U+200E/F), which only nudge direction, stay allowed.
_BIDI_CONTROLS = regex.compile(r"[\u202A-\u202E\u2066-\u2069]")
# Unicode's Default_Ignorable_Code_Point (zero-width space, soft hyphen, combining grapheme
# joiner, Hangul filler, variation selectors, tags, …): invisible wherever the text is shown.
_INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}]")


# Characters that are letters, digits, punctuation or symbols to Unicode yet draw nothing: the
# Braille blank, the Hangul and Khitan fillers, the musical null notehead, the ideographic half
# fill space and the object replacement character (a placeholder for nothing). A field of these
# looks empty to its reader, and a name carrying one would escape the duplicate warning.
_BLANK_CHARACTERS = r"\u2800\u115F\u1160\u3164\uFFA0\U00016FE4\U0001D159\u303F\uFFFC"
_BLANK = regex.compile(f"[{_BLANK_CHARACTERS}]")
# Something a reader sees: a letter, digit, punctuation mark or symbol (never an unassigned,
# private-use, combining, space or format code point on its own) that is not one of the blanks.
_READABLE = regex.compile(r"[[\p{L}\p{N}\p{P}\p{S}]--[" + _BLANK_CHARACTERS + "]]", regex.V1)
# Unassigned and private-use code points have no agreed glyph: one reader's font shows a logo,
# another's an empty box, so a name keeps none of them.
_NO_GLYPH = regex.compile(r"[\p{Cn}\p{Co}]")


def has_visible_text(value: str | None) -> bool:
    """Whether a reader would see anything: a required field filled with a zero-width space, a
    Braille blank, a private-use character or a lone combining mark is empty to the person who
    reads it."""
    return bool(value) and _READABLE.search(_INVISIBLE.sub("", value or "")) is not None


def _one_line(raw: str) -> None:
    if "\n" in raw or "\r" in raw or "\u2028" in raw or "\u2029" in raw:
        raise TextProblem("line_break")
    if _has_control(raw, frozenset()):
        raise TextProblem("control_characters")


def _finish(cleaned: str, *, limit: int, required: bool) -> str:
    if required and not has_visible_text(cleaned):
        raise TextProblem("required")
    if len(cleaned) > limit:
        raise TextProblem("too_long")
    return cleaned


def clean_line(value: str | None, *, limit: int = MAX_LINE, required: bool = False) -> str:
    """A one-line field: no line breaks, no control characters (bidi overrides included);
    surrounding spaces trimmed."""
    raw = value or ""
    _one_line(raw)
    if _BIDI_CONTROLS.search(raw):
        raise TextProblem("control_characters")
    return _finish(raw.strip(), limit=limit, required=required)


def clean_long(value: str | None, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    """Long text (notes, reasons): newline and tab allowed, other control characters refused.

    Windows line ends are normalised to newlines so a pasted text is stored as the user saw it.
    """
    raw = (value or "").replace("\r\n", "\n")
    if _has_control(raw, _LONG_TEXT_ALLOWED) or _BIDI_CONTROLS.search(raw):
        raise TextProblem("control_characters")
    return _finish(raw.strip(), limit=limit, required=required)


def clean_name(value: str | None, *, limit: int = MAX_LINE, required: bool = False) -> str:
    """A person's name: a one-line field, NFC-normalised, with every invisible character
    (Unicode Cf and Default_Ignorable_Code_Point: zero-width space, bidi controls, combining
    grapheme joiner, Hangul filler, variation selectors, …), blank-drawing characters (Braille
    blank, …) and characters without an agreed glyph (unassigned, private use) removed and inner
    spaces collapsed,
    so that "Virtanen" typed two ways is stored, indexed and compared as one string."""
    raw = value or ""
    _one_line(raw)
    # Invisible characters go first: one between a letter and its combining mark would
    # otherwise keep NFC from composing the two.
    visible = _NO_GLYPH.sub("", _BLANK.sub("", _INVISIBLE.sub("", raw)))
    cleaned = " ".join(unicodedata.normalize("NFC", visible).split())
    if any(_mixes_scripts(word) for word in cleaned.split()):
        raise TextProblem("mixed_scripts")
    return _finish(cleaned, limit=limit, required=required)


# Punctuation, digits (Common) and combining marks (Inherited) belong to every script.
_ANY_SCRIPT = frozenset({"COMMON", "INHERITED"})


def _mixes_scripts(word: str) -> bool:
    """Whether one word of a name has letters of two scripts: "Еsimerkki" with a Cyrillic Е
    looks like the Latin name and would escape the duplicate warning. A name may hold words of
    different scripts; one word of two is a look-alike, not a name."""
    return len(set(scripts.unique_aliases(word)) - _ANY_SCRIPT) > 1
