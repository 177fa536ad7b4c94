"""Referral clocks in Finnish working days (issue 11, point 4).

A working day is a weekday that is not a Finnish public holiday as the `holidays` library lists
them (Midsummer Eve and Christmas Eve included); no hand-written list. A deadline of N working
days counts from the day after the local day something happened and ends at the last moment of
the N-th working day, where the work is done (Europe/Helsinki by default). A deadline in
calendar months (the needs assessment's three months) that falls on a day off moves to the next
working day, as the Act on the Calculation of Statutory Time Limits (150/1930) has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from cases.policy.facts import CaseRules
from cases.policy.sharing import end_of_day, local_day
from cases.referrals.models import Urgency

# The working days within which a response (accept or decline) is due, by urgency.
DEFAULT_RESPONSE_DAYS: dict[str, int] = {
    Urgency.IMMEDIATE: 1,
    Urgency.URGENT: 3,
    Urgency.ROUTINE: 10,
}


@dataclass(frozen=True)
class ClockRules:
    """The configurable clocks (`SILTA_REFERRAL_*`), passed to the services, never global."""

    acknowledge_days: int = 1
    response_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RESPONSE_DAYS))
    # Child Welfare Act 417/2007 §26 / Social Welfare Act 1301/2014 §36.
    assessment_start_days: int = 7
    assessment_complete_months: int = 3
    timezone: str = "Europe/Helsinki"

    @property
    def calendar(self) -> CaseRules:
        return CaseRules(timezone=self.timezone)


DEFAULT_CLOCKS = ClockRules()


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a Finnish public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(day: date, days: int) -> date:
    """The `days`-th working day after `day` (`day` itself never counts)."""
    if days < 1:
        raise ValueError("a deadline is at least one working day")
    found = 0
    while found < days:
        day += timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def working_days_before(day: date, days: int) -> date:
    """The `days`-th working day before `day` (`day` itself never counts)."""
    if days < 1:
        raise ValueError("at least one working day")
    found = 0
    while found < days:
        day -= timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def next_working_day_from(day: date) -> date:
    """`day` if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def working_day_deadline(moment: datetime, days: int, clocks: ClockRules) -> datetime:
    """The end of the `days`-th working day after the local day of `moment`."""
    rules = clocks.calendar
    return end_of_day(add_working_days(local_day(moment, rules), days), rules)


def month_deadline(moment: datetime, months: int, clocks: ClockRules) -> datetime:
    """The end of the day `months` after the local day of `moment`, moved to a working day."""
    rules = clocks.calendar
    return end_of_day(next_working_day_from(add_months(local_day(moment, rules), months)), rules)


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    respond_by: datetime
    # Only for a referral to social services about a minor (None otherwise).
    assessment_start_by: datetime | None = None
    assessment_complete_by: datetime | None = None


def deadlines(
    sent_at: datetime, urgency: str, clocks: ClockRules, *, needs_assessment: bool
) -> Deadlines:
    """The clocks of a referral sent at `sent_at`."""
    return Deadlines(
        acknowledge_by=working_day_deadline(sent_at, clocks.acknowledge_days, clocks),
        respond_by=working_day_deadline(sent_at, clocks.response_days[urgency], clocks),
        assessment_start_by=(
            working_day_deadline(sent_at, clocks.assessment_start_days, clocks)
            if needs_assessment
            else None
        ),
        assessment_complete_by=(
            month_deadline(sent_at, clocks.assessment_complete_months, clocks)
            if needs_assessment
            else None
        ),
    )
