"""The fact family and the (fact, concern) pair family of one measure and year (attack on
issue 13): an attacker who solves both at once — a fact cell x and its pairs y_c tied by
y_c <= x and sum_c y_c >= x — must pin no hidden nonzero entry of either closer than the
threshold. The attacker's LP is written here over *all* cells of both cubes, independently of
`cases.statistics.linked_families`."""

from __future__ import annotations

from collections import Counter
from itertools import product
from unittest.mock import patch

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no types

from cases.statistics import linked_families
from cases.statistics.linked import Cube, View, rebuilt
from cases.statistics.linked_families import protect_linked
from cases.statistics.suppression import Suppressed
from tests.cases.statistics.test_linked import entries

MONTHS, AGENCIES, CONCERNS = ("m1", "m2", "m3"), ("a", "b", "c"), ("bully", "school", "unknown")
FACT_VIEWS: tuple[View, ...] = ((0, 1),)
PAIR_VIEWS: tuple[View, ...] = ((0, 2), (1, 2))
FACT_CELLS = list(product(MONTHS, AGENCIES))
PAIR_CELLS = list(product(MONTHS, AGENCIES, CONCERNS))
Facts = list[tuple[str, str, tuple[str, ...]]]


@st.composite
def years(draw: st.DrawFn) -> Facts:
    """Facts of one year: a month, an agency and one or two concerns each."""
    facts: Facts = []
    for month, agency in FACT_CELLS:
        for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3, 4, 6, 8]))):
            two = draw(st.booleans()) and draw(st.booleans())
            first = draw(st.sampled_from(CONCERNS))
            second = draw(st.sampled_from([c for c in CONCERNS if c != first]))
            facts.append((month, agency, (first, second) if two else (first,)))
    return facts


def families(facts: Facts) -> tuple[Cube, Cube]:
    fact_counts: Counter[tuple[str, ...]] = Counter()
    pair_counts: Counter[tuple[str, ...]] = Counter()
    for month, agency, concerns in facts:
        fact_counts[(month, agency)] += 1
        for concern in concerns:
            pair_counts[(month, agency, concern)] += 1
    return (
        Cube.of(("month", "agency"), (MONTHS, AGENCIES), fact_counts),
        Cube.of(("month", "agency", "concern"), (MONTHS, AGENCIES, CONCERNS), pair_counts),
    )


def _column(fixed: dict[int, str], cells: list[tuple[str, ...]]) -> list[float]:
    return [1.0 if all(cell[d] == v for d, v in fixed.items()) else 0.0 for cell in cells]


def pinned(
    facts: Facts, released: tuple[tuple[Suppressed, ...], tuple[Suppressed, ...]], threshold: int
) -> list[tuple[str, dict[int, str], int]]:
    """The hidden entries whose range, over every cell of both cubes, is narrower than the
    threshold: zeros too (fifth attack on issue 13: a hidden zero told is a month of nobody,
    and the few months left then hold the small count between them)."""
    fact_cube, pair_cube = families(facts)
    n_facts = len(FACT_CELLS)
    rows, values, hidden = [], [], []
    for family, tables, views, cells in (
        ("facts", released[0], FACT_VIEWS, FACT_CELLS),
        ("pairs", released[1], PAIR_VIEWS, PAIR_CELLS),
    ):
        for table, view in zip(tables, views, strict=True):
            for fixed, value, _mark in entries(table, view):
                own = _column(fixed, cells)
                row = own + [0.0] * len(PAIR_CELLS) if family == "facts" else [0.0] * n_facts + own
                if value is None:
                    hidden.append((family, fixed, row))
                else:
                    rows.append(row)
                    values.append(float(value))
    links, limits = [], []
    for i, fact in enumerate(FACT_CELLS):
        mine = [n_facts + j for j, pair in enumerate(PAIR_CELLS) if pair[:2] == fact]
        for j in mine:  # y_c - x <= 0
            links.append(
                [
                    1.0 if k == j else -1.0 if k == i else 0.0
                    for k in range(n_facts + len(PAIR_CELLS))
                ]
            )
            limits.append(0.0)
        # x - sum_c y_c <= 0
        links.append(
            [
                1.0 if k == i else -1.0 if k in mine else 0.0
                for k in range(n_facts + len(PAIR_CELLS))
            ]
        )
        limits.append(0.0)
    counts = {"facts": fact_cube, "pairs": pair_cube}
    out = []
    for family, fixed, row in hidden:
        true = sum(
            n for atom, n in counts[family].atoms if all(atom[d] == v for d, v in fixed.items())
        )
        problem = {
            "A_ub": np.array(links),
            "b_ub": np.array(limits),
            "A_eq": np.array(rows) if rows else None,
            "b_eq": np.array(values) if rows else None,
            # (A bound on every cell keeps HiGHS from calling an unbounded maximum infeasible.)
            "bounds": (0, 10**6),
            "method": "highs",
        }
        low = linprog(np.array(row), **problem)
        high = linprog(-np.array(row), **problem)
        assert low.status == 0, low.message
        assert high.status == 0, high.message
        top = -high.fun
        if top - low.fun < threshold - 1e-6:
            out.append((family, fixed, true))
    return out


def _protected(
    facts: Facts, threshold: int
) -> tuple[tuple[Suppressed, ...], tuple[Suppressed, ...]]:
    fact_cube, pair_cube = families(facts)
    fact_release, pair_release = protect_linked(
        (fact_cube, FACT_VIEWS), (pair_cube, PAIR_VIEWS), threshold, "concern"
    )
    return fact_release.tables, pair_release.tables


