"""The retention rules from the application's configuration (see app/config.py)."""

from __future__ import annotations

from flask import current_app

from cases.retention.rules import RetentionRules


def retention_rules() -> RetentionRules:
    return RetentionRules(person_years=int(current_app.config["SILTA_RETENTION_PERSON_YEARS"]))
