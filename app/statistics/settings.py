"""The statistics' settings from the application's configuration (app/config.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from app.casework.settings import case_rules


def threshold() -> int:
    """The small-cell threshold."""
    return int(current_app.config["SILTA_STATISTICS_THRESHOLD"])


def protect_on_view() -> bool:
    """Whether a page protects a year that `flask statistics prepare` has not stored yet."""
    return bool(current_app.config["SILTA_STATISTICS_PROTECT"] == "on_view")


def this_year() -> int:
    """The calendar year now running in the city's timezone (only ended years are shown)."""
    return datetime.now(ZoneInfo(case_rules().timezone)).year
