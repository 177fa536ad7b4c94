"""The analyst's tables (issue 13, point 2): a measure (an event), a span of complete calendar
years shown by month or by quarter, and one or two breakdowns, counted from the facts and
suppressed once: the page's table, its chart and its CSV all come from that one suppressed
table, so a cell hidden in one is hidden in all. Every table is cut from the fixed yearly
releases of `cases.statistics.releases`, so that two tables never differ by a few months.

One breakdown: periods down, the breakdown's values across. Two: the first breakdown down, the
second across, over the whole span. Every value of a fixed vocabulary is a line of its own
(zeros are shown); districts are those counted in the span, and "unknown" collects the facts
without the value. A fact with several concern codes counts once under each, so the totals of
a table by concern count (event, concern) pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action, AuditContext, record
from audit.models import AuditEvent
from cases.accounts.models import AgencyKind
from cases.casework.models import ConcernCode, Outcome
from cases.inputs import InputError
from cases.policy import Permission, authorize
from cases.statistics.models import AgeBand, FactEvent, StatisticsFact
from cases.statistics.releases import Part, combine
from cases.statistics.suppression import Suppressed, Table
from core.db import utcnow

UNKNOWN = "unknown"
# The longest span a table covers, and the earliest year it may start.
MAX_YEARS = 10
FIRST_YEAR = 2000
# The most entries a table may have: beyond it the protection's linear programmes grow too
# costly for a page (attack on issue 13: a large table of small counts took seconds of CPU).
MAX_CELLS = 600
# Views and downloads by one analyst within a day beyond which each is flagged to the
# auditors: working tables number in the tens; a script differencing tables, in hundreds.
FLAGGED_AFTER_VIEWS = 40
_STATISTICS_ACTIONS = (Action.STATISTICS_READ, Action.STATISTICS_EXPORTED)


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
    first_year: int  # whole calendar years that have ended
    last_year: int
    granularity: Granularity
    breakdowns: tuple[Breakdown, ...]  # one or two, different


@dataclass(frozen=True)
class StatisticsView:
    request: TableRequest
    table: Suppressed
    includes_demo: bool  # the counted facts include the demo's synthetic ones


def _months(year: int) -> list[str]:
    return [f"{year:04d}-{month:02d}" for month in range(1, 13)]


def _period(month: str, granularity: Granularity) -> str:
    if granularity == Granularity.MONTH:
        return month
    year, number = month.split("-")
    return f"{year} Q{(int(number) - 1) // 3 + 1}"


def check_request(request: TableRequest, this_year: int) -> None:
    if not FIRST_YEAR <= request.first_year <= 9999:
        raise InputError("invalid_year", "first_year")
    if request.last_year < request.first_year:
        raise InputError("range_reversed", "last_year")
    if request.last_year - request.first_year + 1 > MAX_YEARS:
        raise InputError("range_too_long", "last_year")
    # A year still running changes every month: two of its tables would differ by a month.
    if request.last_year >= this_year:
        raise InputError("year_not_complete", "last_year")
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
        StatisticsFact.month >= f"{request.first_year:04d}-01",
        StatisticsFact.month <= f"{request.last_year:04d}-12",
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


Counts = Counter[tuple[str, str]]


def _counted(
    rows: Sequence[tuple[dict[str, object], int]], request: TableRequest
) -> dict[int, Counts]:
    """The counts of each year by (down, across): by month and value for one breakdown."""
    years: dict[int, Counts] = defaultdict(Counter)
    for group, count in rows:
        month = str(group["month"])
        counts = years[int(month[:4])]
        if len(request.breakdowns) == 1:
            [across] = request.breakdowns
            for value in _values(across, group[across]):
                counts[(month, value)] += count
        else:
            down, across = request.breakdowns
            for d in _values(down, group[down]):
                for a in _values(across, group[across]):
                    counts[(d, a)] += count
    return years


def _table(down: tuple[str, ...], across: tuple[str, ...], counts: Counts) -> Table:
    return Table(down, across, tuple(tuple(counts[(d, a)] for a in across) for d in down))


def _released(
    rows: Sequence[tuple[dict[str, object], int]], request: TableRequest, threshold: int
) -> Suppressed:
    """The table of the request, combined from its years' monthly tables."""
    years = _counted(rows, request)
    span = range(request.first_year, request.last_year + 1)
    across_breakdown = request.breakdowns[-1]
    across = _lines(across_breakdown, (a for y in span for _d, a in years[y]))
    if len(request.breakdowns) == 1:
        down = tuple(
            dict.fromkeys(_period(m, request.granularity) for y in span for m in _months(y))
        )
        yearly_down = {y: tuple(_months(y)) for y in span}
    else:
        down = _lines(request.breakdowns[0], (d for y in span for d, _a in years[y]))
        yearly_down = {y: _lines(request.breakdowns[0], (d for d, _a in years[y])) for y in span}
    if len(down) * len(across) > MAX_CELLS:
        raise InputError("table_too_large", "breakdowns")
    parts = tuple(
        Part(
            _table(yearly_down[y], _lines(across_breakdown, (a for _d, a in years[y])), years[y]),
            tuple(
                _period(row, request.granularity) if len(request.breakdowns) == 1 else row
                for row in yearly_down[y]
            ),
        )
        for y in span
    )
    return combine(down, across, parts, threshold)


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


def _views_in_a_day(session: Session, ctx: AuditContext) -> int:
    """How many statistics views and downloads the actor made in the past 24 hours."""
    actor_id = getattr(ctx.actor, "id", None)
    query = select(func.count()).where(
        AuditEvent.actor_user_id == actor_id,
        AuditEvent.action.in_(_STATISTICS_ACTIONS),
        AuditEvent.occurred_at >= utcnow() - timedelta(days=1),
    )
    return int(session.scalar(query) or 0)


def statistics_table(
    session: Session,
    ctx: AuditContext,
    request: TableRequest,
    *,
    threshold: int,
    this_year: int,
    exporting: bool = False,
) -> StatisticsView:
    """The suppressed table of one view; audited with what was asked, never a value."""
    authorize(ctx.actor, Permission.STATISTICS_EXPORT if exporting else Permission.STATISTICS_READ)
    check_request(request, this_year)
    rows, demo = _grouped(session, request)
    # A table and its transpose are suppressed alike: always in one orientation, then turned
    # for display (attack on issue 13: A × B and B × A hid different cells).
    canonical = tuple(sorted(request.breakdowns, key=list(Breakdown).index))
    turned = canonical != request.breakdowns
    asked = replace(request, breakdowns=canonical) if turned else request
    table = _released(rows, asked, threshold)
    if turned:
        table = _transposed(table)
    views = _views_in_a_day(session, ctx) + 1
    record(
        session,
        ctx,
        Action.STATISTICS_EXPORTED if exporting else Action.STATISTICS_READ,
        object_type="statistics",
        measure=str(request.measure),
        first_year=request.first_year,
        last_year=request.last_year,
        granularity=str(request.granularity),
        # Named apart, not as a list: the log sorts lists, and the order says which is down.
        down=str(request.breakdowns[0]) if len(request.breakdowns) > 1 else "period",
        across=str(request.breakdowns[-1]),
        views_in_a_day=views,
        # Many tables in a day is how differencing attacks look (attack on issue 13).
        extra={FLAGGED: views > FLAGGED_AFTER_VIEWS},
    )
    return StatisticsView(request, table, demo)
