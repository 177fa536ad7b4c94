"""Work per request is bounded (STYLE 14): the task list, the review queue and the case page's
meeting items send the same statements with 1 or 30 rows, whatever cases and meetings they
come from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from cases.meetings import services as meetings
from cases.meetings.queries import CaseMeetingItems, case_meeting_items
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.budgets.counting import Statements, counting
from tests.cases.meetings.scenario import Scene, ctx, scene
from tests.clock import work_day


def _another_case_item(s: Scene) -> None:
    """A meeting about a new case of sanna's (team as the scene's), with a decision, an action
    item for noora due today and an addendum."""
    sanna = s.users["sanna"]
    case = s.build.case(sanna, s.build.person(sanna))
    s.build.consent(case, sanna, recipients=[s.agencies["nuo"]], categories=("general",))
    s.build.member(case, sanna, s.users["noora"])
    meeting = s.meeting()
    item = s.agenda(meeting, case)
    s.held(meeting)
    s.entry(meeting, item)
    s.action(meeting, item, due_on=work_day())


def _case_meeting(s: Scene) -> None:
    """One more meeting about the scene's case, with a decision and an action item."""
    meeting = s.meeting()
    item = s.agenda(meeting)
    s.held(meeting)
    s.entry(meeting, item)
    s.action(meeting, item, due_on=work_day())


def _count(s: Scene, read: Callable[[], object]) -> tuple[Statements, int]:
    """The statements of one read, and how many rows it returned."""
    s.session.flush()
    s.session.expire_all()
    engine = s.session.get_bind()
    assert isinstance(engine, Engine)
    with counting(engine) as seen:
        got = read()
    return seen, _rows(got)


def _rows(got: object) -> int:
    if isinstance(got, meetings.ReviewQueue):
        return len(got.overdue)
    if isinstance(got, CaseMeetingItems):
        return len(got.decisions) + len(got.tasks)
    assert isinstance(got, list)
    return len(got)


READS: dict[str, tuple[Callable[[Scene], None], Callable[[Scene], object]]] = {
    "task-list": (
        _another_case_item,
        lambda s: meetings.my_action_items(s.session, ctx(s.users["noora"])),
    ),
    "review-queue": (
        _another_case_item,
        lambda s: meetings.review_queue(s.session, ctx(s.users["nelli"])),
    ),
    "case-page-items": (
        _case_meeting,
        lambda s: case_meeting_items(
            s.session, s.users["noora"], case_facts(s.session, s.case), utcnow()
        ),
    ),
}


@pytest.mark.parametrize("name", READS)
def test_constant_with_1_and_30_rows(domain_session: Session, name: str) -> None:
    s = scene(domain_session)
    grow, read = READS[name]
    grow(s)
    with time_machine.travel(utcnow() + timedelta(days=2)):  # due today: overdue by then
        one, rows = _count(s, lambda: read(s))
    assert rows == (2 if name == "case-page-items" else 1)
    for _ in range(29):
        grow(s)
    with time_machine.travel(utcnow() + timedelta(days=2)):
        thirty, rows = _count(s, lambda: read(s))
    assert rows == (60 if name == "case-page-items" else 30)
    assert thirty.count == one.count, f"{one}\n---\n{thirty}"
