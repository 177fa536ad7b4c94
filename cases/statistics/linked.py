"""Linked tables (attack on issue 13): every table of one measure and year is suppressed as
one family, so that what one table hides no other table publishes, and what they publish
together pins nothing.

A *family* is a cube of counts over some dimensions (month, agency kind, age band, ...) and
the two-way tables the analyst may see of it (month x agency kind, agency kind x district,
...), each with its row, column and grand totals. An entry of a table is named by what it
fixes (month 2025-03 and agency kind police; month 2025-03 alone for a row total; nothing for
the grand total), so the same count in two tables has the same name and one mark: the month
totals of month x agency kind are the month totals of month x district.

The protection is that of sdcTable's ``protectLinkedTables`` (Meindl) and of tau-Argus's
linked tables, with a joint audit on top:

1. every table is suppressed on its own (`cases.statistics.suppression`), its entries hidden
   elsewhere forced, until no table adds a mark (a fixpoint: marks only grow);
2. the attacker's linear programme over the whole cube (`cases.statistics.joint_audit`) must
   leave every hidden entry a range at least the threshold wide, and, once it does, the same
   programme with every mark's bounds may narrow no primary entry beyond what the marks and
   the zeros alone allow (`cases.statistics.joint_marks`, rule (c) over the family);
3. for an entry that fails, the cheapest published nonzero entry on a line through it (in any
   table holding it; a cell before a total, then the smallest count) is hidden as secondary,
   and back to 1. Each round hides one more entry, so this ends.

Everything depends only on the counts, so the same facts give the same tables.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cases.statistics.audit_lp import Position
from cases.statistics.joint_audit import Atom, Key, narrow_entries
from cases.statistics.joint_marks import MarkAudit
from cases.statistics.suppression import (
    Cell,
    Mark,
    Suppressed,
    Table,
    primary_marks,
    suppress,
)


@dataclass(frozen=True)
class Cube:
    """The counts of one measure and year by every dimension of a family."""

    names: tuple[str, ...]
    lines: tuple[tuple[str, ...], ...]  # every value of each dimension, in display order
    atoms: tuple[tuple[Atom, int], ...]  # the nonzero counts, sorted

    @classmethod
    def of(
        cls, names: Sequence[str], lines: Sequence[Sequence[str]], counts: Counter[Atom]
    ) -> "Cube":
        """Build a cube from counts by atom (zeros dropped, order fixed)."""
        atoms = tuple(sorted((atom, n) for atom, n in counts.items() if n))
        return cls(tuple(names), tuple(tuple(line) for line in lines), atoms)


#: A table of a family: the indexes of its down and across dimensions.
View = tuple[int, int]


def table_of(cube: Cube, view: View) -> Table:
    """Return the counts of one table of a cube: down by across, every value a line."""
    down, across = view
    counts: Counter[tuple[str, str]] = Counter()
    for atom, n in cube.atoms:
        counts[(atom[down], atom[across])] += n
    rows, columns = cube.lines[down], cube.lines[across]
    return Table(rows, columns, tuple(tuple(counts[(r, c)] for c in columns) for r in rows))


class _Family:
    """The tables of a cube, their entries' names and the marks decided so far."""

    def __init__(self, cube: Cube, views: Sequence[View], threshold: int) -> None:
        self.cube, self.views, self.threshold = cube, tuple(views), threshold
        values = [{atom[d] for atom, _n in cube.atoms} for d in range(len(cube.names))]
        # A dimension with one value in the cube fixes nothing: the cell "outcome unknown" of
        # a measure without outcomes is its row's total, and is named (and marked) as such.
        self.constant = {d: next(iter(v)) for d, v in enumerate(values) if len(v) == 1}
        self.tables = {view: self._table(view) for view in self.views}
        self.marks: dict[Key, Mark] = {}
        # A table's release depends only on what is forced into it: rounds that hid nothing
        # of a table reuse its release (the audits are what cost).
        self._released: dict[tuple[View, bool, tuple[tuple[Position, Mark], ...]], Suppressed] = {}

    def _table(self, view: View) -> Table:
        return table_of(self.cube, view)

    def key(self, view: View, position: Position) -> Key:
        """Return the name of an entry of a table (its position in the extended table)."""
        table = self.tables[view]
        (down, across), (r, c) = view, position
        fixed = set()
        if r < len(table.rows):
            fixed.add((down, table.rows[r]))
        if c < len(table.columns):
            fixed.add((across, table.columns[c]))
        return frozenset((d, v) for d, v in fixed if self.constant.get(d) != v)

    def entries(self, view: View) -> Iterator[tuple[Position, Key, int]]:
        """Yield every entry of a table with its name and true count."""
        table = self.tables[view]
        row_totals = [sum(line) for line in table.counts]
        for r in range(len(table.rows) + 1):
            for c in range(len(table.columns) + 1):
                if r < len(table.rows):
                    count = table.counts[r][c] if c < len(table.columns) else row_totals[r]
                else:
                    count = (
                        sum(line[c] for line in table.counts)
                        if c < len(table.columns)
                        else sum(row_totals)
                    )
                yield (r, c), self.key(view, (r, c)), count

    def learn_primaries(self) -> None:
        """Take every table's threshold and whole-line marks (the same in every table that
        holds an entry: they depend on its count and its lines' totals only)."""
        for view in self.views:
            primaries = primary_marks(self.tables[view], self.threshold)
            for position, key, _n in self.entries(view):
                if position in primaries:
                    self.marks.setdefault(key, Mark.PRIMARY)

    def release(self, view: View, *, audit_marks: bool) -> Suppressed:
        """Suppress one table with what the family hid forced into it."""
        forced = {p: self.marks[k] for p, k, _n in self.entries(view) if k in self.marks}
        memo = (view, audit_marks, tuple(sorted(forced.items())))
        if memo not in self._released:
            self._released[memo] = suppress(
                self.tables[view], self.threshold, forced, audit_marks=audit_marks
            )
        return self._released[memo]

    def learn(self, view: View, released: Suppressed) -> bool:
        """Take a table's marks into the family's; tell whether any is new."""
        new = False
        for (r, c), key, _n in self.entries(view):
            mark = released.entry(r, c).mark
            if mark is not None and key not in self.marks:
                self.marks[key] = mark
                new = True
        return new


