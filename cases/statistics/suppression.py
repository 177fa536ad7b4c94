"""Small-cell suppression of a count table with its margins, proved safe by linear programming.

The method is the classical one for frequency tables: Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012 (ch. 4 on cell suppression and the attacker's LP audit of a
suppression pattern, ch. 5 on frequency tables and the threshold rule); the tau-Argus manual
(Hundepool et al.: the minimum-frequency / threshold rule, the hypercube method and the
audit); sdcTable for R (Meindl: ``primarySuppression(type = "freq", maxN = threshold - 1)``
and ``protectTable(method = "HYPERCUBE")``, after Repsilber 1999, "Das Quaderverfahren").

* **Primary.** A cell counting 1 .. threshold-1 is suppressed (``Mark.PRIMARY``); zeros are
  shown (a zero is not a small group of people). The threshold is a parameter, default 5.
* **Whole-line rule.** A row or column whose total is 1 .. threshold-1 is suppressed
  entirely: all its cells, its zeros too, and its total (the threshold rule applied to the
  margin: a small line is itself a small group). Its zeros are hidden, as primary, because
  shown they tell how many of its hidden cells are at least 1: four hidden cells under a
  hidden total of at most 4 are 1 each (attack on issue 13). A zero total hides nothing,
  and a zero on a line totalling zero stays shown unless that zero total is hidden too (else
  the line tells it anyway).
* **Totals.** Row, column and grand totals are published counts too: a total of
  1 .. threshold-1 is suppressed like a cell.
* **Secondary** (``Mark.SECONDARY``), until (a) no line -- a row with its total, a column
  with its total, the line of row totals with the grand total, the line of column totals with
  the grand total -- holds exactly one suppressed entry (it would be its line's total minus
  the rest), and (b) for every suppressed entry the attacker's linear programme (minimise and
  maximise it subject to every published value, additivity and non-negativity; see
  :mod:`cases.statistics.audit_lp`) leaves a range at least the threshold wide (the
  "protection level" of tau-Argus and sdcTable, here the threshold itself).

  First, for every primary entry the cheapest *hypercube* (in two dimensions a rectangle of
  four entries of the table extended by its margins, as in tau-Argus's and sdcTable's
  HYPERCUBE method) whose entries can shift by at least the threshold is completed; the cost
  prefers cells to totals, then the smallest sum of newly hidden counts, then fewer entries,
  then position. Then greedy rounds: complete every line holding a single suppression with
  its smallest nonzero unsuppressed cell (a total only when the line has no such cell), run
  the audit, and for each entry that still fails suppress the cheapest entry of its row or
  column (anywhere, as a last resort), until every entry passes. Each round hides at least
  one more entry and a table with every nonzero entry hidden passes, so this terminates.
  The audit needs no LP for an entry on a rectangle of hidden entries at least the threshold
  wide: shifting that rectangle keeps every published value, so the LP range is at least as
  wide. Every other hidden entry is proved with ``scipy.optimize.linprog``.

  (c) The marks themselves tell the attacker something: a primary entry counts 1 ..
  threshold-1 and a secondary one at least the threshold (every smaller nonzero entry is
  primary). Knowing that, one row "primary + secondary = 6" pins both (1 and 5) although the
  plain LP leaves each a range of 6 (attack on issue 13). So every primary entry is also
  audited with those bounds, and its range must be as wide as if nothing but the zeros and the
  marks were published: the published numbers may tell nothing about a small count that the
  marks do not already tell. (Not simply "1 .. threshold-1": a small line whose cells are
  small too narrows them by the marks alone, and nothing published can undo that.)

  Zeros are suppressed only as the whole-line rule hides them, and on a line whose only
  hidden entry is a zero forced from a linked or a part table: its other entries, zeros
  shown, would tell that one (a month of nobody under a small year, the fifth attack on
  issue 13). Otherwise a hidden zero hides nothing and could be pinned at once.
  Everything is decided by values and positions only, so the same table always gives the
  same result.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from cases.statistics.audit_lp import Position, entry_range, hidden_ranges
from cases.statistics.mark_audit import narrowed
from cases.statistics.worktable import Mark, Table, WorkTable, rectangles

__all__ = ["Cell", "Mark", "Suppressed", "Table", "interval", "primary_marks", "suppress"]

#: Slack for floating-point LP optima when comparing a range with the threshold.
_EPSILON = 1e-6


@dataclass(frozen=True)
class Cell:
    """One published entry: its count, or ``None`` with the reason it is hidden."""

    value: int | None
    mark: Mark | None


@dataclass(frozen=True)
class Suppressed:
    """What may be published: cells, row totals, column totals and the grand total."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    total: Cell
    threshold: int

    def entry(self, r: int, c: int) -> Cell:
        """Return entry (r, c) of the table extended by its margins (r = rows: column totals)."""
        n_rows, n_columns = len(self.rows), len(self.columns)
        if r == n_rows:
            return self.total if c == n_columns else self.column_totals[c]
        return self.row_totals[r] if c == n_columns else self.cells[r][c]

    def grid(self) -> tuple[tuple[int | None, ...], ...]:
        """Return the published values of the extended table, ``None`` where hidden."""
        return tuple(
            tuple(self.entry(r, c).value for c in range(len(self.columns) + 1))
            for r in range(len(self.rows) + 1)
        )


