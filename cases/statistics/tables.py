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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from itertools import product
from typing import Any

import orjson
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action, AuditContext, record
from audit.queries import actions_since
from cases.accounts.models import AgencyKind
from cases.casework.models import ConcernCode, Outcome
from cases.inputs import InputError
from cases.policy import Permission, authorize
from cases.statistics.joint_audit import Atom
from cases.statistics.linked import Cube, Release, View, table_of
from cases.statistics.models import AgeBand, FactEvent, StatisticsFact
from cases.statistics.releases import Part, combine
from cases.statistics.stored import protected
from cases.statistics.suppression import Suppressed
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


# The dimensions of a family's cube, in the order of `Breakdown` after the month (so that a
# canonical request names its dimensions in index order). Concern is a dimension only of the
# concern family, whose cube counts (event, concern) pairs (`cases.statistics.linked`).
_DIMENSIONS: tuple[str, ...] = ("month", *Breakdown)
_CONCERN = _DIMENSIONS.index(Breakdown.CONCERN)
_FACT_DIMENSIONS = tuple(d for d in range(len(_DIMENSIONS)) if d != _CONCERN)


def _family_views(concern: bool) -> tuple[View, ...]:
    """The tables an analyst may ask of a family: period x one breakdown, and each pair."""
    dims = range(len(_DIMENSIONS)) if concern else _FACT_DIMENSIONS
    pairs = [(i, j) for i in dims for j in dims if i < j]
    return tuple(p for p in pairs if (_CONCERN in p) == concern)


def _grouped(
    session: Session, request: TableRequest
) -> tuple[list[tuple[dict[str, object], int]], bool]:
    """The counts per month and every dimension, grouped in SQL (the facts may be many)."""
    referral = request.measure.startswith("referral_")
    agency = StatisticsFact.sending_agency_kind if referral else StatisticsFact.lead_agency_kind
    columns: dict[str, Any] = {
        "month": StatisticsFact.month,
        Breakdown.AGENCY_KIND: agency,
        Breakdown.RECEIVING_AGENCY_KIND: StatisticsFact.receiving_agency_kind,
        Breakdown.CONCERN: cast(StatisticsFact.concern_codes, String),
        Breakdown.AGE_BAND: StatisticsFact.age_band,
        Breakdown.DISTRICT: StatisticsFact.district,
        Breakdown.OUTCOME: StatisticsFact.outcome,
    }
    selected = [columns[name].label(str(name)) for name in _DIMENSIONS]
    where = (
        StatisticsFact.event == request.measure,
        StatisticsFact.month >= f"{request.first_year:04d}-01",
        StatisticsFact.month <= f"{request.last_year:04d}-12",
    )
    query = select(*selected, func.count()).where(*where).group_by(*selected)
    rows = [
        (dict(zip(_DIMENSIONS, row[:-1], strict=True)), int(row[-1]))
        for row in session.execute(query)
    ]
    demo = session.scalar(select(StatisticsFact.id).where(*where, StatisticsFact.demo).limit(1))
    return rows, demo is not None


def _values(breakdown: str, raw: object) -> list[str]:
    """The line(s) one group counts under: each of its concerns, or its one value."""
    if breakdown == Breakdown.CONCERN:
        codes = orjson.loads(str(raw)) if raw else []
        return [str(code) for code in codes] or [UNKNOWN]
    return [str(raw) if raw else UNKNOWN]


def _lines(dimension: str, seen: Iterable[str]) -> tuple[str, ...]:
    fixed = _VOCABULARY.get(Breakdown(dimension), ())
    extra = sorted(set(seen) - set(fixed) - {UNKNOWN})
    return (*fixed, *extra, UNKNOWN)


def _cubes(
    rows: Sequence[tuple[dict[str, object], int]], concern: bool, span: range
) -> dict[int, Cube]:
    """The cube of each year: facts by every dimension, or (fact, concern) pairs."""
    dims = range(len(_DIMENSIONS)) if concern else _FACT_DIMENSIONS
    names = tuple(_DIMENSIONS[d] for d in dims)
    counts: dict[int, Counter[Atom]] = defaultdict(Counter)
    for group, count in rows:
        month = str(group["month"])
        values = [[month]] + [_values(name, group[name]) for name in names[1:]]
        for atom in product(*values):
            counts[int(month[:4])][atom] += count
    cubes = {}
    for year in span:
        atoms = counts[year]
        lines = [tuple(_months(year))] + [
            _lines(name, (atom[d] for atom in atoms)) for d, name in enumerate(names) if d
        ]
        cubes[year] = Cube.of(names, lines, atoms)
    return cubes


