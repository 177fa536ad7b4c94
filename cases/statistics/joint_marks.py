"""Rule (c) of `cases.statistics.suppression` over a whole family (attack on issue 13).

An attacker sees the marks of every table of a family: a primary entry counts 1 .. threshold-1
(0 .. threshold-1 on a line whose total is primary, which may hide zeros) and a secondary one
at least the threshold. Each table alone narrowed no small entry beyond what its marks and
zeros allow, but the tables together did: two cells by agency and district, each 1 .. 4 by
their marks, were pinned to 3 .. 4 by the month tables' counts. So the family's published
counts, with every mark's bounds, over the cube's atoms (`cases.statistics.joint_audit`) may
narrow no primary entry beyond its range under the marks and the zeros alone (the *prior*:
every published nonzero entry then counts only "at least the threshold").

Past MAX_UNKNOWNS the unknowns are the atoms that hold a count, whose ranges are inside the
attacker's; there an entry passes only when it reaches both ends its mark allows, which no
prior can exceed.
"""

from collections.abc import Iterable, Mapping, Sequence

from cases.statistics.joint_audit import (
    EPSILON,
    Atom,
    Bound,
    JointProgramme,
    Key,
    unknown_atoms,
)
from cases.statistics.worktable import Mark

_NO_LIMIT = float("inf")


def mark_bound(key: Key, marks: Mapping[Key, Mark], count: int, threshold: int) -> Bound:
    """Return what the mark of a hidden entry tells the attacker of its value (never a bound
    the true count breaks, or the programme would have no solution)."""
    if marks[key] is Mark.SECONDARY:
        return (float(threshold) if count >= threshold else 0.0, _NO_LIMIT)
    # The totals of the lines through an entry fix one dimension fewer.
    under_a_small_total = any(
        len(other) == len(key) - 1 and other < key and mark is Mark.PRIMARY
        for other, mark in marks.items()
    )
    low = 0.0 if under_a_small_total or count == 0 else 1.0
    # A primary entry forced from a linked table may be large: it only holds a small one.
    return (low, float(threshold - 1) if count < threshold else _NO_LIMIT)


class MarkAudit:
    """Rule (c) over the family of one release. Its prior holds through the release: an entry
    the release hides later is a published nonzero one hidden as secondary, and both say
    "at least the threshold"; hiding more only widens the published polytope, so an entry
    that passed stays passed."""

    def __init__(
        self,
        lines: Sequence[Sequence[str]],
        support: Iterable[Atom],
        counts: Mapping[Key, int],
        threshold: int,
    ) -> None:
        self.counts, self.threshold = counts, threshold
        self._lines, self._support = lines, tuple(support)
        self._prior: dict[Key, Bound] = {}
        self._prior_programme: JointProgramme | None = None
        self._prior_primaries: frozenset[Key] = frozenset()
        self._passed: set[Key] = set()

    def narrowed(self, marks: Mapping[Key, Mark]) -> list[Key]:
        """Return the primary entries the published counts narrow beyond their prior."""
        primaries = sorted(
            (k for k, m in marks.items() if m is Mark.PRIMARY and k not in self._passed),
            key=sorted,
        )
        published = {k: n for k, n in self.counts.items() if k not in marks}
        if not primaries or not any(published.values()):
            return []  # nothing nonzero is published: the marks are all there is
        zeros = {k for k, n in published.items() if n == 0}
        atoms, exact = unknown_atoms(self._lines, zeros, self._support)
        bounds = {k: mark_bound(k, marks, self.counts[k], self.threshold) for k in marks}
        now = JointProgramme(
            atoms, {**{k: (float(n), float(n)) for k, n in published.items() if n}, **bounds}
        )
        failing = []
        for key in primaries:
            found = (now.optimum(key, 1.0), now.optimum(key, -1.0))
            # Reaching both ends of the mark, it is as wide as any prior (which the mark bounds).
            if _narrower(bounds[key], found) and (
                not exact or _narrower(self._prior_range(key, atoms, marks, bounds), found)
            ):
                failing.append(key)
            else:
                self._passed.add(key)
        return failing

    def _prior_range(
        self,
        key: Key,
        atoms: Sequence[Atom],
        marks: Mapping[Key, Mark],
        bounds: Mapping[Key, Bound],
    ) -> Bound:
        """Return an entry's range under the marks and the published zeros alone."""
        primaries = frozenset(k for k, m in marks.items() if m is Mark.PRIMARY)
        if self._prior_programme is None or primaries != self._prior_primaries:
            # (Only primary marks change the prior; a release adds secondary ones.)
            at_least = {
                k: (float(min(n, self.threshold)), _NO_LIMIT)
                for k, n in self.counts.items()
                if k not in marks and n
            }
            self._prior_programme = JointProgramme(atoms, {**at_least, **bounds})
            self._prior_primaries, self._prior = primaries, {}
        if key not in self._prior:
            programme = self._prior_programme
            self._prior[key] = (programme.optimum(key, 1.0), programme.optimum(key, -1.0))
        return self._prior[key]


def _narrower(widest: Bound, found: Bound) -> bool:
    """Tell whether a range found is narrower than the widest it may be."""
    return found[0] > widest[0] + EPSILON or found[1] < widest[1] - EPSILON
