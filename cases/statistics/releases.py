"""Every table the analyst sees is cut from fixed releases: one suppressed table per measure,
breakdown(s) and complete calendar year, by month (attack on issue 13).

Two tables whose ranges overlap differ by the months between, and a hidden cell of one is
then the difference of published numbers of both. So the unit that is protected is fixed and
never overlaps another: a calendar year that has ended (its facts no longer change), counted
by month. A table over several years, or by quarter, is *combined* from those yearly tables:
each of its entries is the sum of yearly entries, and it hides every entry that has a hidden
part (marked primary when a part is primary: "a sum that includes a small count"), then is
suppressed as a table of its own with those entries forced. A published combined entry is
then a sum of published yearly entries and a combined mark follows from the yearly marks, so
no combination of views tells more than the yearly tables, which share no fact. A year's
tables of one measure are protected together as one family (`cases.statistics.linked`) and
come here as parts already suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cases.statistics.audit_lp import Position
from cases.statistics.suppression import Cell, Mark, Suppressed, Table, suppress


@dataclass(frozen=True)
class Part:
    """One year's counts and where its rows go in the combined table (its columns keep their
    labels)."""

    counts: Table
    released: Suppressed  # the year's table as its family released it (`linked`)
    targets: tuple[str, ...]  # the combined row of each of its rows


def _entries(part: Part, t: Suppressed) -> list[tuple[str | None, str | None, Cell]]:
    """Each entry of a yearly table with its combined row and column (None: the totals)."""
    entries: list[tuple[str | None, str | None, Cell]] = []
    for r, target in enumerate(part.targets):
        entries += [(target, column, t.cells[r][c]) for c, column in enumerate(t.columns)]
        entries.append((target, None, t.row_totals[r]))
    entries += [(None, column, t.column_totals[c]) for c, column in enumerate(t.columns)]
    entries.append((None, None, t.total))
    return entries


def _combined_mark(marks: Sequence[Mark | None]) -> Mark | None:
    if Mark.PRIMARY in marks:
        return Mark.PRIMARY
    return Mark.SECONDARY if Mark.SECONDARY in marks else None


def _unchanged(
    parts: Sequence[Part], first: Suppressed, rows: tuple[str, ...], columns: tuple[str, ...]
) -> bool:
    """Tell whether the combined table is the one yearly table as it is."""
    same_shape = (first.rows, first.columns) == (rows, columns)
    return len(parts) == 1 and same_shape and parts[0].targets == rows


@lru_cache(maxsize=256)
def combine(
    rows: tuple[str, ...], columns: tuple[str, ...], parts: tuple[Part, ...], threshold: int
) -> Suppressed:
    """The combined table over ``rows`` x ``columns``: sums of the parts' entries, hiding what
    any part hid, then suppressed with those entries forced. One year by month is its yearly
    table as it is. Pure, so computed once per process for the same counts."""
    tables = [part.released for part in parts]
    if _unchanged(parts, tables[0], rows, columns):
        return tables[0]
    marks: dict[tuple[str | None, str | None], list[Mark | None]] = defaultdict(list)
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for part, table in zip(parts, tables, strict=True):
        for row, column, cell in _entries(part, table):
            marks[(row, column)].append(cell.mark)
        for target, line in zip(part.targets, part.counts.counts, strict=True):
            for column, count in zip(part.counts.columns, line, strict=True):
                sums[(target, column)] += count
    row_index = {row: r for r, row in enumerate(rows)}
    column_index = {column: c for c, column in enumerate(columns)}
    forced: dict[Position, Mark] = {}
    for (row, column), found in marks.items():
        if (mark := _combined_mark(found)) is not None:
            r = len(rows) if row is None else row_index[row]
            c = len(columns) if column is None else column_index[column]
            forced[(r, c)] = mark
    counts = tuple(tuple(sums[(row, column)] for column in columns) for row in rows)
    return suppress(Table(rows, columns, counts), threshold, forced)
