"""The extended table a suppression works on: true counts with their row, column and grand
totals, and the marks decided so far (`cases.statistics.suppression`)."""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from cases.statistics.audit_lp import Position


class Mark(StrEnum):
    """Why a published entry is hidden (``None`` on a :class:`Cell` means published)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Table:
    """The counts before suppression; a one-way table has the single column ``("",)``."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


class WorkTable:
    """The extended table being suppressed: true values and the marks decided so far."""

    def __init__(self, table: Table, threshold: int) -> None:
        self.threshold = threshold
        self.n_rows, self.n_columns = len(table.rows), len(table.columns)
        rows = [[*line, sum(line)] for line in table.counts]
        column_totals = [sum(line[c] for line in rows) for c in range(self.n_columns + 1)]
        self.values: list[list[int]] = [*rows, column_totals]
        self.marks: dict[Position, Mark] = {}

    def positions(self) -> Iterator[Position]:
        """Yield every entry of the extended table, row-major."""
        for r in range(self.n_rows + 1):
            for c in range(self.n_columns + 1):
                yield r, c

    def lines(self) -> Iterator[list[Position]]:
        """Yield every line (rows, then columns; each ends with its total)."""
        for r in range(self.n_rows + 1):
            yield [(r, c) for c in range(self.n_columns + 1)]
        for c in range(self.n_columns + 1):
            yield [(r, c) for r in range(self.n_rows + 1)]

    def value(self, position: Position) -> int:
        """Return the true count of an entry."""
        return self.values[position[0]][position[1]]

    def rank(self, position: Position) -> int:
        """Return 0 for a cell, 1 for a row or column total, 2 for the grand total."""
        return (position[0] == self.n_rows) + (position[1] == self.n_columns)

    def small(self, position: Position) -> bool:
        """Tell whether an entry counts 1 .. threshold-1."""
        return 0 < self.value(position) < self.threshold

    def hide(self, position: Position, mark: Mark, *, forced: bool = False) -> None:
        """Suppress an entry (the first reason given is kept): a nonzero one, a zero of a small
        line (primary: the whole-line rule hides the line entirely), or a combined entry whose
        part is hidden (``forced``: a hidden zero part hides its sum)."""
        zero_allowed = forced or (mark is Mark.PRIMARY and self.in_small_line(position))
        if self.value(position) == 0 and not zero_allowed:
            raise ValueError(f"refusing to suppress the zero at {position}")
        self.marks.setdefault(position, mark)

    def lines_through(self, position: Position) -> tuple[list[Position], list[Position]]:
        """Return the row and the column an entry lies on (each ends with its total)."""
        r, c = position
        row = [(r, j) for j in range(self.n_columns + 1)]
        column = [(i, c) for i in range(self.n_rows + 1)]
        return row, column

    def in_small_line(self, position: Position) -> bool:
        """Tell whether a line through the entry has a total of 1 .. threshold-1 (other than
        the entry itself)."""
        return any(
            line[-1] != position and self.small(line[-1]) for line in self.lines_through(position)
        )

    def cost(self, position: Position) -> tuple[int, int, int, int]:
        """Return the order in which secondary candidates are preferred (cheapest first)."""
        return self.rank(position), self.value(position), position[0], position[1]

    def open(self, positions: list[Position]) -> list[Position]:
        """Return the nonzero unsuppressed entries among ``positions``, cheapest first."""
        return sorted(
            (p for p in positions if p not in self.marks and self.value(p) > 0), key=self.cost
        )

    def grid(self) -> list[list[int | None]]:
        """Return the values as published so far."""
        return [
            [None if (r, c) in self.marks else self.values[r][c] for c in range(len(line))]
            for r, line in enumerate(self.values)
        ]


def rectangles(work: WorkTable, target: Position) -> Iterator[tuple[Position, list[Position]]]:
    """Yield each other corner (r2, c2) of a rectangle through ``target`` with its corners."""
    r, c = target
    for r2 in range(work.n_rows + 1):
        for c2 in range(work.n_columns + 1):
            if r2 != r and c2 != c:
                yield (r2, c2), [(r, c2), (r2, c), (r2, c2)]
