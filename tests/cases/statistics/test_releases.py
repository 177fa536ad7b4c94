"""Fixed yearly releases (attack on issue 13): tables over several years or by quarter are cut
from the suppressed yearly tables by month, so that no set of views tells an attacker more than
the yearly tables do. Checked with an attacker's LP written here, over the atoms (one count per
month and value) and every published entry of every view at once."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no types
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action
from audit.models import AuditEvent
from audit.queries import flagged_events
from cases.inputs import InputError
from cases.statistics import services as statistics
from cases.statistics.counting import Counted
from cases.statistics.models import FactEvent
from cases.statistics.releases import Part, combine
from cases.statistics.suppression import Mark, Suppressed, Table, suppress
from cases.statistics.tables import FLAGGED_AFTER_VIEWS, MAX_CELLS
from tests.factories import Builders, as_user

VALUES = ("a", "b", "c", "d")
YEARS = (2024, 2025)


def month_rows(year: int) -> tuple[str, ...]:
    return tuple(f"{year}-{m:02d}" for m in range(1, 13))


def quarter(month: str) -> str:
    return f"{month[:4]} Q{(int(month[5:]) - 1) // 3 + 1}"


Atoms = dict[tuple[str, str], int]


def yearly_counts(atoms: Atoms, year: int) -> Table:
    rows = month_rows(year)
    return Table(rows, VALUES, tuple(tuple(atoms[(m, v)] for v in VALUES) for m in rows))


@lru_cache(maxsize=256)
def yearly(counts: Table, threshold: int) -> Suppressed:
    """A year's table suppressed on its own (its family here is this one table)."""
    return suppress(counts, threshold)


def part(counts: Table, targets: tuple[str, ...], threshold: int) -> Part:
    return Part(counts, yearly(counts, threshold), targets)


def views(atoms: Atoms, threshold: int) -> list[tuple[Suppressed, dict[str, list[str]]]]:
    """Every view an analyst can ask of two years and one breakdown, with the months each of
    its rows sums."""
    parts = {y: part(yearly_counts(atoms, y), month_rows(y), threshold) for y in YEARS}
    by_quarter = {
        y: part(yearly_counts(atoms, y), tuple(map(quarter, month_rows(y))), threshold)
        for y in YEARS
    }
    out = []
    for span in ((2024,), (2025,), (2024, 2025)):
        months = [m for y in span for m in month_rows(y)]
        out.append(
            (
                combine(tuple(months), VALUES, tuple(parts[y] for y in span), threshold),
                {m: [m] for m in months},
            )
        )
        quarters: dict[str, list[str]] = {}
        for m in months:
            quarters.setdefault(quarter(m), []).append(m)
        out.append(
            (
                combine(tuple(quarters), VALUES, tuple(by_quarter[y] for y in span), threshold),
                quarters,
            )
        )
    return out


def joint_ranges(
    atoms: Atoms, published: Sequence[tuple[Suppressed, dict[str, list[str]]]]
) -> dict[tuple[str, str], tuple[float, float]]:
    """The attacker's min and max of each atom given every published entry of every view."""
    keys = sorted(atoms)
    index = {k: i for i, k in enumerate(keys)}
    a_eq, b_eq = [], []
    for view, months_of in published:
        for r, row in enumerate(view.rows):
            for c in range(len(view.columns) + 1):
                entry = view.row_totals[r] if c == len(view.columns) else view.cells[r][c]
                if entry.value is None:
                    continue
                line = np.zeros(len(keys))
                for m in months_of[row]:
                    for v in VALUES if c == len(view.columns) else (view.columns[c],):
                        line[index[(m, v)]] = 1
                a_eq.append(line)
                b_eq.append(entry.value)
        for c in range(len(view.columns) + 1):
            entry = view.total if c == len(view.columns) else view.column_totals[c]
            if entry.value is None:
                continue
            line = np.zeros(len(keys))
            for row in view.rows:
                for m in months_of[row]:
                    for v in VALUES if c == len(view.columns) else (view.columns[c],):
                        line[index[(m, v)]] = 1
            a_eq.append(line)
            b_eq.append(entry.value)
    ranges = {}
    for key in keys:
        objective = np.zeros(len(keys))
        objective[index[key]] = 1
        low = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
        high = linprog(-objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None))
        assert low.status == 0 and high.status in (0, 3)
        ranges[key] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return ranges


@st.composite
def two_years(draw: st.DrawFn) -> Atoms:
    counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(0, 9), st.integers(10, 40))
    return {(m, v): draw(counts) for y in YEARS for m in month_rows(y) for v in VALUES}


