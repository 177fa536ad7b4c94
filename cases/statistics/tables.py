"""The analyst's tables (issue 13, point 2): a measure (an event), a range of months shown by
month or by quarter, and one or two breakdowns, counted from the facts and suppressed once
(`cases.statistics.suppression`): the page's table, its chart and its CSV all come from that
one suppressed table, so a cell hidden in one is hidden in all.

One breakdown: periods down, the breakdown's values across. Two: the first breakdown down, the
second across, over the whole range. Every value of a fixed vocabulary is a line of its own
(zeros are shown); districts are those counted in the range, and "unknown" collects the facts
without the value. A fact with several concern codes counts once under each, so the totals of
a table by concern count (event, concern) pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import AgencyKind
from cases.casework.models import ConcernCode, Outcome
from cases.inputs import InputError
from cases.policy import Permission, authorize
from cases.statistics.models import AgeBand, FactEvent, StatisticsFact
from cases.statistics.suppression import Suppressed, Table, suppress

UNKNOWN = "unknown"
# The longest range a table covers: ten years of months.
MAX_MONTHS = 120


class Breakdown(StrEnum):
    AGENCY_KIND = "agency_kind"  # the lead agency (a referral's: the sending agency)
    RECEIVING_AGENCY_KIND = "receiving_agency_kind"
    CONCERN = "concern"
    AGE_BAND = "age_band"
    DISTRICT = "district"
    OUTCOME = "outcome"


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


_VOCABULARY: dict[Breakdown, tuple[str, ...]] = {
    Breakdown.AGENCY_KIND: tuple(AgencyKind),
    Breakdown.RECEIVING_AGENCY_KIND: tuple(AgencyKind),
    Breakdown.CONCERN: tuple(ConcernCode),
    Breakdown.AGE_BAND: tuple(AgeBand),
    Breakdown.OUTCOME: tuple(Outcome),
}


@dataclass(frozen=True)
class TableRequest:
    measure: FactEvent
    first_month: date  # the first day of a month
    last_month: date
    granularity: Granularity
    breakdowns: tuple[Breakdown, ...]  # one or two, different


@dataclass(frozen=True)
class StatisticsView:
    request: TableRequest
    table: Suppressed
    includes_demo: bool  # the counted facts include the demo's synthetic ones


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _period(month: str, granularity: Granularity) -> str:
    if granularity == Granularity.MONTH:
        return month
    year, number = month.split("-")
    return f"{year} Q{(int(number) - 1) // 3 + 1}"


def check_request(request: TableRequest) -> None:
    if request.first_month.day != 1 or request.last_month.day != 1:
        raise InputError("invalid_date", "first_month")
    if request.last_month < request.first_month:
        raise InputError("range_reversed", "last_month")
    if len(_months(request.first_month, request.last_month)) > MAX_MONTHS:
        raise InputError("range_too_long", "last_month")
    if not 1 <= len(request.breakdowns) <= 2 or len(set(request.breakdowns)) != len(
        request.breakdowns
    ):
        raise InputError("invalid_choice", "breakdowns")


_COLUMNS: dict[str, Any] = {
    Breakdown.RECEIVING_AGENCY_KIND: StatisticsFact.receiving_agency_kind,
    Breakdown.AGE_BAND: StatisticsFact.age_band,
    Breakdown.DISTRICT: StatisticsFact.district,
    Breakdown.OUTCOME: StatisticsFact.outcome,
}


def _grouped(
    session: Session, request: TableRequest
) -> tuple[list[tuple[dict[str, object], int]], bool]:
    """The counts per month and breakdown values, grouped in SQL (the facts may be many)."""
    referral = request.measure.startswith("referral_")
    agency = StatisticsFact.sending_agency_kind if referral else StatisticsFact.lead_agency_kind
    columns: dict[str, Any] = {
        "month": StatisticsFact.month,
        Breakdown.AGENCY_KIND: agency,
        Breakdown.CONCERN: cast(StatisticsFact.concern_codes, String),
        **_COLUMNS,
    }
    wanted = ["month", *request.breakdowns]
    selected = [columns[name].label(str(name)) for name in wanted]
    where = (
        StatisticsFact.event == request.measure,
        StatisticsFact.month >= _month(request.first_month),
        StatisticsFact.month <= _month(request.last_month),
    )
    query = select(*selected, func.count()).where(*where).group_by(*selected)
    rows = [
        (dict(zip(wanted, row[:-1], strict=True)), int(row[-1])) for row in session.execute(query)
    ]
    demo = session.scalar(select(StatisticsFact.id).where(*where, StatisticsFact.demo).limit(1))
    return rows, demo is not None


def _values(breakdown: Breakdown, raw: object) -> list[str]:
    """The line(s) one group counts under: each of its concerns, or its one value."""
    if breakdown == Breakdown.CONCERN:
        codes = orjson.loads(str(raw)) if raw else []
        return [str(code) for code in codes] or [UNKNOWN]
    return [str(raw) if raw else UNKNOWN]


def _lines(breakdown: Breakdown, seen: Iterable[str]) -> tuple[str, ...]:
    fixed = _VOCABULARY.get(breakdown, ())
    extra = sorted(set(seen) - set(fixed) - {UNKNOWN})
    return (*fixed, *extra, UNKNOWN)


def _two_way(rows: Sequence[tuple[dict[str, object], int]], request: TableRequest) -> Table:
    counts: Counter[tuple[str, str]] = Counter()
    if len(request.breakdowns) == 1:
        [across] = request.breakdowns
        down_lines = tuple(
            dict.fromkeys(
                _period(m, request.granularity)
                for m in _months(request.first_month, request.last_month)
            )
        )
        for group, count in rows:
            for value in _values(across, group[across]):
                counts[(_period(str(group["month"]), request.granularity), value)] += count
        across_lines = _lines(across, (v for _d, v in counts))
    else:
        down, across = request.breakdowns
        for group, count in rows:
            for d in _values(down, group[down]):
                for a in _values(across, group[across]):
                    counts[(d, a)] += count
        down_lines = _lines(down, (d for d, _a in counts))
        across_lines = _lines(across, (a for _d, a in counts))
    return Table(
        rows=down_lines,
        columns=across_lines,
        counts=tuple(tuple(counts[(d, a)] for a in across_lines) for d in down_lines),
    )


def _transposed(table: Suppressed) -> Suppressed:
    return Suppressed(
        rows=table.columns,
        columns=table.rows,
        cells=tuple(zip(*table.cells, strict=True)),
        row_totals=table.column_totals,
        column_totals=table.row_totals,
        total=table.total,
        threshold=table.threshold,
    )


def statistics_table(
    session: Session,
    ctx: AuditContext,
    request: TableRequest,
    *,
    threshold: int,
    exporting: bool = False,
) -> StatisticsView:
    """The suppressed table of one view; audited with what was asked, never a value."""
    authorize(ctx.actor, Permission.STATISTICS_EXPORT if exporting else Permission.STATISTICS_READ)
    check_request(request)
    rows, demo = _grouped(session, request)
    # A table and its transpose are suppressed alike: always in one orientation, then turned
    # for display (attack on issue 13: A × B and B × A hid different cells).
    canonical = tuple(sorted(request.breakdowns, key=list(Breakdown).index))
    turned = canonical != request.breakdowns
    asked = replace(request, breakdowns=canonical) if turned else request
    table = suppress(_two_way(rows, asked), threshold)
    if turned:
        table = _transposed(table)
    record(
        session,
        ctx,
        Action.STATISTICS_EXPORTED if exporting else Action.STATISTICS_READ,
        object_type="statistics",
        measure=str(request.measure),
        first_month=_month(request.first_month),
        last_month=_month(request.last_month),
        granularity=str(request.granularity),
        # Named apart, not as a list: the log sorts lists, and the order says which is down.
        down=str(request.breakdowns[0]) if len(request.breakdowns) > 1 else "period",
        across=str(request.breakdowns[-1]),
    )
    return StatisticsView(request, table, demo)
