"""Protected families kept in the database (issue 13): a measure-year is protected once, by
whichever worker or `flask statistics prepare` comes first, and every later view is cut from
the stored marks — the same tables, without the seconds of CPU; a release stored for other
counts, another threshold or another method is never served."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import patch

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.policy import PolicyDenied
from cases.statistics import services as statistics
from cases.statistics import stored
from cases.statistics.linked_families import protect_linked
from cases.statistics.models import FactEvent, StatisticsRelease
from tests.cases.statistics.test_releases import YEARS, analyst_scene, ask
from tests.factories import OPERATOR, Builders, as_user

__all__ = ["analyst_scene"]  # the fixture, shared with the release tests

THIS_YEAR = YEARS[-1] + 1


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StatisticsRelease)) or 0


@pytest.fixture(autouse=True)
def _no_process_cache() -> Iterator[None]:
    """Each test starts as a fresh worker: only the database remembers."""
    protect_linked.cache_clear()
    yield
    protect_linked.cache_clear()


def _never(*args: object) -> object:
    raise AssertionError("protected again although the store holds it")


def test_a_view_stores_its_years_and_the_next_worker_reads_them(
    analyst_scene: tuple[Session, Builders],
) -> None:
    session, build = analyst_scene
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    first = statistics.statistics_table(
        session, timo, ask(*YEARS), threshold=5, this_year=THIS_YEAR, protect_on_view=True
    )
    assert _stored(session) == len(YEARS)
    protect_linked.cache_clear()
    with patch.object(stored, "protect_linked", _never):
        again = statistics.statistics_table(
            session, timo, ask(*YEARS), threshold=5, this_year=THIS_YEAR, protect_on_view=False
        )
        by_district = statistics.statistics_table(
            session,
            timo,
            ask(YEARS[0], YEARS[0], statistics.Breakdown.DISTRICT),
            threshold=5,
            this_year=THIS_YEAR,
            protect_on_view=False,
        )
    assert again.table == first.table
    assert by_district.table.rows  # another view of a stored family needs no protection
    assert _stored(session) == len(YEARS)


def test_another_threshold_or_method_is_protected_anew(
    analyst_scene: tuple[Session, Builders],
) -> None:
    session, build = analyst_scene
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    request = ask(YEARS[0], YEARS[0])
    statistics.statistics_table(
        session, timo, request, threshold=5, this_year=THIS_YEAR, protect_on_view=True
    )
    statistics.statistics_table(
        session, timo, request, threshold=10, this_year=THIS_YEAR, protect_on_view=True
    )
    assert _stored(session) == 2
    protect_linked.cache_clear()
    with patch.object(stored, "METHOD", "a later method"):
        statistics.statistics_table(
            session, timo, request, threshold=5, this_year=THIS_YEAR, protect_on_view=True
        )
    assert _stored(session) == 3


def test_two_workers_storing_the_same_release_both_succeed(
    analyst_scene: tuple[Session, Builders],
) -> None:
    session, build = analyst_scene
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    real = stored.protect_linked

    def racing(*args: object) -> object:
        # The other worker stores its release while this one protects.
        releases = real(*args)  # type: ignore[arg-type]
        key = stored.digest(*args)  # type: ignore[arg-type]
        with session.begin_nested():
            session.add(
                StatisticsRelease(
                    digest=key, marks={"facts": [], "pairs": []}, created_at=stored.utcnow()
                )
            )
        return releases

    with patch.object(stored, "protect_linked", racing):
        view = statistics.statistics_table(
            session,
            timo,
            ask(YEARS[0], YEARS[0]),
            threshold=5,
            this_year=THIS_YEAR,
            protect_on_view=True,
        )
    assert view.table.rows and _stored(session) == 1


def test_prepare_protects_every_ended_year_of_every_measure_ahead(
    analyst_scene: tuple[Session, Builders],
) -> None:
    session, build = analyst_scene
    prepared = statistics.prepare_releases(session, OPERATOR, threshold=5, this_year=THIS_YEAR)
    assert prepared == len(YEARS) * len(FactEvent)
    # Years with the same counts (here: none, for the measures the scene did not count)
    # share one stored release.
    assert len(YEARS) < _stored(session) <= prepared
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == Action.STATISTICS_PREPARED)
    ).one()
    assert event.details["measure_years"] == prepared
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    protect_linked.cache_clear()
    with patch.object(stored, "protect_linked", _never):
        for measure in (FactEvent.CASE_OPENED, FactEvent.MEETING_HELD):
            request = ask(*YEARS)
            request = statistics.TableRequest(
                measure, *YEARS, request.granularity, (statistics.Breakdown.CONCERN,)
            )
            statistics.statistics_table(
                session, timo, request, threshold=5, this_year=THIS_YEAR, protect_on_view=False
            )


def test_only_the_host_operator_prepares(analyst_scene: tuple[Session, Builders]) -> None:
    session, build = analyst_scene
    for role, agency in (("analyst", "tur"), ("admin", "sos"), ("supervisor", "sos")):
        user = as_user(build.user(f"u_{role}", role=role, agency=agency))
        with pytest.raises(PolicyDenied):
            statistics.prepare_releases(session, user, threshold=5, this_year=THIS_YEAR)
    assert _stored(session) == 0


def test_a_year_not_prepared_is_refused_unaudited_when_views_may_not_protect(
    analyst_scene: tuple[Session, Builders],
) -> None:
    """Production serves only what `statistics prepare` stored (SILTA_STATISTICS_PROTECT=ahead):
    a protection can outlast a worker's timeout, so a page never starts one."""
    session, build = analyst_scene
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    with (
        patch.object(stored, "protect_linked", _never),
        pytest.raises(statistics.NotPrepared),
    ):
        statistics.statistics_table(
            session, timo, ask(*YEARS), threshold=5, this_year=THIS_YEAR, protect_on_view=False
        )
    assert _stored(session) == 0
    shown = select(func.count()).where(AuditEvent.action == Action.STATISTICS_READ)
    assert session.scalar(shown) == 0