class TestCombined:
    @settings(max_examples=15, deadline=None)
    @given(two_years(), st.sampled_from([3, 5]))
    def test_no_set_of_views_pins_a_hidden_month_closer_than_the_threshold(
        self, atoms: Atoms, threshold: int
    ) -> None:
        published = views(atoms, threshold)
        ranges = joint_ranges(atoms, published)
        for y in YEARS:
            base = yearly(yearly_counts(atoms, y), threshold)
            for r, month in enumerate(base.rows):
                for c, value in enumerate(base.columns):
                    if base.cells[r][c].value is None:
                        low, high = ranges[(month, value)]
                        assert high - low >= threshold - 1e-6, (month, value, low, high)

    @settings(max_examples=25, deadline=None)
    @given(two_years(), st.sampled_from([3, 5]))
    def test_a_combined_entry_is_published_only_when_its_parts_are(
        self, atoms: Atoms, threshold: int
    ) -> None:
        bases = {y: yearly(yearly_counts(atoms, y), threshold) for y in YEARS}
        both = combine(
            tuple(quarter(m) for y in YEARS for m in month_rows(y)[::3]),
            VALUES,
            tuple(
                part(yearly_counts(atoms, y), tuple(map(quarter, month_rows(y))), threshold)
                for y in YEARS
            ),
            threshold,
        )
        for r, row in enumerate(both.rows):
            year = int(row[:4])
            months = [i for i, m in enumerate(bases[year].rows) if quarter(m) == row]
            for c in range(len(VALUES)):
                parts = [bases[year].cells[i][c] for i in months]
                cell = both.cells[r][c]
                if any(p.value is None for p in parts):
                    assert cell.value is None
                    if any(p.mark is Mark.PRIMARY for p in parts):
                        assert cell.mark is Mark.PRIMARY
        for c in range(len(VALUES)):
            if any(bases[y].column_totals[c].value is None for y in YEARS):
                assert both.column_totals[c].value is None

    def test_one_year_by_month_is_its_yearly_table(self) -> None:
        rng = random.Random(4)
        atoms = {(m, v): rng.choice([0, 2, 7, 30]) for m in month_rows(2025) for v in VALUES}
        counts = yearly_counts(atoms, 2025)
        assert combine(counts.rows, VALUES, (part(counts, counts.rows, 5),), 5) is yearly(counts, 5)


# --- the service: complete years only, a size limit, the audit event ---


@pytest.fixture
def analyst_scene(domain_session: Session) -> tuple[Session, Builders]:
    build = Builders(domain_session)
    facts = [
        Counted(
            event=FactEvent.CASE_OPENED,
            at=datetime(year, month, 10, 12, tzinfo=UTC),
            lead_kind="police" if month % 3 else "ngo",
            sending_kind=None,
            receiving_kind=None,
            concerns=("school_absence",),
            born=None,
            postal_code=f"00{month % 9}10",
            outcome=None,
        )
        for year in YEARS
        for month in range(1, 13)
        for _ in range(month % 4 + 1)
    ]
    statistics.add_demo_facts(domain_session, facts)
    return domain_session, build


def ask(first: int, last: int, *breakdowns: statistics.Breakdown) -> statistics.TableRequest:
    return statistics.TableRequest(
        measure=FactEvent.CASE_OPENED,
        first_year=first,
        last_year=last,
        granularity=statistics.Granularity.MONTH,
        breakdowns=breakdowns or (statistics.Breakdown.AGENCY_KIND,),
    )


class TestService:
    @pytest.mark.parametrize(
        ("first", "last", "code"),
        [
            (2026, 2026, "year_not_complete"),
            (2025, 2026, "year_not_complete"),
            (2025, 2024, "range_reversed"),
            (1999, 2025, "invalid_year"),
            (2014, 2025, "range_too_long"),
        ],
    )
    def test_a_span_that_is_not_of_ended_years_is_refused(
        self, analyst_scene: tuple[Session, Builders], first: int, last: int, code: str
    ) -> None:
        session, build = analyst_scene
        timo = build.user("timo", role="analyst", agency="tur")
        with pytest.raises(InputError) as refused:
            statistics.statistics_table(
                session,
                as_user(timo),
                ask(first, last),
                threshold=5,
                this_year=2026,
                protect_on_view=True,
            )
        assert refused.value.code == code

    def test_too_large_a_table_is_refused_before_it_is_protected(
        self, analyst_scene: tuple[Session, Builders]
    ) -> None:
        session, build = analyst_scene
        timo = build.user("timo", role="analyst", agency="tur")
        request = ask(2016, 2025, statistics.Breakdown.DISTRICT)
        assert MAX_CELLS < 120 * 10  # ten years of months by the districts counted
        with pytest.raises(InputError) as refused:
            statistics.statistics_table(
                session, as_user(timo), request, threshold=5, this_year=2026, protect_on_view=True
            )
        assert refused.value.code == "table_too_large"

    def test_a_view_is_audited_with_its_years_and_no_value(
        self, analyst_scene: tuple[Session, Builders]
    ) -> None:
        session, build = analyst_scene
        timo = build.user("timo", role="analyst", agency="tur")
        view = statistics.statistics_table(
            session,
            as_user(timo),
            ask(2024, 2025),
            threshold=5,
            this_year=2026,
            protect_on_view=True,
        )
        assert view.table.rows[0] == "2024-01" and view.table.rows[-1] == "2025-12"
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.STATISTICS_READ)
        ).one()
        assert event.details["first_year"] == 2024 and event.details["last_year"] == 2025
        assert set(event.details) >= {"measure", "granularity", "down", "across"}

    def test_many_views_in_a_day_are_flagged_to_the_auditors(
        self, analyst_scene: tuple[Session, Builders]
    ) -> None:
        session, build = analyst_scene
        timo = build.user("timo", role="analyst", agency="tur")
        for _ in range(FLAGGED_AFTER_VIEWS + 2):
            statistics.statistics_table(
                session,
                as_user(timo),
                ask(2024, 2025),
                threshold=5,
                this_year=2026,
                protect_on_view=True,
            )
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == Action.STATISTICS_READ)
            .order_by(AuditEvent.occurred_at)
        ).all()
        flags = [bool(e.details.get(FLAGGED)) for e in events]
        assert flags == [False] * FLAGGED_AFTER_VIEWS + [True, True]
        since = datetime(2000, 1, 1, tzinfo=UTC)
        assert {e.id for e in flagged_events(session, since)} >= {e.id for e in events[-2:]}
