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

import highspy
import numpy as np

#: A cube cell: one value per dimension.
Atom = tuple[str, ...]
#: A published entry: the (dimension index, value) pairs it fixes; the others are summed.
Key = frozenset[tuple[int, str]]
#: What the attacker knows of an entry: its least and greatest value (inf: no limit).
Bound = tuple[float, float]
#: Any other row: a weighted sum of atoms (by their index) between two limits.
Link = tuple[Mapping[int, float], float, float]

#: Beyond this many unknown atoms the audit falls back to the atoms that hold a count. That
#: fallback is safe but blunt: under rule (c) a primary entry must then reach both ends of its
#: mark, and on the demo's cases opened it hid every entry of every view, the grand total too
#: (attack on issue 13: "nothing above zero is shown"). The demo's pair family needs about
#: 10,000; an exact programme of that size costs about as much as the fallback's extra rounds.
MAX_UNKNOWNS = 15000
#: Slack for floating-point LP optima.
EPSILON = 1e-6
#: HiGHS's option value for primal simplex, which re-solves from the last basis.
_PRIMAL_SIMPLEX = 4
#: An objective without limit: the truth is feasible, so "or infeasible" is unbounded too.
_UNBOUNDED = (
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)


def unknown_atoms(
    lines: Sequence[Sequence[str]], zeros: set[Key], support: Iterable[Atom]
) -> tuple[list[Atom], bool]:
    """Return the atoms no published zero rules out and True, or, past MAX_UNKNOWNS, the
    support and False (the attacker's polytope is then only bounded from inside)."""
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
            return sorted(set(support)), False
        partial = grown
    return partial, True


class JointProgramme:
    """The bounds the entries of a family impose on the unknown atoms (a published count is
    a bound with both ends equal), loaded once into HiGHS; each entry's optimum is a re-solve
    from the last basis (only the objective changes, so primal simplex starts feasible: a few
    pivots instead of a solve)."""

    def __init__(
        self, atoms: Sequence[Atom], bounds: Mapping[Key, Bound], links: Sequence[Link] = ()
    ) -> None:
        self.size = len(atoms)
        self._having: dict[tuple[int, str], set[int]] = defaultdict(set)
        for i, atom in enumerate(atoms):
            for d, value in enumerate(atom):
                self._having[(d, value)].add(i)
        rows: list[Link] = [
            (dict.fromkeys(self.members(key), 1.0), low, high)
            for key, (low, high) in sorted(bounds.items(), key=_order)
        ]
        starts, lows, highs = [0], [], []
        indexes: list[int] = []
        values: list[float] = []
        for weights, low, high in (*rows, *links):
            indexes += weights.keys()
            values += weights.values()
            starts.append(len(indexes))
            lows.append(-highspy.kHighsInf if low == -float("inf") else low)
            highs.append(highspy.kHighsInf if high == float("inf") else high)
        self._highs = highspy.Highs()  # type: ignore[no-untyped-call]  # its __init__ is untyped
        self._highs.setOptionValue("output_flag", False)
        self._highs.setOptionValue("simplex_strategy", _PRIMAL_SIMPLEX)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.size, len(lows)
        lp.col_cost_ = np.zeros(self.size)
        lp.col_lower_ = np.zeros(self.size)
        lp.col_upper_ = np.full(self.size, highspy.kHighsInf)
        lp.row_lower_ = np.array(lows, dtype=np.double)
        lp.row_upper_ = np.array(highs, dtype=np.double)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_row_, lp.a_matrix_.num_col_ = len(lows), self.size
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indexes, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=np.double)
        self._highs.passModel(lp)
        self._columns = np.arange(self.size, dtype=np.int32)

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
        cost = np.zeros(self.size)
        cost[members] = -sense  # the model maximises: max(-x) is -min(x)
        self._highs.changeColsCost(self.size, self._columns, cost)
        self._highs.run()
        status = self._highs.getModelStatus()
        if status in _UNBOUNDED:
            return float("inf") * -sense
        if status != highspy.HighsModelStatus.kOptimal:  # the true cube is feasible
            raise ArithmeticError(f"HiGHS failed: {self._highs.modelStatusToString(status)}")
        return float(self._highs.getInfo().objective_function_value) * -sense

    def wide_enough(self, key: Key, value: int, threshold: int) -> bool:
        """Tell whether the entry's range is at least ``threshold`` wide; the true ``value``
        lies inside it, so one optimum often decides."""
        high = self.optimum(key, -1.0)
        if high >= value + threshold - EPSILON:
            return True
        low = self.optimum(key, 1.0)
        return high - low >= threshold - EPSILON


def _order(item: tuple[Key, object]) -> list[tuple[int, str]]:
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
    atoms, _exact = unknown_atoms(lines, zeros, support)
    programme = JointProgramme(atoms, {k: (float(v), float(v)) for k, v in published.items() if v})
    return [
        key
        for key, value in sorted(hidden.items(), key=_order)
        if not programme.wide_enough(key, value, threshold)
    ]
