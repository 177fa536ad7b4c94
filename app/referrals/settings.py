"""The referral clocks from the application's configuration (see app/config.py)."""

from __future__ import annotations

from flask import current_app

from cases.referrals.clocks import ClockRules
from cases.referrals.models import Urgency


def clock_rules() -> ClockRules:
    config = current_app.config
    return ClockRules(
        acknowledge_days=int(config["SILTA_REFERRAL_ACKNOWLEDGE_DAYS"]),
        response_days={
            Urgency.IMMEDIATE: int(config["SILTA_REFERRAL_RESPONSE_DAYS_IMMEDIATE"]),
            Urgency.URGENT: int(config["SILTA_REFERRAL_RESPONSE_DAYS_URGENT"]),
            Urgency.ROUTINE: int(config["SILTA_REFERRAL_RESPONSE_DAYS_ROUTINE"]),
        },
        assessment_start_days=int(config["SILTA_REFERRAL_ASSESSMENT_START_DAYS"]),
        assessment_complete_months=int(config["SILTA_REFERRAL_ASSESSMENT_MONTHS"]),
    )
