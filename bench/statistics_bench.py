"""Statistics benchmark: what protecting a year's views together costs (issue 13).

For a synthetic year of facts (seeded, spread like the demo's: months, four agency kinds, age
bands, a dozen districts, outcomes), it times the linked protection of the whole family
(`cases.statistics.linked.protect`) against the baseline of the same views suppressed one by
one (`suppression.suppress`), in the same run, and prints both with their ratio and how many
entries each hides. No target is asserted: the family costs more, once per process and
measure-year (the result is cached); this says how much.

Usage: python -m bench.statistics_bench [--facts 150 600] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from cases.statistics.joint_audit import Atom
from cases.statistics.linked import Cube, View, protect, table_of
from cases.statistics.suppression import Suppressed, suppress

LINES: tuple[tuple[str, ...], ...] = (
    tuple(f"2025-{m:02d}" for m in range(1, 13)),
    ("social_services", "youth_work", "police", "ngo", "unknown"),
    ("under_12", "12_14", "15_17", "18_21", "over_21", "unknown"),
    (*(f"{n:03d}" for n in range(5, 17)), "unknown"),
    ("aged_out", "goals_met", "moved", "declined", "unknown"),
)
NAMES = ("month", "agency_kind", "age_band", "district", "outcome")
VIEWS: tuple[View, ...] = tuple((i, j) for i in range(len(NAMES)) for j in range(i + 1, len(NAMES)))


def cube(facts: int, seed: int) -> Cube:
    rng = random.Random(seed)
    weights = [[rng.random() ** 2 + 0.05 for _ in line] for line in LINES]
    counts: Counter[Atom] = Counter()
    for _ in range(facts):
        atom = tuple(rng.choices(line, w)[0] for line, w in zip(LINES, weights, strict=True))
        counts[atom] += 1
    return Cube.of(NAMES, LINES, counts)


def hidden(tables: tuple[Suppressed, ...]) -> int:
    return sum(v is None for t in tables for line in t.grid() for v in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, nargs="+", default=[150, 600])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for facts in args.facts:
        year = cube(facts, args.seed)
        start = time.perf_counter()
        alone = tuple(suppress(table_of(year, view), 5) for view in VIEWS)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        together = protect(year, VIEWS, 5)
        linked = time.perf_counter() - start
        print(
            f"{facts} facts, {len(VIEWS)} views: one by one {baseline:.2f} s "
            f"({hidden(alone)} hidden), together {linked:.2f} s ({hidden(together)} hidden), "
            f"ratio {linked / baseline:.1f}x"
        )


if __name__ == "__main__":
    main()
