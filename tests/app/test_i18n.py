"""Every UI string is translated into Finnish and Swedish, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def _template_ids() -> set[str]:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_catalogue_is_complete(locale: str) -> None:
    catalogue = _catalogue(locale)
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(i for i in _template_ids() if not translated.get(i))
    assert not missing, f"{locale} lacks: {missing[:5]}"
    for message_id, text in translated.items():
        assert sorted(PLACEHOLDER.findall(str(message_id))) == sorted(
            PLACEHOLDER.findall(str(text))
        ), message_id
        assert not any(m.fuzzy for m in catalogue if m.id == message_id)


def test_template_is_up_to_date_with_the_source() -> None:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = TRANSLATIONS.parents[1]
    method_map = [
        ("app/**.py", "python"),
        ("cases/**.py", "python"),
        ("app/templates/**.html", "jinja2"),
    ]
    found = {
        message if isinstance(message, str) else message[0]
        for sub in ("app", "cases")
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root / sub),
            method_map=[(p.split("/", 1)[1], m) for p, m in method_map if p.startswith(sub)],
            keywords={**DEFAULT_KEYWORDS, "_l": None},
        )
    }
    assert len(found) > 100
    # A plural entry is known by its singular form.
    known = {i if isinstance(i, str) else i[0] for i in _template_ids()}
    assert found <= known, f"run 'make messages': {sorted(found - known)[:5]}"
