"""The attacker's linear programme over a published two-way table with its margins.

The table is given *extended*: ``grid[r][c]`` for ``r < R`` and ``c < C`` are the cells,
``grid[r][C]`` the row totals, ``grid[R][c]`` the column totals and ``grid[R][C]`` the grand
total; ``None`` marks a hidden entry. The attacker knows every published number, that every
row, column and the grand total adds up, and that counts are non-negative. Only the hidden
cells are unknowns: a total is the sum of its cells, so additivity holds by construction and
each *published* total becomes one equality over the hidden cells of its line. The range of a
hidden entry is its minimum and maximum under those constraints (the audit of a suppression
pattern in Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4, and in tau-Argus).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# scipy ships no type information (no py.typed); linprog is used through a typed wrapper below.
from scipy.optimize import linprog  # type: ignore[import-untyped]

Grid = Sequence[Sequence[int | None]]
Position = tuple[int, int]

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


def _programme(grid: Grid) -> _Programme:
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
        coefficients = np.zeros(len(hidden))
        rest = float(total)
        for position in positions:
            if position in hidden:
                coefficients[hidden[position]] = 1.0
            else:
                rest -= float(_published(grid, position))
        if coefficients.any():
            a_rows.append(coefficients)
            b_values.append(rest)
    if not a_rows or not hidden:
        return _Programme(n_rows, n_columns, hidden, None, None)
    return _Programme(n_rows, n_columns, hidden, np.vstack(a_rows), np.array(b_values))


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
        A_eq=programme.a_eq,
        b_eq=programme.b_eq,
        bounds=(0, None),
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
    grid: Grid, positions: Iterable[Position] | None = None
) -> dict[Position, tuple[float, float]]:
    """Return the attacker's (min, max) of the hidden entries (``positions``, default all)."""
    if positions is None:
        positions = [(r, c) for r, line in enumerate(grid) for c, v in enumerate(line) if v is None]
    positions = list(positions)
    if not positions:
        return {}
    programme = _programme(grid)
    return {(r, c): _range(grid, programme, r, c) for r, c in positions}