def interval(published: Suppressed, r: int, c: int) -> tuple[float, float]:
    """Return the attacker's LP range (min, max) of entry (r, c) given everything published.

    ``r == len(rows)`` addresses the column totals and ``c == len(columns)`` the row totals
    (both: the grand total); a published entry's range is its value.
    """
    return entry_range(published.grid(), r, c)


def _primary(work: WorkTable) -> None:
    """Apply the threshold rule to every entry and the whole-line rule to every line."""
    for position in work.positions():
        if work.small(position):
            work.hide(position, Mark.PRIMARY)
    for line in work.lines():
        if work.small(line[-1]):
            for position in line:
                if work.value(position) > 0 or _zero_hides_something(work, position):
                    work.hide(position, Mark.PRIMARY)


def primary_marks(table: Table, threshold: int) -> dict[Position, Mark]:
    """Return the entries the threshold and whole-line rules hide (before any secondary)."""
    _validate(table, threshold)
    work = WorkTable(table, threshold)
    _primary(work)
    return dict(work.marks)


def _zero_hides_something(work: WorkTable, position: Position) -> bool:
    """Tell whether hiding a zero of a small line leaves it unknown: every other line through
    it that totals zero must have its zero total hidden too (on a small line itself), else
    that line shows the zero anyway."""
    return all(
        work.in_small_line(line[-1])
        for line in work.lines_through(position)
        if line[-1] != position and work.value(line[-1]) == 0
    )


def _width(work: WorkTable, target: Position, r2: int, c2: int) -> float:
    """Return how far the rectangle (target, (r2, c2)) lets every corner shift in all."""
    r, c = target
    sign_target = (-1) ** work.rank(target)
    up, down = float("inf"), float(work.value(target))
    for p, parity in (((r, c2), -1), ((r2, c), -1), ((r2, c2), 1)):
        if parity * (-1) ** work.rank(p) * sign_target < 0:
            up = min(up, work.value(p))  # moves against the target: bounds its increase
        else:
            down = min(down, work.value(p))  # moves with it: bounds its decrease
    return up + down


def _hypercube(work: WorkTable, target: Position) -> list[Position] | None:
    """Return the entries completing the cheapest protecting rectangle through ``target``."""
    best: tuple[tuple[int, int, int, int, int], list[Position]] | None = None
    for (r2, c2), corners in rectangles(work, target):
        if any(work.value(p) == 0 for p in corners):
            continue
        if _width(work, target, r2, c2) < work.threshold:
            continue
        new = [p for p in corners if p not in work.marks]
        key = (
            sum(work.rank(p) for p in new),
            sum(work.value(p) for p in new),
            len(new),
            r2,
            c2,
        )
        if best is None or key < best[0]:
            best = key, new
    return None if best is None else best[1]


def _certified(work: WorkTable) -> set[Position]:
    """Return the hidden entries on a wide enough rectangle of hidden entries.

    The rectangle's shift keeps every published value and moves each corner across the
    rectangle's width, so the LP range of each corner is at least that wide: no LP needed.
    """
    certified: set[Position] = set()
    for target in sorted(work.marks):
        if target in certified:
            continue
        for (r2, c2), corners in rectangles(work, target):
            if all(p in work.marks for p in corners) and (
                _width(work, target, r2, c2) >= work.threshold
            ):
                certified.update([target, *corners])
                break
    return certified


