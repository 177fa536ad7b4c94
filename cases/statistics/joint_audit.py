"""The attacker's linear programme over every table of a family at once (attack on issue 13).

The tables an analyst may see of one measure and year are all margins of one table of counts
over every dimension (month, agencies, age band, district, outcome): the *cube*. Auditing them
one by one misses what they tell together: the month x agency, month x district and agency x
district tables of one year pinned cells that each table alone hid (three two-way margins of a
three-way table are not independent, Hundepool et al. 2012, ch. 4.5 on linked tables; this is
the audit of the "cover table" of tau-Argus's linked tables).

So the attacker's unknowns here are the cube's cells (*atoms*), not the tables' cells. Every
published count of every table of the family is an equality over the atoms it sums, and an
atom that a published zero sums is zero. A hidden entry's range is its minimum and maximum
over that polytope. Only atoms that no published zero rules out are unknowns; they are built
dimension by dimension, since every published count names at most two dimensions. When even
those are too many for a page, the unknowns are the atoms that really hold a count: that set
holds the true cube, so its polytope is inside the attacker's, every range it gives is at most
the attacker's, and a table it passes is safe (it may hide more than needed, never less).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

# scipy ships no type information (no py.typed).
from scipy.optimize import linprog  # type: ignore[import-untyped]
from scipy.sparse import coo_array  # type: ignore[import-untyped]

#: A cube cell: one value per dimension.
Atom = tuple[str, ...]
#: A published entry: the (dimension index, value) pairs it fixes; the others are summed.
Key = frozenset[tuple[int, str]]

#: Beyond this many unknown atoms the audit falls back to the atoms that hold a count.
MAX_UNKNOWNS = 4000
#: Slack for floating-point LP optima.
EPSILON = 1e-6
#: HiGHS reports an unbounded objective with status 3.
_UNBOUNDED = 3


def unknown_atoms(
    lines: Sequence[Sequence[str]], zeros: set[Key], support: Iterable[Atom]
) -> list[Atom]:
    """Return the atoms no published zero rules out (or, past MAX_UNKNOWNS, the support)."""
    partial: list[Atom] = [()]
    for d, values in enumerate(lines):
        grown: list[Atom] = []
        for head in partial:
            for value in values:
                if frozenset({(d, value)}) in zeros:
                    continue
                if any(frozenset({(e, head[e]), (d, value)}) in zeros for e in range(d)):
                    continue
                grown.append((*head, value))
        if len(grown) > MAX_UNKNOWNS:
            return sorted(set(support))
        partial = grown
    return partial


class JointProgramme:
    """The equalities every published entry of a family imposes on the unknown atoms."""

    def __init__(self, atoms: Sequence[Atom], published: Mapping[Key, int]) -> None:
        self.size = len(atoms)
        self._having: dict[tuple[int, str], set[int]] = defaultdict(set)
        for i, atom in enumerate(atoms):
            for d, value in enumerate(atom):
                self._having[(d, value)].add(i)
        rows: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for n, (key, count) in enumerate(sorted(published.items(), key=_order)):
            members = self.members(key)
            rows += [n] * len(members)
            columns += members
            values.append(float(count))
        self._a_eq = (
            coo_array(([1.0] * len(rows), (rows, columns)), shape=(len(values), self.size))
            if values and self.size
            else None
        )
        self._b_eq = np.array(values) if self._a_eq is not None else None

    def members(self, key: Key) -> list[int]:
        """Return the unknown atoms an entry sums."""
        chosen = set(range(self.size))
        for pair in key:
            chosen &= self._having.get(pair, set())
        return sorted(chosen)

    def optimum(self, key: Key, sense: float) -> float:
        """Return the minimum (sense 1) or maximum (sense -1) of an entry; +-inf if unbounded."""
        members = self.members(key)
        if not members:
            return 0.0
        objective = np.zeros(self.size)
        objective[members] = sense
        result = linprog(
            objective,
            A_eq=self._a_eq,
            b_eq=self._b_eq,
            bounds=(0.0, None),
            method="highs",
        )
        if result.status == _UNBOUNDED:
            return float("inf")
        if result.status != 0:  # the true cube is feasible, so this is a solver failure
            raise ArithmeticError(f"linprog failed: {result.message}")
        return float(result.fun) * sense

    def wide_enough(self, key: Key, value: int, threshold: int) -> bool:
        """Tell whether the entry's range is at least ``threshold`` wide; the true ``value``
        lies inside it, so one optimum often decides."""
        high = self.optimum(key, -1.0)
        if high >= value + threshold - EPSILON:
            return True
        low = self.optimum(key, 1.0)
        return high - low >= threshold - EPSILON


def _order(item: tuple[Key, int]) -> list[tuple[int, str]]:
    return sorted(item[0])


def narrow_entries(
    lines: Sequence[Sequence[str]],
    support: Mapping[Atom, int],
    published: Mapping[Key, int],
    hidden: Mapping[Key, int],
    threshold: int,
) -> list[Key]:
    """Return the hidden entries (with their true values) whose joint range is too narrow."""
    if not hidden:
        return []
    zeros = {key for key, value in published.items() if value == 0}
    atoms = unknown_atoms(lines, zeros, support)
    programme = JointProgramme(atoms, {k: v for k, v in published.items() if v})
    return [
        key
        for key, value in sorted(hidden.items(), key=_order)
        if not programme.wide_enough(key, value, threshold)
    ]