def _fixpoint(family: _Family, *, audit_marks: bool) -> dict[View, Suppressed]:
    """Suppress every table, its entries hidden elsewhere forced, until none adds a mark."""
    while True:
        released = {view: family.release(view, audit_marks=audit_marks) for view in family.views}
        if not any(family.learn(view, table) for view, table in released.items()):
            return released


def _counts(family: _Family) -> dict[Key, int]:
    return {key: n for view in family.views for _p, key, n in family.entries(view)}


def _lines_through(family: _Family, entry: Key) -> set[Key]:
    """Return the entries on a line (row or column with its total) through ``entry`` in any
    table of the family that holds it."""
    near: set[Key] = set()
    for view in family.views:
        positions = {p: k for p, k, _n in family.entries(view)}
        for (r, c), key in positions.items():
            if key == entry:
                near |= {k for (i, j), k in positions.items() if i == r or j == c}
    return near


def _cheapest(family: _Family, among: set[Key], counts: dict[Key, int]) -> Key | None:
    """Return the cheapest published nonzero entry among ``among``: cells (two dimensions
    fixed) before totals, then the smallest count."""
    candidates = [k for k in among if k not in family.marks and counts[k] > 0]
    dims = len(family.cube.names)
    return min(candidates, key=lambda k: (dims - len(k), counts[k], sorted(k)), default=None)


def _protect(family: _Family, failing: list[Key], counts: dict[Key, int]) -> bool:
    """Hide, for each failing entry, the cheapest entry next to it (anywhere as a last resort),
    unless this round already hid one of its lines; tell whether anything was hidden."""
    touched: set[Key] = set()
    for entry in failing:
        near = _lines_through(family, entry)
        if near & touched:
            continue  # the next audit tells whether that addition protects it already
        chosen = _cheapest(family, near, counts) or _cheapest(family, set(counts), counts)
        if chosen is None:
            break  # nothing nonzero is published: nothing more can be told
        family.marks[chosen] = Mark.SECONDARY
        touched.add(chosen)
    return bool(touched)


#: An entry named by dimension names, to match entries of two cubes over different dimensions.
NamedKey = frozenset[tuple[str, str]]
Shared = tuple[tuple[NamedKey, Mark], ...]


@dataclass(frozen=True)
class Release:
    """A family's suppressed tables (in the order of its views) and its marks by name."""

    tables: tuple[Suppressed, ...]
    marks: dict[NamedKey, Mark]