def _released(
    session: Session,
    rows: Sequence[tuple[dict[str, object], int]],
    request: TableRequest,
    threshold: int,
    compute: bool,
) -> Suppressed:
    """The table of the request, combined from its years' tables of their families (each
    year's protection from the store, or computed now when ``compute``)."""
    concern = Breakdown.CONCERN in request.breakdowns
    span = range(request.first_year, request.last_year + 1)
    cubes = {flag: _cubes(rows, flag, span) for flag in (False, True)}
    dims = tuple(cubes[concern][request.first_year].names)
    asked = ("month", *request.breakdowns) if len(request.breakdowns) == 1 else request.breakdowns
    view: View = (dims.index(asked[0]), dims.index(asked[1]))
    families = {flag: _reindexed(_family_views(flag), flag) for flag in (False, True)}
    position = families[concern].index(view)
    tables = {year: table_of(cubes[concern][year], view) for year in span}
    targets = {year: tables[year].rows for year in span}
    if len(request.breakdowns) == 1:
        targets = {y: tuple(_period(m, request.granularity) for m in targets[y]) for y in span}
    down = tuple(dict.fromkeys(target for year in span for target in targets[year]))
    across = _lines(asked[1], (c for year in span for c in tables[year].columns))
    if len(request.breakdowns) == 2:
        down = _lines(asked[0], (r for year in span for r in tables[year].rows))
    # Checked before anything is protected: the protection is what costs.
    if len(down) * len(across) > MAX_CELLS:
        raise InputError("table_too_large", "breakdowns")
    parts = []
    for year in span:
        released = _protected_year(session, cubes, families, year, threshold, compute)[concern]
        parts.append(Part(tables[year], released.tables[position], targets[year]))
    return combine(down, across, tuple(parts), threshold)


def _protected_year(
    session: Session,
    cubes: dict[bool, dict[int, Cube]],
    families: dict[bool, tuple[View, ...]],
    year: int,
    threshold: int,
    compute: bool = True,
) -> tuple[Release, Release]:
    """One year's fact family and (fact, concern) pair family, protected together."""
    facts, pairs = ((cubes[flag][year], families[flag]) for flag in (False, True))
    return protected(session, facts, pairs, threshold, str(Breakdown.CONCERN), compute=compute)


def prepare_releases(
    session: Session,
    ctx: AuditContext,
    *,
    threshold: int,
    this_year: int,
    after_each: Callable[[], None] = lambda: None,
) -> int:
    """Protect and store every ended year's families of every measure (`statistics
    prepare`), so that no analyst's page pays for it; return how many measure-years.

    The latest year of each measure comes first (the page opens on it), and ``after_each``
    runs after each measure-year: the command commits there, so that what is prepared is
    served at once and no write waits for the whole run (SQLite has one writer)."""
    authorize(ctx.actor, Permission.STATISTICS_PREPARE)
    first = session.scalar(select(func.min(StatisticsFact.month)))
    span = range(int(first[:4]) if first else this_year, this_year)
    families = {flag: _reindexed(_family_views(flag), flag) for flag in (False, True)}
    for measure in FactEvent if span else ():
        request = TableRequest(
            measure, span.start, span.stop - 1, Granularity.MONTH, (Breakdown.AGENCY_KIND,)
        )
        rows, _demo = _grouped(session, request)
        cubes = {flag: _cubes(rows, flag, span) for flag in (False, True)}
        for year in reversed(span):
            _protected_year(session, cubes, families, year, threshold)
            after_each()
    prepared = len(span) * len(FactEvent)
    record(
        session,
        ctx,
        Action.STATISTICS_PREPARED,
        object_type="statistics",
        extra={"measure_years": prepared, "threshold": threshold},
    )
    return prepared


def _reindexed(views: tuple[View, ...], concern: bool) -> tuple[View, ...]:
    """The family's views as indexes into its cube's dimensions."""
    dims = list(range(len(_DIMENSIONS)) if concern else _FACT_DIMENSIONS)
    return tuple((dims.index(i), dims.index(j)) for i, j in views)


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
    since = utcnow() - timedelta(days=1)
    return actions_since(session, actor_id, _STATISTICS_ACTIONS, since)


def statistics_table(
    session: Session,
    ctx: AuditContext,
    request: TableRequest,
    *,
    threshold: int,
    this_year: int,
    exporting: bool = False,
    protect_on_view: bool,
) -> StatisticsView:
    """The suppressed table of one view; audited with what was asked, never a value.

    Raise `NotPrepared` (nothing audited: nothing was shown) when a year of the view has no
    stored protection and ``protect_on_view`` is off."""
    authorize(ctx.actor, Permission.STATISTICS_EXPORT if exporting else Permission.STATISTICS_READ)
    check_request(request, this_year)
    rows, demo = _grouped(session, request)
    # A table and its transpose are suppressed alike: always in one orientation, then turned
    # for display (attack on issue 13: A × B and B × A hid different cells).
    canonical = tuple(sorted(request.breakdowns, key=list(Breakdown).index))
    turned = canonical != request.breakdowns
    asked = replace(request, breakdowns=canonical) if turned else request
    table = _released(session, rows, asked, threshold, protect_on_view)
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
