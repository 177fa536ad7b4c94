"""Referral clocks in Finnish working days: weekends, public holidays, year ends, DST changes.

Every expected date below was counted by hand on a calendar (Finnish public holidays as listed
in the Finnish calendar: Midsummer Eve and Christmas Eve are days off), not computed from the
code; each deadline ends at 23:59:59.999999 Helsinki time on its last day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.referrals.clocks import (
    DEFAULT_CLOCKS,
    ClockRules,
    add_working_days,
    deadlines,
    is_working_day,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


def local(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=HELSINKI)


def end_of(day: date) -> datetime:
    """23:59:59.999999 in Helsinki on `day`, as UTC."""
    moment = datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=HELSINKI)
    return moment.astimezone(UTC)


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (date(2026, 12, 7), True),  # Monday
            (date(2026, 12, 5), False),  # Saturday
            (date(2026, 12, 6), False),  # Sunday, Independence Day
            (date(2027, 12, 6), False),  # Monday, Independence Day
            (date(2026, 6, 19), False),  # Friday, Midsummer Eve
            (date(2026, 6, 18), True),  # the Thursday before
            (date(2026, 12, 24), False),  # Thursday, Christmas Eve
            (date(2026, 12, 31), True),  # New Year's Eve is a working day
            (date(2027, 1, 1), False),  # New Year's Day
            (date(2027, 1, 6), False),  # Epiphany
            (date(2026, 4, 3), False),  # Good Friday
            (date(2026, 4, 6), False),  # Easter Monday
            (date(2026, 5, 1), False),  # May Day
            (date(2026, 5, 14), False),  # Ascension Day
        ],
    )
    def test_weekends_and_finnish_holidays_are_days_off(self, day: date, working: bool) -> None:
        assert is_working_day(day) is working

    def test_the_day_itself_never_counts(self) -> None:
        assert add_working_days(date(2026, 12, 7), 1) == date(2026, 12, 8)

    def test_a_deadline_is_at_least_one_day(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            add_working_days(date(2026, 12, 7), 0)


# (sent at, urgency, acknowledge by, respond by): hand-counted.
CASES = [
    # A plain week: Monday → Tuesday; routine 10 → Monday two weeks on.
    (local(2026, 12, 7), "routine", date(2026, 12, 8), date(2026, 12, 21)),
    # Friday → Monday.
    (local(2026, 12, 4), "urgent", date(2026, 12, 7), date(2026, 12, 9)),
    # Sent on a Saturday: the first working day after is Monday.
    (local(2026, 12, 5), "immediate", date(2026, 12, 7), date(2026, 12, 7)),
    # Independence Day on a Monday (2027): Friday → Tuesday.
    (local(2027, 12, 3), "urgent", date(2027, 12, 7), date(2027, 12, 9)),
    # Midsummer: Eve Friday 19 June, Day Saturday 20 June 2026.
    (local(2026, 6, 18), "urgent", date(2026, 6, 22), date(2026, 6, 24)),
    # Christmas 2026 (Thu 24, Fri 25, Sat 26), New Year (Fri 1 Jan), Epiphany (Wed 6 Jan).
    (local(2026, 12, 23), "routine", date(2026, 12, 28), date(2027, 1, 12)),
    # New Year's Eve: New Year's Day and the weekend follow.
    (local(2026, 12, 31), "urgent", date(2027, 1, 4), date(2027, 1, 7)),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    (local(2026, 4, 2), "urgent", date(2026, 4, 7), date(2026, 4, 9)),
    # Ascension Day Thursday 14 May 2026.
    (local(2026, 5, 13), "urgent", date(2026, 5, 15), date(2026, 5, 19)),
    # Summer time starts Sunday 29 March 2026: a deadline after it ends at 20:59:59 UTC.
    (local(2026, 3, 27), "urgent", date(2026, 3, 30), date(2026, 4, 1)),
    # Summer time ends Sunday 25 October 2026: back to 21:59:59 UTC.
    (local(2026, 10, 23), "immediate", date(2026, 10, 26), date(2026, 10, 26)),
]


class TestReferralDeadlines:
    @pytest.mark.parametrize(("sent", "urgency", "ack", "respond"), CASES)
    def test_acknowledge_and_response_due(
        self, sent: datetime, urgency: str, ack: date, respond: date
    ) -> None:
        due = deadlines(sent.astimezone(UTC), urgency, DEFAULT_CLOCKS, needs_assessment=False)
        assert due.acknowledge_by == end_of(ack)
        assert due.respond_by == end_of(respond)
        assert due.assessment_start_by is None and due.assessment_complete_by is None

    def test_deadlines_end_at_2359_helsinki_in_either_offset(self) -> None:
        summer = deadlines(local(2026, 3, 27), "immediate", DEFAULT_CLOCKS, needs_assessment=False)
        winter = deadlines(local(2026, 10, 23), "immediate", DEFAULT_CLOCKS, needs_assessment=False)
        assert summer.acknowledge_by == datetime(2026, 3, 30, 20, 59, 59, 999999, tzinfo=UTC)
        assert winter.acknowledge_by == datetime(2026, 10, 26, 21, 59, 59, 999999, tzinfo=UTC)

    def test_the_local_day_counts_not_the_utc_day(self) -> None:
        # 22:30 UTC on Friday 27 March 2026 is 00:30 on Saturday in Helsinki.
        sent = datetime(2026, 3, 27, 22, 30, tzinfo=UTC)
        due = deadlines(sent, "immediate", DEFAULT_CLOCKS, needs_assessment=False)
        assert due.acknowledge_by == end_of(date(2026, 3, 30))
        # 21:30 UTC on Thursday 17 December 2026 is 23:30 the same Thursday there.
        late = deadlines(
            datetime(2026, 12, 17, 21, 30, tzinfo=UTC),
            "immediate",
            DEFAULT_CLOCKS,
            needs_assessment=False,
        )
        assert late.acknowledge_by == end_of(date(2026, 12, 18))

    def test_response_days_are_configurable(self) -> None:
        clocks = ClockRules(response_days={"routine": 5, "urgent": 2, "immediate": 1})
        due = deadlines(local(2026, 12, 7), "routine", clocks, needs_assessment=False)
        assert due.respond_by == end_of(date(2026, 12, 14))


# (sent, assessment started by [7 working days], completed by [3 months, to a working day]).
ASSESSMENTS = [
    (local(2026, 12, 7), date(2026, 12, 16), date(2027, 3, 8)),  # 7 March 2027 is a Sunday
    # Over Christmas and New Year: 22, 23, 28, 29, 30, 31 December and 4 January.
    (local(2026, 12, 21), date(2027, 1, 4), date(2027, 3, 22)),  # 21 March 2027 is a Sunday
    # 30 November + 3 months is 28 February 2027 (a Sunday): Monday 1 March.
    (local(2026, 11, 30), date(2026, 12, 9), date(2027, 3, 1)),
    # Three months on is Midsummer Day 2026 (Saturday 20 June): Monday 22 June.
    (local(2026, 3, 20), date(2026, 3, 31), date(2026, 6, 22)),
    # Three months on is Christmas Eve 2027 (Friday): Monday 27 December.
    (local(2027, 9, 24), date(2027, 10, 5), date(2027, 12, 27)),
    # A leap year: 29 November 2027 + 3 months is Tuesday 29 February 2028.
    (local(2027, 11, 29), date(2027, 12, 9), date(2028, 2, 29)),
]


class TestNeedsAssessmentClocks:
    @pytest.mark.parametrize(("sent", "started_by", "completed_by"), ASSESSMENTS)
    def test_started_within_7_working_days_completed_within_3_months(
        self, sent: datetime, started_by: date, completed_by: date
    ) -> None:
        due = deadlines(sent.astimezone(UTC), "routine", DEFAULT_CLOCKS, needs_assessment=True)
        assert due.assessment_start_by == end_of(started_by)
        assert due.assessment_complete_by == end_of(completed_by)

    def test_end_of_helper_is_one_microsecond_before_midnight(self) -> None:
        assert end_of(date(2026, 12, 7)) + timedelta(microseconds=1) == datetime(
            2026, 12, 7, 22, 0, tzinfo=UTC
        )