@settings(max_examples=30, deadline=None)
@given(years())
# Found by CI: nothing nonzero published, and the zeros shown (a fact cell of a month of
# nobody, two agencies without an unknown concern) told a hidden zero of the pairs.
@example(
    [("m1", "a", ("bully",)), ("m1", "c", ("bully",)), ("m1", "c", ("bully", "school")),
     ("m2", "c", ("bully",))]
)  # fmt: skip
def test_the_two_families_together_pin_no_hidden_entry(facts: Facts) -> None:
    assert pinned(facts, _protected(facts, 5), 5) == []


# Found by a random search: each family protected alone, and their shared entries hidden in
# both, the month totals of facts m1 and m2 and the cell m1 x b are pinned once the pairs'
# counts bound each fact cell (a fact counts once per concern, and in at least one).
ONE_YEAR: Facts = [
    ("m1", "b", ("school",)), ("m1", "b", ("school", "unknown")),
    ("m1", "b", ("unknown", "school")), ("m1", "b", ("bully",)), ("m1", "b", ("school",)),
    ("m1", "b", ("school",)), ("m2", "a", ("unknown",)), ("m2", "a", ("school",)),
    ("m2", "a", ("school",)), ("m2", "a", ("school", "bully")),
    ("m2", "a", ("bully", "school")), ("m2", "a", ("school", "unknown")),
    ("m2", "b", ("unknown",)), ("m2", "b", ("school",)), ("m2", "b", ("bully",)),
    ("m2", "b", ("school",)), ("m2", "c", ("bully", "school")), ("m3", "a", ("bully",)),
    ("m3", "a", ("bully", "school")), ("m3", "a", ("unknown", "school")),
    ("m3", "a", ("unknown", "school")), ("m3", "a", ("unknown",)), ("m3", "a", ("school",)),
    ("m3", "b", ("unknown",)), ("m3", "b", ("unknown",)), ("m3", "b", ("bully",)),
    ("m3", "b", ("school",)), ("m3", "b", ("school", "bully")), ("m3", "b", ("bully",)),
    ("m3", "b", ("school",)), ("m3", "b", ("unknown",)), ("m3", "c", ("school",)),
    ("m3", "c", ("bully",)), ("m3", "c", ("school",)), ("m3", "c", ("unknown",)),
]  # fmt: skip


def test_the_families_solved_together_are_protected_together() -> None:
    protect_linked.cache_clear()
    with patch.object(linked_families, "_cover", lambda *args: set()):
        apart = _protected(ONE_YEAR, 5)
    protect_linked.cache_clear()
    assert pinned(ONE_YEAR, apart, 5), "the families protected only by their shared marks leak"
    assert pinned(ONE_YEAR, _protected(ONE_YEAR, 5), 5) == []


@settings(max_examples=15, deadline=None)
@given(years())
def test_the_marks_alone_rebuild_the_released_tables(facts: Facts) -> None:
    """What `statistics_releases` keeps (the marks) gives back exactly the tables."""
    fact_cube, pair_cube = families(facts)
    for release, (cube, views) in zip(
        protect_linked((fact_cube, FACT_VIEWS), (pair_cube, PAIR_VIEWS), 5, "concern"),
        ((fact_cube, FACT_VIEWS), (pair_cube, PAIR_VIEWS)),
        strict=True,
    ):
        assert rebuilt(cube, views, 5, release.marks) == release


def lines_with_one_hidden_entry(
    released: tuple[tuple[Suppressed, ...], tuple[Suppressed, ...]],
) -> list[tuple[int, str, int]]:
    """Every line (a row or a column with its total) of a released table that holds exactly one
    hidden entry: it is its line's total minus the rest."""
    out = []
    for family, tables in enumerate(released):
        for t, table in enumerate(tables):
            n_rows, n_columns = len(table.rows), len(table.columns)
            for r in range(n_rows + 1):
                row = [table.entry(r, c).value for c in range(n_columns + 1)]
                if row.count(None) == 1:
                    out.append((family, f"table {t} row", r))
            for c in range(n_columns + 1):
                column = [table.entry(r, c).value for r in range(n_rows + 1)]
                if column.count(None) == 1:
                    out.append((family, f"table {t} column", c))
    return out


# The shape of `consent_withdrawn` 2025 in the demo (fifth attack on issue 13): four facts in
# the year, so the fact family hides every month total, m2's zero too; the pair family hid m2's
# total as well but published its concern cells, all 0, which told that m2 was 0.
FOUR_IN_A_YEAR: Facts = [
    ("m1", "a", ("school",)), ("m1", "b", ("bully",)),
    ("m3", "a", ("unknown",)), ("m3", "c", ("school", "bully")),
]  # fmt: skip


def test_a_month_of_nobody_under_a_small_year_is_not_told_by_its_pairs() -> None:
    protect_linked.cache_clear()
    released = _protected(FOUR_IN_A_YEAR, 5)
    assert lines_with_one_hidden_entry(released) == []
    assert pinned(FOUR_IN_A_YEAR, released, 5) == []


@settings(max_examples=30, deadline=None)
@given(years())
def test_no_released_line_holds_exactly_one_hidden_entry(facts: Facts) -> None:
    assert lines_with_one_hidden_entry(_protected(facts, 5)) == []
