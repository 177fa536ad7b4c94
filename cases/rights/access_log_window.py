"""The window of the access-log part (issue 14, point 4): whole UTC days, the last two years by
default; an older start needs a reason, and the reason and reference are tokens, never free text.

Why tokens: the reason is kept only in the audit event of producing the part, and audit details
take counts, flags and names (`audit.events`), so free text, which could name a person, has no
place there. A reason from a fixed list and the request's reference number (the register's
diary number, say) say why without saying about whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from audit import queries
from cases.inputs import InputError, line_field

# The log has nothing before Silta existed, and a bound keeps day arithmetic far from the
# calendar's end (the same bounds as the auditor's log filters).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
REFERENCE_PATTERN = r"^[A-Za-z0-9_.:/-]{1,60}\Z"


class OlderWindowReason(StrEnum):
    """Why the part reaches further back than two years (the same list as the access report)."""

    SUBJECT_REQUEST = "subject_request"
    COMPLAINT = "complaint"
    SUPERVISORY_AUTHORITY = "supervisory_authority"
    LEGAL_PROCEEDINGS = "legal_proceedings"
    INTERNAL_INVESTIGATION = "internal_investigation"


@dataclass(frozen=True)
class Window:
    first_day: date
    last_day: date
    since: datetime  # first_day's start, UTC
    until: datetime  # the start of the day after last_day (exclusive)
    older_than_two_years: bool
    reason: OlderWindowReason | None
    reference: str | None


def default_first_day(now: datetime) -> date:
    return queries.default_report_start(now).astimezone(UTC).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _in_bounds(day: date, field: str) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InputError("date_out_of_range", field)
    return day


def _reference(value: str | None) -> str | None:
    reference = line_field(value, "reference", limit=60)
    if reference and not re.match(REFERENCE_PATTERN, reference):
        raise InputError("invalid_reference", "reference")
    return reference or None


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
    chosen: OlderWindowReason | None = None
    if older:
        if reason is None or reason not in OlderWindowReason.__members__.values():
            raise InputError("reason_required", "reason")
        chosen = OlderWindowReason(reason)
    return Window(
        first_day=first,
        last_day=last,
        since=_day_start(first),
        until=_day_start(last) + timedelta(days=1),
        older_than_two_years=older,
        reason=chosen,
        reference=_reference(reference),
    )
