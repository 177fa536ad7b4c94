"""Translated texts of the statistics pages: measures, breakdowns, their values and the
statistics services' error codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.messages import AGENCY_KIND_LABELS
from app.casework.messages import CONCERN_LABELS, OUTCOME_LABELS
from app.messages import label
from cases.statistics.models import AgeBand, FactEvent
from cases.statistics.services import UNKNOWN, Breakdown, Granularity

MEASURE_LABELS = {
    FactEvent.CASE_OPENED: _l("Cases opened"),
    FactEvent.CASE_CLOSED: _l("Cases closed"),
    FactEvent.REFERRAL_SENT: _l("Referrals sent"),
    FactEvent.REFERRAL_ACCEPTED: _l("Referrals accepted"),
    FactEvent.REFERRAL_DECLINED: _l("Referrals declined"),
    FactEvent.REFERRAL_COMPLETED: _l("Referrals completed"),
    FactEvent.MEETING_HELD: _l("Meetings held"),
    FactEvent.CONSENT_WITHDRAWN: _l("Consents withdrawn"),
    FactEvent.EMERGENCY_ACCESS: _l("Emergency accesses"),
}

BREAKDOWN_LABELS = {
    Breakdown.AGENCY_KIND: _l("Agency kind (lead or sending agency)"),
    Breakdown.RECEIVING_AGENCY_KIND: _l("Receiving agency kind"),
    Breakdown.CONCERN: _l("Concern"),
    Breakdown.AGE_BAND: _l("Age band"),
    Breakdown.DISTRICT: _l("District (postal code area)"),
    Breakdown.OUTCOME: _l("Outcome"),
}

GRANULARITY_LABELS = {
    Granularity.MONTH: _l("By month"),
    Granularity.QUARTER: _l("By quarter"),
}

AGE_BAND_LABELS = {
    AgeBand.UNDER_12: _l("Under 12"),
    AgeBand.FROM_12_TO_14: _l("12–14"),
    AgeBand.FROM_15_TO_17: _l("15–17"),
    AgeBand.FROM_18_TO_21: _l("18–21"),
    AgeBand.OVER_21: _l("Over 21"),
}

UNKNOWN_LABEL = _l("Unknown")

_AGENCY_KINDS: dict[str, object] = {str(k): v for k, v in AGENCY_KIND_LABELS.items()}
_VALUE_LABELS: dict[Breakdown, dict[str, object]] = {
    Breakdown.AGENCY_KIND: _AGENCY_KINDS,
    Breakdown.RECEIVING_AGENCY_KIND: _AGENCY_KINDS,
    Breakdown.CONCERN: dict(CONCERN_LABELS),
    Breakdown.AGE_BAND: {str(k): v for k, v in AGE_BAND_LABELS.items()},
    Breakdown.OUTCOME: dict(OUTCOME_LABELS),
}

STATISTICS_ERRORS = {
    "invalid_year": _l("Choose a year from 2000 on."),
    "range_reversed": _l("The first year must not be after the last year."),
    "range_too_long": _l("Choose at most 10 years."),
    "year_not_complete": _l(
        "Choose years that have ended: a year still running would change every month."
    ),
    "invalid_choice": _l("Choose one or two different breakdowns."),
    "table_too_large": _l(
        "This table is too large to protect: choose fewer years, quarters, or another breakdown."
    ),
}


def value_label(breakdown: Breakdown | None, value: str) -> str:
    """A line's label: a breakdown value, "unknown", or a period / district as it is."""
    if value == UNKNOWN:
        return str(UNKNOWN_LABEL)
    if breakdown is None:
        return value
    return label(_VALUE_LABELS.get(breakdown, {}), value)


def statistics_error(code: str) -> str:
    return str(STATISTICS_ERRORS.get(code, _l("Check the query.")))
