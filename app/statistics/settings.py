"""The statistics' small-cell threshold from the application's configuration (app/config.py)."""

from __future__ import annotations

from flask import current_app


def threshold() -> int:
    return int(current_app.config["SILTA_STATISTICS_THRESHOLD"])
