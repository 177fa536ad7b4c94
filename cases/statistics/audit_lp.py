"""The attacker's linear programme over a published two-way table with its margins.

The table is given *extended*: ``grid[r][c]`` for ``r < R`` and ``c < C`` are the cells,
``grid[r][C]`` the row totals, ``grid[R][c]`` the column totals and ``grid[R][C]`` the grand
total; ``None`` marks a hidden entry. The attacker knows every published number, that every
row, column and the grand total adds up, and that counts are non-negative. Only the hidden
cells are unknowns: a total is the sum of its cells, so additivity holds by construction and
each *published* total becomes one equality over the hidden cells of its line. The range of a
hidden entry is its minimum and maximum under those constraints (the audit of a suppression
pattern in Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4, and in tau-Argus).

``known`` adds what the attacker learns from the marks of a published table: a bound (low,
high) on a hidden entry, e.g. "1 to 4" for a cell marked as a small count. A bounded hidden
cell bounds its variable; a bounded hidden total bounds the sum of its line.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# scipy ships no type information (no py.typed); linprog is used through a typed wrapper below.
from scipy.optimize import linprog  # type: ignore[import-untyped]

Grid = Sequence[Sequence[int | None]]
Position = tuple[int, int]
#: What the attacker knows of a hidden entry: at least ``low``, at most ``high`` (None: no limit).
Bound = tuple[float, float | None]
Known = Mapping[Position, Bound]

#: HiGHS reports an unbounded objective with status 3.
_UNBOUNDED = 3


@dataclass(frozen=True)
class _Programme:
    """The constraint system of one published table, built once for all its hidden entries."""

    rows: int
    columns: int
    hidden: dict[Position, int]  # hidden cell -> variable index
    a_eq: NDArray[np.float64] | None
    b_eq: NDArray[np.float64] | None
    bounds: list[Bound]
    a_ub: NDArray[np.float64] | None
    b_ub: NDArray[np.float64] | None


def _line_sum(
    grid: Grid, hidden: dict[Position, int], positions: Iterable[Position]
) -> tuple[NDArray[np.float64], float]:
    """Return the coefficients of the hidden cells among ``positions`` and the published rest."""
    coefficients = np.zeros(len(hidden))
    published = 0.0
    for position in positions:
        if position in hidden:
            coefficients[hidden[position]] = 1.0
        else:
            published += float(_published(grid, position))
    return coefficients, published


def _inequalities(
    grid: Grid, hidden: dict[Position, int], known: Known
) -> tuple[list[Bound], NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Turn the known bounds into variable bounds (cells) and inequalities (hidden totals)."""
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    bounds: list[Bound] = [(0.0, None)] * len(hidden)
    a_rows: list[NDArray[np.float64]] = []
    b_values: list[float] = []
    for (r, c), (low, high) in sorted(known.items()):
        if (r, c) in hidden:
            bounds[hidden[(r, c)]] = (max(0.0, low), high)
            continue
        rows = range(n_rows) if r == n_rows else range(r, r + 1)
        columns = range(n_columns) if c == n_columns else range(c, c + 1)
        coefficients, published = _line_sum(grid, hidden, ((i, j) for i in rows for j in columns))
        a_rows.append(-coefficients)  # sum >= low
        b_values.append(published - low)
        if high is not None:
            a_rows.append(coefficients)  # sum <= high
            b_values.append(high - published)
    if not a_rows:
        return bounds, None, None
    return bounds, np.vstack(a_rows), np.array(b_values)


def _programme(grid: Grid, known: Known | None = None) -> _Programme:
    """Build the equalities the published totals impose on the hidden cells."""
    n_rows, n_columns = len(grid) - 1, len(grid[0]) - 1
    hidden: dict[Position, int] = {}
    for r in range(n_rows):
        for c in range(n_columns):
            if grid[r][c] is None:
                hidden[(r, c)] = len(hidden)
    equations: list[tuple[list[Position], int]] = []
    for r in range(n_rows):
        if (total := grid[r][n_columns]) is not None:
            equations.append(([(r, c) for c in range(n_columns)], total))
    for c in range(n_columns):
        if (total := grid[n_rows][c]) is not None:
            equations.append(([(r, c) for r in range(n_rows)], total))
    if (grand := grid[n_rows][n_columns]) is not None:
        every = [(r, c) for r in range(n_rows) for c in range(n_columns)]
        equations.append((every, grand))
    a_rows: list[NDArray[np.float64]] = []
    b_values: list[float] = []
    for positions, total in equations:
        coefficients, published = _line_sum(grid, hidden, positions)
        if coefficients.any():
            a_rows.append(coefficients)
            b_values.append(float(total) - published)
    bounds, a_ub, b_ub = _inequalities(grid, hidden, known or {})
    if not a_rows or not hidden:
        return _Programme(n_rows, n_columns, hidden, None, None, bounds, a_ub, b_ub)
    return _Programme(
        n_rows, n_columns, hidden, np.vstack(a_rows), np.array(b_values), bounds, a_ub, b_ub
    )


def _published(grid: Grid, position: Position) -> int:
    """Return a published value (the caller has checked it is not hidden)."""
    value = grid[position[0]][position[1]]
    assert value is not None  # noqa: S101 - callers only ask for published positions
    return value


def _members(programme: _Programme, r: int, c: int) -> list[Position]:
    """Return the cells whose sum is entry (r, c) of the extended table."""
    row_range = range(programme.rows) if r == programme.rows else range(r, r + 1)
    column_range = range(programme.columns) if c == programme.columns else range(c, c + 1)
    return [(i, j) for i in row_range for j in column_range]


def _optimum(programme: _Programme, objective: NDArray[np.float64]) -> float:
    """Minimise ``objective`` over the attacker's feasible set; -inf when unbounded below."""
    result = linprog(
        objective,
        A_ub=programme.a_ub,
        b_ub=programme.b_ub,
        A_eq=programme.a_eq,
        b_eq=programme.b_eq,
        bounds=programme.bounds,
        method="highs",
    )
    if result.status == _UNBOUNDED:
        return float("-inf")
    if result.status != 0:  # the true table is feasible, so this is a solver failure
        raise ArithmeticError(f"linprog failed: {result.message}")
    return float(result.fun)


def _range(grid: Grid, programme: _Programme, r: int, c: int) -> tuple[float, float]:
    """Return the attacker's (min, max) of entry (r, c) under ``programme``."""
    if (value := grid[r][c]) is not None:
        return float(value), float(value)
    constant = 0.0
    objective = np.zeros(len(programme.hidden))
    for position in _members(programme, r, c):
        if position in programme.hidden:
            objective[programme.hidden[position]] = 1.0
        else:
            constant += _published(grid, position)
    if not objective.any():
        return constant, constant
    low = _optimum(programme, objective)
    high = -_optimum(programme, -objective)
    return constant + low, constant + high


def entry_range(grid: Grid, r: int, c: int) -> tuple[float, float]:
    """Return the attacker's (min, max) of entry (r, c) of the extended published table."""
    return _range(grid, _programme(grid), r, c)


def hidden_ranges(
    grid: Grid, positions: Iterable[Position] | None = None, known: Known | None = None
) -> dict[Position, tuple[float, float]]:
    """Return the attacker's (min, max) of the hidden entries (``positions``, default all),
    knowing the bounds ``known`` besides the published values."""
    if positions is None:
        positions = [(r, c) for r, line in enumerate(grid) for c, v in enumerate(line) if v is None]
    positions = list(positions)
    if not positions:
        return {}
    programme = _programme(grid, known)
    return {(r, c): _range(grid, programme, r, c) for r, c in positions}
