"""Rule (c) of `cases.statistics.suppression`: what the marks tell an attacker.

A primary entry counts 1 .. threshold-1 and a secondary one at least the threshold. With those
bounds, the published numbers may narrow no small entry beyond what the marks and the zeros
alone allow (attack on issue 13: "primary + secondary = 6" pinned 1 and 5).
"""

from cases.statistics.audit_lp import Bound, Position, hidden_ranges
from cases.statistics.worktable import Mark, WorkTable, rectangles

#: Slack for floating-point LP optima.
EPSILON = 1e-6


def _bound(work: WorkTable, position: Position) -> Bound:
    """Return what the mark of a hidden entry (or its being published) tells of its value."""
    mark = work.marks.get(position)
    if mark is Mark.PRIMARY:
        # In a line under a small total it may be a hidden zero; a forced primary entry of a
        # combined table may be large: it only holds a small one. (A zero hidden beside a
        # forced zero, `suppression._fix_single_lines`, is 0: never a bound the truth breaks.)
        under = _under_a_small_total(work, position)
        low = 0.0 if under or work.value(position) == 0 else 1.0
        return (low, float(work.threshold - 1) if work.value(position) < work.threshold else None)
    return (float(work.threshold), None)  # secondary, or a published nonzero entry


def _under_a_small_total(work: WorkTable, position: Position) -> bool:
    """Tell what the attacker sees from the marks: a line through the entry whose total is
    marked primary (so the line may hold hidden zeros)."""
    return any(
        line[-1] != position and work.marks.get(line[-1]) is Mark.PRIMARY
        for line in work.lines_through(position)
    )


def _fits(work: WorkTable, target: Position, corners: list[Position], shift: int) -> bool:
    """Tell whether shifting the rectangle of hidden entries (target + corners) by ``shift``
    keeps every corner within what its mark says (the published values stay as they are)."""
    for position, direction in ((target, 1), *zip(corners, (-1, -1, 1), strict=True)):
        moves_with_target = direction * (-1) ** (work.rank(position) + work.rank(target)) > 0
        low, high = _bound(work, position)
        value = work.value(position) + (shift if moves_with_target else -shift)
        if value < low or (high is not None and value > high):
            return False
    return True


def _spans_its_mark(work: WorkTable, target: Position) -> bool:
    """Tell whether rectangles of hidden entries carry a small primary entry to both ends of
    what its mark allows (0 or 1 .. threshold-1) without leaving any corner's mark: then its
    LP range under the marks is the widest the marks allow, and no LP is needed."""
    low, high = _bound(work, target)
    if high is None:
        return False
    value = work.value(target)
    hidden = [
        corners
        for _other, corners in rectangles(work, target)
        if all(p in work.marks for p in corners)
    ]
    down, up = value - int(low), int(high) - value
    reach_down = down == 0 or any(_fits(work, target, c, -down) for c in hidden)
    reach_up = up == 0 or any(_fits(work, target, c, up) for c in hidden)
    return reach_down and reach_up


def narrowed(work: WorkTable) -> list[Position]:
    """Return the primary entries the published numbers narrow beyond what the marks say."""
    if all(p in work.marks for p in work.positions() if work.value(p) > 0):
        return []  # nothing nonzero is published: the marks are all there is
    primaries = sorted(
        p for p, mark in work.marks.items() if mark is Mark.PRIMARY and not _spans_its_mark(work, p)
    )
    if not primaries:
        return []
    known = {p: _bound(work, p) for p in work.marks}
    now = hidden_ranges(work.grid(), primaries, known)
    unknown = [
        [None if work.values[r][c] or (r, c) in work.marks else 0 for c in range(len(line))]
        for r, line in enumerate(work.values)
    ]
    every = {p: _bound(work, p) for p in work.positions() if work.value(p) > 0 or p in work.marks}
    prior = hidden_ranges(unknown, primaries, every)
    return [
        p
        for p in primaries
        if now[p][0] > prior[p][0] + EPSILON or now[p][1] < prior[p][1] - EPSILON
    ]
