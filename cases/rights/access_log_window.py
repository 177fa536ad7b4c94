"""The window of the access-log part (issue 14, point 4): whole UTC days, the last two years by
default; an older start needs a reason, and the reason and reference are tokens, never free text.

Why tokens: the reason is kept only in the audit event of producing the part, and audit details
take counts, flags and names (`audit.events`), so free text, which could name a person, has no
place there. A reason from a fixed list and the request's reference number (the register's
diary number, say) say why without saying about whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from audit import queries
from cases.inputs import InputError
from cases.log_requests import EARLIEST_DAY, LATEST_DAY, OlderReason, reference_token


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date
    since: datetime  # first_day's start, UTC
    until: datetime  # the start of the day after last_day (exclusive)
    older_than_two_years: bool
    reason: OlderReason | None
    reference: str | None


def default_first_day(now: datetime) -> date:
    return queries.default_report_start(now).astimezone(UTC).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _in_bounds(day: date, field: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InputError("date_out_of_range", field)
    return day


def window(
    now: datetime,
    first_day: date | None,
    last_day: date | None,
    reason: str | None,
    reference: str | None,
) -> Window:
    """The window asked for, or `InputError` naming the field that is wrong."""
    today = now.astimezone(UTC).date()
    default_first = default_first_day(now)
    first = _in_bounds(first_day, "date_from") if first_day is not None else default_first
    last = _in_bounds(last_day, "date_to") if last_day is not None else today
    if last > today:
        raise InputError("date_in_future", "date_to")
    if last < first:
        raise InputError("date_to_before_from", "date_to")
    older = first < default_first
    chosen: OlderReason | None = None
    if older:
        if reason is None or reason not in OlderReason.__members__.values():
            raise InputError("reason_required", "reason")
        chosen = OlderReason(reason)
    return Window(
        first_day=first,
        last_day=last,
        since=_day_start(first),
        until=_day_start(last) + timedelta(days=1),
        older_than_two_years=older,
        reason=chosen,
        reference=reference_token(reference),
    )
