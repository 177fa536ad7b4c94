"""Rule (c) over a family (attack on issue 13): an attacker who knows every table's marks — a
primary entry counts 1 .. threshold-1 (0 .. on a line whose total is primary), a secondary one
at least the threshold — must learn no more of a primary entry from the published counts than
the marks and the published zeros alone tell. The attacker's LPs are written here, over *all*
the cube's cells, independently of `cases.statistics.joint_marks`."""

from __future__ import annotations

from collections import Counter
from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no types

from cases.statistics import joint_audit
from cases.statistics.joint_marks import MarkAudit
from cases.statistics.linked import Cube, protect
from cases.statistics.suppression import Mark, Suppressed
from tests.cases.statistics.test_linked import ALL_ATOMS, LINES, VIEWS, cubes, entries

Entry = frozenset[tuple[int, str]]


def _row(entry: Entry) -> list[float]:
    return [1.0 if all(atom[d] == v for d, v in entry) else 0.0 for atom in ALL_ATOMS]


def _ranges(
    targets: list[Entry],
    equal: list[tuple[Entry, int]],
    within: list[tuple[Entry, float, float | None]],
) -> dict[Entry, tuple[float, float]]:
    """The least and greatest value of each target over the cells >= 0 with the entries
    ``equal`` fixed and the entries ``within`` bounded."""
    a_eq = np.array([_row(e) for e, _v in equal]) if equal else None
    b_eq = np.array([float(v) for _e, v in equal]) if equal else None
    a_ub: list[list[float]] = []
    b_ub: list[float] = []
    for entry, low, high in within:
        a_ub.append([-x for x in _row(entry)])
        b_ub.append(-low)
        if high is not None:
            a_ub.append(_row(entry))
            b_ub.append(high)
    bounded = {"A_ub": np.array(a_ub), "b_ub": np.array(b_ub)} if a_ub else {}
    out = {}
    for target in targets:
        objective = np.array(_row(target))
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs", **bounded)
        high = linprog(
            -objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs", **bounded
        )
        assert low.status == 0, low.message  # the true cube is a solution
        out[target] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return out


def narrowed_primaries(released: tuple[Suppressed, ...], threshold: int) -> list[Entry]:
    """The primary entries whose range under the published counts and the marks is narrower
    than under the marks and the published zeros alone."""
    seen: dict[Entry, tuple[int | None, Mark | None]] = {}
    for table, view in zip(released, VIEWS, strict=True):
        for fixed, value, mark in entries(table, view):
            seen[frozenset(fixed.items())] = (value, mark)
    marks = {e: m for e, (_v, m) in seen.items() if m is not None}

    def told(entry: Entry) -> tuple[Entry, float, float | None]:
        if marks[entry] is Mark.SECONDARY:
            return (entry, threshold, None)
        lines_small = any(
            marks.get(entry - {pair}) is Mark.PRIMARY for pair in entry
        )  # a line through the entry (one fixed value fewer) is hidden as small
        return (entry, 0 if lines_small else 1, threshold - 1)

    by_marks = [told(e) for e in marks]
    published = [(e, v) for e, (v, m) in seen.items() if m is None and v is not None]
    primaries = [e for e, m in marks.items() if m is Mark.PRIMARY]
    if not primaries:
        return []
    now = _ranges(primaries, published, by_marks)
    at_least = [(e, float(threshold), None) for e, v in published if v]
    prior = _ranges(primaries, [(e, v) for e, v in published if v == 0], by_marks + at_least)
    return [
        e for e in primaries if now[e][0] > prior[e][0] + 1e-6 or now[e][1] < prior[e][1] - 1e-6
    ]


@settings(max_examples=25, deadline=None)
@given(cubes())
def test_the_published_counts_narrow_no_primary_entry_beyond_its_marks(cube: Cube) -> None:
    protect.cache_clear()
    assert narrowed_primaries(protect(cube, VIEWS, 5), 5) == []


@settings(max_examples=10, deadline=None)
@given(cubes())
def test_past_the_unknowns_limit_the_marks_audit_is_safe_too(cube: Cube) -> None:
    protect.cache_clear()
    with patch.object(joint_audit, "MAX_UNKNOWNS", 1):
        released = protect(cube, VIEWS, 5)
    protect.cache_clear()
    assert narrowed_primaries(released, 5) == []


# Found by a random search: each view passes rule (c) alone, but the month views' counts
# pin agency a x district z and agency b x district z (1 .. 4 by their marks) to 3 .. 4.
MARKS_TELL = {
    ("m1", "a", "x"): 2, ("m1", "a", "y"): 9, ("m1", "a", "z"): 1, ("m1", "b", "x"): 3,
    ("m1", "b", "y"): 6, ("m1", "b", "z"): 3, ("m1", "c", "y"): 4, ("m1", "c", "z"): 1,
    ("m2", "a", "x"): 9, ("m2", "a", "y"): 2, ("m2", "a", "z"): 1, ("m2", "b", "x"): 1,
    ("m2", "b", "y"): 9, ("m2", "b", "z"): 1, ("m2", "c", "y"): 9, ("m2", "c", "z"): 3,
    ("m3", "a", "x"): 2, ("m3", "a", "y"): 3, ("m3", "a", "z"): 1, ("m3", "b", "x"): 1,
    ("m3", "b", "y"): 1, ("m3", "c", "y"): 9, ("m3", "c", "z"): 4,
}  # fmt: skip


def test_marks_that_each_view_keeps_are_kept_by_the_family() -> None:
    cube = Cube.of(("month", "agency", "district"), LINES, Counter(MARKS_TELL))
    protect.cache_clear()
    with patch.object(MarkAudit, "narrowed", lambda self, marks: []):
        unaudited = protect(cube, VIEWS, 5)
    protect.cache_clear()
    assert narrowed_primaries(unaudited, 5), "views audited one by one leak here"
    assert narrowed_primaries(protect(cube, VIEWS, 5), 5) == []
