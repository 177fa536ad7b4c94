"""The date filters give exactly Flask-Babel's output, in every language, across DST changes."""

from __future__ import annotations

import datetime as dt

import flask_babel
import pytest
from flask import Flask

from app import dates

UTC = dt.UTC
# Around Helsinki's spring and autumn clock changes, midnight and a plain afternoon.
MOMENTS = [
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    dt.datetime(2026, 12, 31, 22, 0, tzinfo=UTC),
    dt.datetime(2026, 7, 4, 13, 7),  # naive: taken as UTC, as Flask-Babel does
]
DAYS = [dt.date(2010, 3, 14), dt.date(2026, 12, 31), dt.date(1999, 1, 1)]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_filters_match_flask_babel(app: Flask, language: str) -> None:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert str(flask_babel.get_locale()) == language
        for moment in MOMENTS:
            for format in (None, "short", "medium", "long", "full", "yyyy-MM-dd HH:mm"):
                assert dates.format_datetime(moment, format) == flask_babel.format_datetime(
                    moment, format
                ), (moment, format)
        for day in [*DAYS, *MOMENTS]:
            for format in (None, "short", "medium", "long", "full", "d.M.yyyy"):
                assert dates.format_date(day, format) == flask_babel.format_date(day, format)


def test_templates_use_them(app: Flask) -> None:
    assert app.jinja_env.filters["datetimeformat"] is dates.format_datetime
    assert app.jinja_env.filters["dateformat"] is dates.format_date
    with app.test_request_context("/", headers={"Accept-Language": "fi"}):
        template = app.jinja_env.from_string("{{ d|dateformat }} {{ t|datetimeformat('short') }}")
        shown = template.render(d=DAYS[0], t=MOMENTS[1])
    assert shown == "14.3.2010 29.3.2026 4.00"
