"""The case-work thresholds from the application's configuration (see app/config.py)."""

from __future__ import annotations

from flask import current_app

from cases.policy.facts import CaseRules


def case_rules() -> CaseRules:
    config = current_app.config
    return CaseRules(
        consent_self_age=int(config["SILTA_CONSENT_SELF_AGE"]),
        consent_max_years=int(config["SILTA_CONSENT_MAX_YEARS"]),
        consent_late_entry_days=int(config["SILTA_CONSENT_LATE_ENTRY_DAYS"]),
        disclosure_max_months=int(config["SILTA_DISCLOSURE_MAX_MONTHS"]),
    )