def _fix_single_lines(work: WorkTable) -> None:
    """Suppress entries until no line holds exactly one suppressed entry."""
    changed = True
    while changed:
        changed = False
        for line in work.lines():
            if sum(p in work.marks for p in line) != 1:
                continue
            if open_entries := work.open(line):
                work.hide(open_entries[0], Mark.SECONDARY)
            else:
                # Its only hidden entry is a zero (forced from a linked or a part table) and
                # the rest are zeros, which tell it: a month of nobody under a small year
                # (fifth attack on issue 13). Its zeros are hidden too, as a small line's.
                for zero in line:
                    work.hide(zero, Mark.PRIMARY, forced=True)
            changed = True


def _failing(work: WorkTable, marks_audited: bool) -> list[Position]:
    """Return the suppressed entries whose LP range is narrower than the threshold, then the
    primary entries the published numbers narrow (``(c)`` above)."""
    certified = _certified(work)
    unproved = [p for p in sorted(work.marks) if p not in certified]
    narrow = [
        position
        for position, (low, high) in hidden_ranges(work.grid(), unproved).items()
        if high - low < work.threshold - _EPSILON
    ]
    return narrow or (narrowed(work) if marks_audited else [])


def _protect(work: WorkTable, position: Position, touched: set[Position]) -> None:
    """Suppress the cheapest entry next to a failing one, unless this round changed its lines."""
    r, c = position
    row = [(r, j) for j in range(work.n_columns + 1)]
    column = [(i, c) for i in range(work.n_rows + 1)]
    if any(p in touched for p in row + column):
        return  # the next audit tells whether that addition already protects it
    candidates = work.open(row + column) or work.open(list(work.positions()))
    if not candidates:
        return  # nothing nonzero is published: the table tells nothing more to hide
    work.hide(candidates[0], Mark.SECONDARY)
    touched.add(candidates[0])


def _validate(table: Table, threshold: int) -> None:
    """Reject a malformed table or threshold."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if not table.rows or not table.columns:
        raise ValueError("a table needs at least one row and one column")
    if len(table.counts) != len(table.rows) or any(
        len(line) != len(table.columns) for line in table.counts
    ):
        raise ValueError("counts do not match the row and column labels")
    if any(count < 0 for line in table.counts for count in line):
        raise ValueError("counts must be non-negative")


def suppress(
    table: Table,
    threshold: int = 5,
    forced: Mapping[Position, Mark] | None = None,
    *,
    audit_marks: bool | None = None,
) -> Suppressed:
    """Return what may be published of ``table`` under the rules of this module.

    ``forced`` hides entries from the start with the mark given (a table combined from
    suppressed ones hides what any of its parts hid, `cases.statistics.releases`). Such a
    table's numbers and marks follow from its parts', which passed ``(c)`` each and share no
    count: ``(c)`` is not audited again, ``(a)`` and ``(b)`` are. A table of a linked family
    forces what its other tables hid and audits ``(c)`` (``audit_marks``,
    `cases.statistics.linked`).
    """
    _validate(table, threshold)
    work = WorkTable(table, threshold)
    for position, mark in sorted((forced or {}).items()):
        work.hide(position, mark, forced=True)
    _primary(work)
    for target in sorted(p for p, mark in work.marks.items() if mark is Mark.PRIMARY):
        for position in _hypercube(work, target) or []:
            work.hide(position, Mark.SECONDARY)
    marks_audited = not forced if audit_marks is None else audit_marks
    while True:
        _fix_single_lines(work)
        failing = _failing(work, marks_audited)
        if not failing:
            break
        touched: set[Position] = set()
        for position in failing:
            _protect(work, position, touched)
        if not touched:
            # Only hidden zeros forced from a linked table fail, and nothing nonzero is left
            # to publish around them: every nonzero entry is hidden already.
            break
    return _published(table, work)


def _published(table: Table, work: WorkTable) -> Suppressed:
    """Build the publishable view of a finished work table."""

    def cell(r: int, c: int) -> Cell:
        mark = work.marks.get((r, c))
        return Cell(None if mark else work.values[r][c], mark)

    n_rows, n_columns = work.n_rows, work.n_columns
    return Suppressed(
        rows=table.rows,
        columns=table.columns,
        cells=tuple(tuple(cell(r, c) for c in range(n_columns)) for r in range(n_rows)),
        row_totals=tuple(cell(r, n_columns) for r in range(n_rows)),
        column_totals=tuple(cell(n_rows, c) for c in range(n_columns)),
        total=cell(n_rows, n_columns),
        threshold=work.threshold,
    )
