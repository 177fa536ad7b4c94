"""Protected families kept in the database (issue 13).

Protecting a measure-year's two families (`cases.statistics.linked_families`) costs seconds of
CPU, tens of seconds at a city's size: more than a worker's request timeout, and every gunicorn
worker paid it again (each caches only in its own memory). The protection depends only on the
counts, the views, the threshold and the method, so its result (the marks of each family) is
kept under a digest of exactly those (`statistics_releases`); a page rebuilds its tables from
the marks. `flask statistics prepare` fills the store ahead for every ended year.

A stored release holds no count that the facts do not already hold, and no person: the marks
are named by months and categories only.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.statistics.linked import NamedKey, Release, rebuilt
from cases.statistics.linked_families import Family, protect_linked
from cases.statistics.models import StatisticsRelease
from cases.statistics.suppression import Mark
from core.db import utcnow

#: Names the protection method: change it whenever the protection may give other marks, so
#: that no release made by an earlier method is served.
METHOD = "linked-families/joint-marks/hidden-zeros/zeros-over/15000-unknowns/2026-12-08"


def digest(facts: Family, pairs: Family, threshold: int, only_in_pairs: str) -> str:
    """Return the digest of everything a release depends on."""
    described = [METHOD, threshold, only_in_pairs]
    for cube, views in (facts, pairs):
        described.append([cube.names, cube.lines, cube.atoms, views])
    return hashlib.sha256(orjson.dumps(described)).hexdigest()


class NotPrepared(Exception):
    """A year's protection is not stored, and the caller may not compute it now: `flask
    statistics prepare` (its timer in production) stores it."""


def protected(
    session: Session,
    facts: Family,
    pairs: Family,
    threshold: int,
    only_in_pairs: str,
    *,
    compute: bool = True,
) -> tuple[Release, Release]:
    """Return the two families' releases: from the store, or (``compute``, or a year without
    facts) protected now and stored; raise `NotPrepared` when neither."""
    key = digest(facts, pairs, threshold, only_in_pairs)
    stored = session.scalar(select(StatisticsRelease.marks).where(StatisticsRelease.digest == key))
    if stored is not None:
        fact_marks, pair_marks = (_marks(stored[name]) for name in ("facts", "pairs"))
        return rebuilt(*facts, threshold, fact_marks), rebuilt(*pairs, threshold, pair_marks)
    # A year without a single fact has nothing to protect and costs nothing to release: it is
    # served at once, never "being prepared" (attack on issue 13: the years before the first
    # fact answered 503 forever, since `statistics prepare` starts at the first fact's year).
    if not compute and (facts[0].atoms or pairs[0].atoms):
        raise NotPrepared(key)
    releases = protect_linked(facts, pairs, threshold, only_in_pairs)
    payload = {name: _listed(r.marks) for name, r in zip(("facts", "pairs"), releases, strict=True)}
    try:
        # Another worker may store the same release at the same moment: either row will do.
        with session.begin_nested():
            session.add(StatisticsRelease(digest=key, marks=payload, created_at=utcnow()))
    except IntegrityError:
        pass
    return releases


def _listed(marks: dict[NamedKey, Mark]) -> list[object]:
    return [[sorted(named), str(mark)] for named, mark in sorted(marks.items(), key=_order)]


def _marks(listed: list[Any]) -> dict[NamedKey, Mark]:
    """Read back what `_listed` stored: [[[name, value], ...], mark] per entry."""
    return {
        frozenset((str(name), str(value)) for name, value in pairs): Mark(mark)
        for pairs, mark in listed
    }


def _order(item: tuple[NamedKey, Mark]) -> list[tuple[str, str]]:
    return sorted(item[0])