def test_a_year_without_facts_is_served_at_once_and_never_being_prepared(
    analyst_scene: tuple[Session, Builders],
) -> None:
    """`statistics prepare` starts at the first fact's year: a year before it has nothing to
    protect, so it is released at once rather than "being prepared" forever (attack on
    issue 13: 2000-2017 answered 503 with Retry-After, naming the first year of any fact)."""
    session, build = analyst_scene
    timo = as_user(build.user("timo", role="analyst", agency="tur"))
    empty = YEARS[0] - 3
    view = statistics.statistics_table(
        session, timo, ask(empty, empty), threshold=5, this_year=THIS_YEAR, protect_on_view=False
    )
    table = view.table
    entries = [cell for line in table.cells for cell in line] + [table.total]
    assert all(cell.value == 0 and cell.mark is None for cell in entries)
    # A year with facts still waits for `statistics prepare`.
    with pytest.raises(statistics.NotPrepared):
        statistics.statistics_table(
            session,
            timo,
            ask(empty, YEARS[0]),
            threshold=5,
            this_year=THIS_YEAR,
            protect_on_view=False,
        )


def test_prepare_hands_over_after_each_measure_year_latest_first(
    analyst_scene: tuple[Session, Builders],
) -> None:
    session, _build = analyst_scene
    handed: list[int] = []
    prepared = statistics.prepare_releases(
        session,
        OPERATOR,
        threshold=5,
        this_year=THIS_YEAR,
        after_each=lambda: handed.append(_stored(session)),
    )
    assert len(handed) == prepared == len(YEARS) * len(FactEvent)
    # The first measure's latest year is stored by the first hand-over: the page opens on it.
    assert handed[0] == 1 and handed == sorted(handed)
