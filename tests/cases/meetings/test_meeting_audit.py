"""Issue 12: every write and every read of personal data in a meeting is an audit event, about
the young person whose data it is (about the meeting alone when no personal data is shown)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, MinuteEntry
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, scene
from tests.clock import work_day


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _new(s: Scene, action: Action, step: Callable[[], object]) -> list[AuditEvent]:
    """The events of `action` the step recorded."""
    query = select(AuditEvent).where(AuditEvent.action == action)
    s.session.flush()
    before = {e.id for e in s.session.scalars(query)}
    step()
    s.session.flush()
    return [e for e in s.session.scalars(query) if e.id not in before]


class TestWrites:
    def test_creating_a_meeting(self, s: Scene) -> None:
        [event] = _new(s, Action.MEETING_CREATED, lambda: s.meeting())
        assert event.actor_user_id == s.sanna.id and event.subject_id is None

    def test_putting_a_case_on_the_agenda_is_about_its_young_person(self, s: Scene) -> None:
        meeting = s.meeting()
        [event] = _new(s, Action.AGENDA_ITEM_ADDED, lambda: s.agenda(meeting))
        assert event.subject_id == s.case.person_id

    def test_holding_and_attendance(self, s: Scene) -> None:
        meeting = s.meeting()
        [held] = _new(
            s, Action.MEETING_HELD, lambda: meetings.mark_held(s.session, ctx(s.sanna), meeting)
        )
        present = {u.id: True for u in (s.sanna, s.sakari, s.noora, s.pekka, s.jari)}
        [attended] = _new(
            s,
            Action.ATTENDANCE_RECORDED,
            lambda: meetings.record_attendance(s.session, ctx(s.sanna), meeting, present),
        )
        assert held.object_id == attended.object_id == str(meeting.id)

    def test_an_entry_and_an_action_item_are_about_the_young_person(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        found: list[MinuteEntry | ActionItem] = []
        [entry] = _new(s, Action.MINUTE_ENTRY_WRITTEN, lambda: found.append(s.entry(meeting, item)))
        [action] = _new(s, Action.ACTION_ITEM_ADDED, lambda: found.append(s.action(meeting, item)))
        assert entry.subject_id == action.subject_id == s.case.person_id
        assert [entry.object_id, action.object_id] == [str(x.id) for x in found]

    def test_submission_return_and_approval(self, s: Scene) -> None:
        meeting, *_ = s.with_minutes()
        assert len(_new(s, Action.MINUTES_SUBMITTED, lambda: s.submit(meeting))) == 1
        returned = _new(
            s,
            Action.MINUTES_RETURNED,
            lambda: meetings.return_minutes(s.session, ctx(s.siiri), meeting, comment="Korjaa."),
        )
        s.submit(meeting)
        approved = _new(s, Action.MINUTES_APPROVED, lambda: s.approve(meeting))
        assert len(returned) == len(approved) == 1
        assert approved[0].actor_user_id == s.siiri.id

    def test_an_addendum_and_marking_done(self, s: Scene) -> None:
        meeting, _item, entry, action = s.approved()
        [addendum] = _new(
            s,
            Action.ADDENDUM_WRITTEN,
            lambda: meetings.add_addendum(
                s.session, ctx(s.sanna), meeting, entry, category="general", text="Korjaus."
            ),
        )
        [done] = _new(
            s,
            Action.ACTION_ITEM_DONE,
            lambda: meetings.mark_action_done(s.session, ctx(s.noora), action),
        )
        assert addendum.subject_id == done.subject_id == s.case.person_id

    def test_cancelling(self, s: Scene) -> None:
        meeting = s.meeting()
        [event] = _new(
            s,
            Action.MEETING_CANCELLED,
            lambda: meetings.cancel_meeting(s.session, ctx(s.sanna), meeting, reason="Peruttu."),
        )
        assert event.object_id == str(meeting.id)


class TestReads:
    def test_a_view_is_one_event_per_case_shown(self, s: Scene) -> None:
        meeting = s.meeting()
        s.agenda(meeting)
        other = s.build.case(s.sanna)
        s.agenda(meeting, other)
        read = _new(
            s, Action.MEETING_READ, lambda: meetings.view_meeting(s.session, ctx(s.sanna), meeting)
        )
        assert sorted(str(e.subject_id) for e in read) == sorted(
            str(c.person_id) for c in (s.case, other)
        )

    def test_a_view_without_personal_data_is_about_the_meeting_alone(self, s: Scene) -> None:
        meeting = s.meeting()
        s.agenda(meeting)
        [event] = _new(
            s, Action.MEETING_READ, lambda: meetings.view_meeting(s.session, ctx(s.jari), meeting)
        )
        assert event.subject_id is None and event.object_id == str(meeting.id)

    def test_printing_is_its_own_event(self, s: Scene) -> None:
        meeting = s.meeting()
        s.agenda(meeting)
        [event] = _new(
            s,
            Action.MEETING_PRINTED,
            lambda: meetings.view_meeting(s.session, ctx(s.noora), meeting, printing=True),
        )
        assert event.subject_id == s.case.person_id

    def test_the_calendar_file(self, s: Scene) -> None:
        meeting = s.meeting()
        events = _new(
            s,
            Action.MEETING_CALENDAR,
            lambda: meetings.meeting_calendar(s.session, ctx(s.jari), meeting),
        )
        assert len(events) == 1

    def test_the_task_list_is_one_event_per_item_read(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        s.action(meeting, item)
        s.action(meeting, item, category="education")
        listed = _new(
            s,
            Action.ACTION_ITEMS_LISTED,
            lambda: meetings.my_action_items(s.session, ctx(s.noora)),
        )
        assert [e.subject_id for e in listed] == [s.case.person_id] * 2

    def test_the_review_queue_is_one_event_per_overdue_item_read(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        s.action(meeting, item, due_on=work_day())
        with time_machine.travel(utcnow() + timedelta(days=3)):
            listed = _new(
                s,
                Action.ACTION_ITEMS_LISTED,
                lambda: meetings.review_queue(s.session, ctx(s.nelli)),
            )
        assert [e.subject_id for e in listed] == [s.case.person_id]
        assert listed[0].details.get("listing") == "review_queue"
