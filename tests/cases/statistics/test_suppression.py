"""Small-cell suppression: thresholds, whole lines, secondary cells and an independent LP audit."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no types

from cases.statistics import audit_lp
from cases.statistics.suppression import Cell, Mark, Suppressed, Table, interval, suppress

P, S = Mark.PRIMARY, Mark.SECONDARY

# Counts as statistics see them: mostly small, many zeros, now and then a large one.
COUNTS = st.one_of(
    st.just(0), st.integers(1, 4), st.integers(0, 12), st.integers(13, 60), st.integers(100, 900)
)


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 8, max_columns: int = 8) -> Table:
    """Draw a table of 1..max_rows x 1..max_columns counts (sometimes a one-way table)."""
    n_rows = draw(st.integers(1, max_rows))
    one_way = draw(st.booleans()) and draw(st.booleans())
    n_columns = 1 if one_way else draw(st.integers(1, max_columns))
    counts = draw(
        st.lists(
            st.lists(COUNTS, min_size=n_columns, max_size=n_columns),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    columns = ("",) if one_way else tuple(f"c{c}" for c in range(n_columns))
    return Table(
        tuple(f"r{r}" for r in range(n_rows)), columns, tuple(tuple(line) for line in counts)
    )


THRESHOLDS = st.sampled_from([3, 5, 10])


def table(*lines: tuple[int, ...]) -> Table:
    """Build a two-way table from its lines of counts."""
    return Table(
        tuple(f"r{r}" for r in range(len(lines))),
        tuple(f"c{c}" for c in range(len(lines[0]))),
        tuple(lines),
    )


def one_way(*counts: int) -> Table:
    """Build a one-way table."""
    return Table(tuple(f"r{r}" for r in range(len(counts))), ("",), tuple((n,) for n in counts))


# --- an independent view of the result: the extended table, written out here ---


def true_grid(t: Table) -> list[list[int]]:
    """Return the counts extended by row totals, column totals and the grand total."""
    rows = [[*line, sum(line)] for line in t.counts]
    return [*rows, [sum(col) for col in zip(*rows, strict=True)]]


def published_grid(s: Suppressed) -> list[list[Cell]]:
    """Return the published entries extended the same way."""
    rows = [[*line, total] for line, total in zip(s.cells, s.row_totals, strict=True)]
    return [*rows, [*s.column_totals, s.total]]


def lines_of(n_rows: int, n_columns: int) -> list[list[tuple[int, int]]]:
    """Return every row and column of the extended table (the totals lines included)."""
    rows = [[(r, c) for c in range(n_columns + 1)] for r in range(n_rows + 1)]
    columns = [[(r, c) for r in range(n_rows + 1)] for c in range(n_columns + 1)]
    return rows + columns


Limits = dict[tuple[int, int], tuple[float, float | None]]


def attacker_ranges(
    grid: list[list[Cell]], limits: Limits | None = None
) -> dict[tuple[int, int], tuple[float, float]]:
    """Return min and max of every hidden entry by LP over *all* entries of the table.

    Written apart from the module's LP: one variable per entry (totals too), published
    entries fixed, every row and column (totals lines included) additive, all >= 0, and
    entry (r, c) within ``limits[(r, c)]`` when given.
    """
    limits = limits or {}
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    width = n_columns + 1
    n = (n_rows + 1) * width
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []
    for r in range(n_rows + 1):  # sum of the cells of a row minus its total is 0
        row = np.zeros(n)
        row[r * width : r * width + n_columns] = 1
        row[r * width + n_columns] = -1
        a_eq.append(row)
        b_eq.append(0)
    for c in range(n_columns + 1):
        column = np.zeros(n)
        for r in range(n_rows):
            column[r * width + c] = 1
        column[n_rows * width + c] = -1
        a_eq.append(column)
        b_eq.append(0)
    for r, line in enumerate(grid):
        for c, entry in enumerate(line):
            if entry.value is not None:
                fixed = np.zeros(n)
                fixed[r * width + c] = 1
                a_eq.append(fixed)
                b_eq.append(entry.value)
    ranges = {}
    for r, line in enumerate(grid):
        for c, entry in enumerate(line):
            if entry.value is None:
                objective = np.zeros(n)
                objective[r * width + c] = 1
                bounds = []
                variables = [limits.get((i // width, i % width), (0, None)) for i in range(n)]
                for sign in (1, -1):
                    result = linprog(
                        sign * objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=variables
                    )
                    assert result.status in (0, 3), result.message
                    bounds.append(sign * result.fun if result.status == 0 else float("inf"))
                ranges[(r, c)] = (bounds[0], bounds[1])
    return ranges


def zero_is_hidden(truth: list[list[int]], r: int, c: int, threshold: int) -> bool:
    """Whether the zero at (r, c) of the extended table is hidden: it lies on a line with a
    small total, and each other line through it that totals zero has its zero total on a line
    with a small total too (else that line shows the zero anyway)."""

    def totals_of(i: int, j: int) -> list[tuple[int, int]]:
        row_total, column_total = (i, len(truth[0]) - 1), (len(truth) - 1, j)
        return [t for t in (row_total, column_total) if t != (i, j)]

    def small(position: tuple[int, int]) -> bool:
        return 0 < truth[position[0]][position[1]] < threshold

    def on_small_line(i: int, j: int) -> bool:
        return any(small(t) for t in totals_of(i, j))

    zero_totals = [t for t in totals_of(r, c) if truth[t[0]][t[1]] == 0]
    return on_small_line(r, c) and all(on_small_line(*t) for t in zero_totals)


def mark_limits(grid: list[list[Cell]], threshold: int) -> Limits:
    """What the marks tell an attacker: a primary entry counts at most threshold - 1, and at
    least 1 unless a line through it has a primary total (then it may be a hidden zero); a
    secondary entry counts at least the threshold."""
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    limits: Limits = {}
    for r, line in enumerate(grid):
        for c, entry in enumerate(line):
            if entry.mark is Mark.SECONDARY:
                limits[(r, c)] = (threshold, None)
            elif entry.mark is Mark.PRIMARY:
                totals = [grid[r][n_columns], grid[n_rows][c]]
                under_small = any(t.mark is Mark.PRIMARY and t is not entry for t in totals)
                limits[(r, c)] = (0 if under_small else 1, threshold - 1)
    return limits


def marks_only_ranges(
    grid: list[list[Cell]], marks: Limits, threshold: int
) -> dict[tuple[int, int], tuple[float, float]]:
    """The attacker's ranges with every nonzero number withheld (a published one is at least
    the threshold): what the marks and the shown zeros alone allow."""
    only_marks = [
        [entry if entry.value == 0 else Cell(None, entry.mark) for entry in line] for line in grid
    ]
    withheld: Limits = {
        (r, c): (threshold, None)
        for r, line in enumerate(grid)
        for c, entry in enumerate(line)
        if entry.value
    }
    return attacker_ranges(only_marks, withheld | marks)


class TestPublishedValues:
    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_no_small_count_is_published(self, t: Table, threshold: int) -> None:
        for line in published_grid(suppress(t, threshold)):
            for entry in line:
                assert entry.value is None or not 0 < entry.value < threshold

    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_published_values_are_the_true_counts(self, t: Table, threshold: int) -> None:
        s = suppress(t, threshold)
        truth = true_grid(t)
        for r, line in enumerate(published_grid(s)):
            for c, entry in enumerate(line):
                assert (entry.value is None) == (entry.mark is not None)
                if entry.value is not None:
                    assert entry.value == truth[r][c]

    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_zeros_are_hidden_only_on_a_small_line(self, t: Table, threshold: int) -> None:
        """Shown, except on a row or column whose total is small (whole-line rule): there a
        shown zero would tell how many hidden cells are at least 1."""
        truth = true_grid(t)
        for r, line in enumerate(published_grid(suppress(t, threshold))):
            for c, entry in enumerate(line):
                if truth[r][c] == 0:
                    if zero_is_hidden(truth, r, c, threshold):
                        assert entry == Cell(None, P)
                    else:
                        assert entry == Cell(0, None)

    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_small_lines_are_hidden_entirely(self, t: Table, threshold: int) -> None:
        truth = true_grid(t)
        grid = published_grid(suppress(t, threshold))
        for line in lines_of(len(t.rows), len(t.columns)):
            total = line[-1]
            if 0 < truth[total[0]][total[1]] < threshold:
                for r, c in line:
                    if truth[r][c] or zero_is_hidden(truth, r, c, threshold):
                        assert grid[r][c] == Cell(None, P)

    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_the_same_table_gives_the_same_result(self, t: Table, threshold: int) -> None:
        assert suppress(t, threshold) == suppress(t, threshold)
        copy = Table(tuple(t.rows), tuple(t.columns), tuple(tuple(line) for line in t.counts))
        assert suppress(copy, threshold) == suppress(t, threshold)


class TestRecovery:
    @settings(max_examples=200, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_no_line_holds_exactly_one_hidden_entry(self, t: Table, threshold: int) -> None:
        grid = published_grid(suppress(t, threshold))
        for line in lines_of(len(t.rows), len(t.columns)):
            assert sum(grid[r][c].value is None for r, c in line) != 1, line

    @settings(max_examples=100, deadline=None)
    @given(tables(), THRESHOLDS)
    def test_the_attacker_lp_leaves_every_hidden_entry_a_wide_range(
        self, t: Table, threshold: int
    ) -> None:
        s = suppress(t, threshold)
        truth = true_grid(t)
        for (r, c), (low, high) in attacker_ranges(published_grid(s)).items():
            assert low - 1e-6 <= truth[r][c] <= high + 1e-6
            assert high - low >= threshold - 1e-6, ((r, c), low, high)

    @settings(max_examples=100, deadline=None)
    @given(tables(max_rows=6, max_columns=6), THRESHOLDS)
    def test_the_marks_and_the_numbers_tell_no_more_than_the_marks(
        self, t: Table, threshold: int
    ) -> None:
        """The CSV says which entries are small (primary: 1 .. t-1) and which are not
        (secondary: at least t). An attacker who uses that may not pin a small entry any
        closer with the published numbers than with the marks and zeros alone."""
        grid = published_grid(suppress(t, threshold))
        marks = mark_limits(grid, threshold)
        with_numbers = attacker_ranges(grid, marks)
        prior = marks_only_ranges(grid, marks, threshold)
        for position, limit in marks.items():
            if limit[1] is not None:
                low, high = with_numbers[position]
                assert low <= prior[position][0] + 1e-6, (position, low, prior[position])
                assert high >= prior[position][1] - 1e-6, (position, high, prior[position])

    @settings(max_examples=100, deadline=None)
    @given(tables(max_rows=6, max_columns=6), THRESHOLDS)
    def test_the_marks_alone_pin_no_small_entry(self, t: Table, threshold: int) -> None:
        """Attack on issue 13: four cells marked primary under a primary total were 1 each
        because the zeros beside them were shown. With the numbers withheld, what the marks
        and the shown zeros allow leaves every small entry at least two values."""
        grid = published_grid(suppress(t, threshold))
        marks = mark_limits(grid, threshold)
        ranges = marks_only_ranges(grid, marks, threshold)
        for position, (_low, high) in marks.items():
            if high is not None:
                assert ranges[position][1] - ranges[position][0] >= 1 - 1e-6, position

    @settings(max_examples=40, deadline=None)
    @given(tables(max_rows=6, max_columns=6), THRESHOLDS)
    def test_interval_agrees_with_the_independent_lp(self, t: Table, threshold: int) -> None:
        s = suppress(t, threshold)
        for (r, c), (low, high) in attacker_ranges(published_grid(s)).items():
            mine = interval(s, r, c)
            assert mine[0] == pytest.approx(low, abs=1e-6)
            assert mine[1] == pytest.approx(high, abs=1e-6)


class TestHandMade:
    def test_a_small_cell_with_its_totals_is_protected_by_a_rectangle(self) -> None:
        s = suppress(table((2, 10, 7), (8, 9, 12), (0, 6, 20)))
        assert s.cells[0][0] == Cell(None, P)
        hidden = {(r, c) for r in range(3) for c in range(3) if s.cells[r][c].value is None}
        # the cheapest rectangle through (0, 0): 10 + 8 + 9 = 27 (ties broken by position)
        assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
        assert all(s.cells[r][c].mark is S for r, c in hidden - {(0, 0)})
        assert [cell.value for cell in s.row_totals] == [19, 29, 26]
        assert [cell.value for cell in s.column_totals] == [10, 25, 39]
        assert s.total == Cell(74, None)
        assert interval(s, 0, 0) == pytest.approx((0, 10))
        assert interval(s, 2, 2) == (20, 20)
        assert s.threshold == 5

    def test_zeros_are_shown_and_nothing_else_is_hidden(self) -> None:
        s = suppress(table((0, 10), (7, 0)))
        assert s.cells == ((Cell(0, None), Cell(10, None)), (Cell(7, None), Cell(0, None)))
        assert s.total == Cell(17, None)

    def test_an_empty_table_hides_nothing(self) -> None:
        s = suppress(table((0, 0), (0, 0)))
        assert all(cell == Cell(0, None) for line in s.cells for cell in line)
        assert s.total == Cell(0, None)

    def test_a_small_row_is_hidden_with_its_total_and_its_zeros(self) -> None:
        s = suppress(table((1, 3, 0), (20, 30, 40), (25, 35, 45)))
        assert s.cells[0] == (Cell(None, P), Cell(None, P), Cell(None, P))
        assert s.row_totals[0] == Cell(None, P)

    def test_four_small_cells_under_a_small_total_are_not_each_1(self) -> None:
        # Attack on issue 13: hidden 1, 1, 1, 1 and shown zeros under a total of at most 4.
        s = suppress(one_way(0, 1, 0, 1, 1, 0, 1))
        assert all(cell == (Cell(None, P),) for cell in s.cells)

    def test_a_small_grand_total_hides_everything(self) -> None:
        s = suppress(table((1, 0), (2, 1)))
        assert s.total == Cell(None, P)
        assert all(c == Cell(None, P) for line in s.cells for c in line)

    def test_the_threshold_is_configurable(self) -> None:
        t = table((3, 10), (12, 9))
        assert suppress(t, 3).cells[0][0] == Cell(3, None)
        assert suppress(t, 4).cells[0][0] == Cell(None, P)
        assert suppress(t, 10).cells[1][1] == Cell(None, P)
        assert suppress(t, 1) == suppress(t, 1)  # threshold 1 hides nothing
        assert all(c.mark is None for line in suppress(t, 1).cells for c in line)

    def test_a_total_is_hidden_only_when_no_cell_can_protect(self) -> None:
        # one row: the small cell can only be covered through the column totals
        s = suppress(table((2, 8, 30)))
        assert s.cells[0][0] == Cell(None, P)
        assert s.cells[0][1] == Cell(None, S)
        assert s.cells[0][2] == Cell(30, None)
        assert s.column_totals[0].value is None and s.column_totals[1].value is None
        assert s.row_totals[0] == Cell(40, None)

    def test_secondary_cells_are_the_smallest_candidates(self) -> None:
        s = suppress(table((3, 50, 6), (40, 7, 60), (8, 70, 9)))
        hidden = {(r, c) for r in range(3) for c in range(3) if s.cells[r][c].value is None}
        assert hidden == {(0, 0), (0, 2), (2, 0), (2, 2)}  # 6 + 8 + 9 beats any rectangle with 7


class TestOneWay:
    def test_a_small_count_is_hidden_with_the_next_smallest(self) -> None:
        s = suppress(one_way(2, 10, 7, 0, 30))
        assert [cell.value for line in s.cells for cell in line] == [None, 10, None, 0, 30]
        assert [cell.mark for line in s.cells for cell in line] == [P, None, S, None, None]
        assert s.row_totals == tuple(line[0] for line in s.cells)
        assert s.column_totals == (Cell(49, None),)
        assert s.total == Cell(49, None)
        assert interval(s, 0, 0) == pytest.approx((0, 9))

    def test_two_small_counts_that_add_up_to_too_little_take_a_third(self) -> None:
        s = suppress(one_way(1, 2, 40, 50))
        hidden = [line[0].value is None for line in s.cells]
        assert hidden == [True, True, True, False]

    @settings(max_examples=200, deadline=None)
    @given(st.lists(COUNTS, min_size=1, max_size=12), THRESHOLDS)
    def test_row_totals_equal_the_cells(self, counts: list[int], threshold: int) -> None:
        s = suppress(one_way(*counts), threshold)
        assert s.row_totals == tuple(line[0] for line in s.cells)
        assert s.column_totals == (s.total,)


class TestInput:
    @pytest.mark.parametrize(
        ("t", "threshold"),
        [
            (table((1, 2)), 0),
            (Table((), ("",), ()), 5),
            (Table(("a",), ("x", "y"), ((1,),)), 5),
            (Table(("a", "b"), ("x",), ((1,),)), 5),
            (table((1, -2)), 5),
        ],
    )
    def test_a_malformed_table_is_refused(self, t: Table, threshold: int) -> None:
        with pytest.raises(ValueError):
            suppress(t, threshold)


class TestWork:
    """How much LP a table costs: counted, not timed (timings belong to `bench/`)."""

    @pytest.mark.parametrize("seed", range(6))
    def test_a_twelve_by_ten_table_needs_few_linear_programmes(
        self, seed: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rng = random.Random(seed)
        weights = [[0, 1, 2, 3, 4, 8, 30, 200], [1, 2, 3, 4], [0, 1], [0, 0, 1, 7, 9]][seed % 4]
        counts = tuple(tuple(rng.choice(weights) for _ in range(10)) for _ in range(12))
        t = Table(tuple(map(str, range(12))), tuple(map(str, range(10))), counts)
        solved: list[object] = []
        real = audit_lp.linprog  # type: ignore[attr-defined]  # patched where it is used

        def counted(*args: object, **kwargs: object) -> object:
            solved.append(args)
            return real(*args, **kwargs)

        monkeypatch.setattr(audit_lp, "linprog", counted)
        s = suppress(t, (3, 5, 10)[seed % 3])
        hidden = sum(cell.value is None for line in published_grid(s) for cell in line)
        # Rectangles of hidden entries prove most entries without an LP; at most a handful of
        # programmes per hidden entry (two per range, a few rounds) remain.
        assert len(solved) <= 4 * hidden


class TestMarks:
    def test_a_small_cell_beside_a_just_large_one_is_not_pinned_by_its_marks(self) -> None:
        # Attack on issue 13: "primary + secondary = 6" with secondary >= 5 pins 1 and 5.
        s = suppress(table((1, 5, 30), (9, 8, 40), (7, 12, 25)))
        grid = published_grid(s)
        assert grid[0][0].mark is P
        marks = mark_limits(grid, 5)
        low, high = attacker_ranges(grid, marks)[(0, 0)]
        assert low == pytest.approx(1) and high == pytest.approx(4)

    def test_forced_entries_stay_hidden_with_their_marks(self) -> None:
        s = suppress(table((10, 20), (30, 40)), forced={(0, 0): S, (1, 1): P})
        assert s.cells[0][0] == Cell(None, S)
        assert s.cells[1][1] == Cell(None, P)
        assert s.cells[0][1].value is None and s.cells[1][0].value is None
