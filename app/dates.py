"""The templates' `datetimeformat` and `dateformat` filters: Flask-Babel's output, without
looking up and parsing the locale's patterns again for every value.

A page formats a date per note; Flask-Babel resolves the locale's format, time and date patterns
on each call. The patterns of a (locale, format) never change, so they are built once per
process; the locale and time zone are still the request's (resolved once per request, with each
day's date part). Values and formats the fast path
does not cover (custom patterns, configured overrides, datetimes given to `dateformat`) go to
Flask-Babel itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import flask_babel
from babel import Locale, dates
from flask import g

Named = Literal["short", "medium", "long", "full"]
_NAMED: dict[str, Named] = {"short": "short", "medium": "medium", "long": "long", "full": "full"}


@lru_cache(maxsize=64)
def _datetime_patterns(
    locale: Locale, format: Named
) -> tuple[str, dates.DateTimePattern, dates.DateTimePattern]:
    # As babel.dates.format_datetime: the locale's date-time pattern joins its time and date.
    joined = str(dates.get_datetime_format(format, locale=locale)).replace("'", "")
    return (
        joined,
        dates.get_time_format(format, locale=locale),
        dates.get_date_format(format, locale),
    )


@lru_cache(maxsize=64)
def _date_pattern(locale: Locale, format: Named) -> dates.DateTimePattern:
    return dates.get_date_format(format, locale=locale)


def _named(kind: str, format: str | None) -> Named | None:
    """The predefined format to use, or None when the application configured a pattern."""
    formats = flask_babel.get_babel().instance.date_formats
    named = _NAMED.get(format or formats[kind])
    if named is None or formats[f"{kind}.{named}"] is not None:
        return None
    return named


@dataclass
class _Formats:
    """One request's datetime formatting: its locale and zone, the named formats it resolved,
    and each day's date part already formatted (a page lists many notes of the same day)."""

    locale: Locale
    zone: dt.tzinfo
    named: dict[str | None, Named | None] = field(default_factory=dict)
    days: dict[tuple[Named, dt.date], str] = field(default_factory=dict)


def _formats() -> _Formats | None:
    """This request's formats (looked up once per request and locale), or None outside one."""
    locale = flask_babel.get_locale()
    # `g` resolved once: each look-up through the proxy costs a context-variable read.
    state = g._get_current_object()
    cached: _Formats | None = getattr(state, "_silta_formats", None)
    if cached is None or cached.locale is not locale:
        zone = flask_babel.get_timezone()
        if locale is None or zone is None:
            return None
        cached = _Formats(locale, zone)
        state._silta_formats = cached
    return cached


def format_datetime(value: dt.datetime, format: str | None = None) -> str:
    """Flask-Babel's `format_datetime` (rebased to the request's time zone)."""
    formats = _formats()
    if formats is None or not isinstance(value, dt.datetime):
        return str(flask_babel.format_datetime(value, format))
    if format in formats.named:
        named = formats.named[format]
    else:
        named = formats.named[format] = _named("datetime", format)
    if named is None:
        return str(flask_babel.format_datetime(value, format))
    locale, zone = formats.locale, formats.zone
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(zone)
    normalize = getattr(zone, "normalize", None)  # pytz zones
    if normalize is not None:
        local = normalize(local)
    joined, time_pattern, date_pattern = _datetime_patterns(locale, named)
    day = local.date()
    shown_day = formats.days.get((named, day))
    if shown_day is None:
        shown_day = formats.days[(named, day)] = date_pattern.apply(day, locale)
    return joined.replace(
        "{0}", time_pattern.apply(local.timetz(), locale, reference_date=day)
    ).replace("{1}", shown_day)


def format_date(value: dt.date, format: str | None = None) -> str:
    """Flask-Babel's `format_date` (a datetime is rebased first: Flask-Babel does that)."""
    named = _named("date", format)
    locale = flask_babel.get_locale()
    if (
        named is None
        or locale is None
        or not isinstance(value, dt.date)
        or isinstance(value, dt.datetime)
    ):
        return str(flask_babel.format_date(value, format))
    return str(_date_pattern(locale, named).apply(value, locale))