def _force_shared(family: _Family, shared: Shared, counts: dict[Key, int]) -> None:
    """Hide the entries another family hid that this one holds too (the same dimensions and
    values): small ones as primary (zeros too, as hidden zeros of small lines are), the rest as
    secondary."""
    index = {name: d for d, name in enumerate(family.cube.names)}
    for named, _mark in shared:
        if any(name not in index for name, _value in named):
            continue
        key = frozenset((index[name], value) for name, value in named)
        key = frozenset((d, v) for d, v in key if family.constant.get(d) != v)
        if key in counts and key not in family.marks:
            small = counts[key] < family.threshold
            family.marks[key] = Mark.PRIMARY if small else Mark.SECONDARY


def release(cube: Cube, views: tuple[View, ...], threshold: int, shared: Shared = ()) -> Release:
    """Protect a family, with the entries ``shared`` from a linked family hidden from the start."""
    family = _Family(cube, views, threshold)
    family.learn_primaries()
    _force_shared(family, shared, _counts(family))
    support = dict(family.cube.atoms)
    counts = _counts(family)
    marks_audit = MarkAudit(family.cube.lines, support, counts, threshold)
    passed: set[Key] = set()
    while True:
        # Lines and ranges table by table first; what the marks tell (rule (c) of
        # `suppression`, the costly audit) only once those hold, and again if it hid more.
        _fixpoint(family, audit_marks=False)
        released = _fixpoint(family, audit_marks=True)
        # Hidden zeros too: one told is a month of nobody (fifth attack on issue 13).
        hidden = {k: n for k, n in counts.items() if k in family.marks and k not in passed}
        published = {k: n for k, n in counts.items() if k not in family.marks}
        failing = narrow_entries(family.cube.lines, support, published, hidden, threshold)
        # Hiding more only widens the attacker's polytope: a passed entry stays passed.
        passed |= set(hidden) - set(failing)
        # What the marks tell over the family (rule (c)), once the ranges hold.
        failing = failing or marks_audit.narrowed(family.marks)
        if not failing or not _protect(family, failing, counts):
            named = {_name(cube, key): mark for key, mark in family.marks.items()}
            return Release(tuple(released[view] for view in views), named)


@lru_cache(maxsize=256)
def protect(cube: Cube, views: tuple[View, ...], threshold: int) -> tuple[Suppressed, ...]:
    """Return the suppressed tables of one family, in the order of ``views``."""
    return release(cube, views, threshold).tables


def entry_counts(cube: Cube, views: tuple[View, ...]) -> dict[NamedKey, int]:
    """Return every entry of a family's tables by name, with its true count."""
    family = _Family(cube, views, 1)
    return {_name(cube, key): n for key, n in _counts(family).items()}


def cheapest_near(
    cube: Cube, views: tuple[View, ...], marks: dict[NamedKey, Mark], entry: NamedKey
) -> NamedKey | None:
    """Return the cheapest published nonzero entry on a line through ``entry`` (anywhere as a
    last resort) of a family with the marks given, as step 3 above picks it."""
    family = _Family(cube, views, 1)
    by_name = {_name(cube, key): key for key in _counts(family)}
    family.marks = {by_name[k]: m for k, m in marks.items() if k in by_name}
    counts = _counts(family)
    key = by_name[entry]
    chosen = _cheapest(family, _lines_through(family, key), counts) or _cheapest(
        family, set(counts), counts
    )
    return None if chosen is None else _name(cube, chosen)


def _name(cube: Cube, key: Key) -> NamedKey:
    return frozenset((cube.names[d], v) for d, v in key)


def rebuilt(
    cube: Cube, views: tuple[View, ...], threshold: int, marks: dict[NamedKey, Mark]
) -> Release:
    """Return the release a family's final marks make (every table of a release hides
    exactly the family's marks it holds: `release` ends when no table adds one)."""
    family = _Family(cube, views, threshold)
    tables = []
    for view in views:
        table = family.tables[view]
        cells = {
            (r, c): Cell(None, marks[named]) if named in marks else Cell(n, None)
            for (r, c), key, n in family.entries(view)
            for named in (_name(cube, key),)
        }
        n_rows, n_columns = len(table.rows), len(table.columns)
        tables.append(
            Suppressed(
                rows=table.rows,
                columns=table.columns,
                cells=tuple(tuple(cells[(r, c)] for c in range(n_columns)) for r in range(n_rows)),
                row_totals=tuple(cells[(r, n_columns)] for r in range(n_rows)),
                column_totals=tuple(cells[(n_rows, c)] for c in range(n_columns)),
                total=cells[(n_rows, n_columns)],
                threshold=threshold,
            )
        )
    return Release(tuple(tables), dict(marks))
