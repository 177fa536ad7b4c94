"""Issue 12, points 3–4: action items are owned by a user on the case's team who may read them;
they appear on the owner's task list, and once overdue in the review queue of the owner's
agency's supervisors; the owner marks them done, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session

from cases.accounts import admin
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, AgendaItem, Meeting
from cases.policy import PolicyDenied
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, leave_team, scene, snapshot
from tests.clock import work_day
from tests.factories import OPERATOR


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _open(s: Scene) -> tuple[Meeting, AgendaItem]:
    meeting = s.meeting()
    item = s.agenda(meeting)
    s.held(meeting)
    return meeting, item


def _later(days: int = 3) -> time_machine.travel:
    return time_machine.travel(utcnow() + timedelta(days=days))


class TestTaskList:
    def test_the_owner_sees_their_item_with_its_text(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item)
        [row] = meetings.my_action_items(s.session, ctx(s.noora))
        assert row.action.id == action.id and row.meeting.id == meeting.id
        assert row.description == "Soita koululle. DEMO-TEST-ACTION"
        assert row.person is not None and row.person.surname == "Virtanen"
        assert not row.overdue

    @pytest.mark.parametrize("other", ["sanna", "nuutti", "nelli", "pekka", "jari"])
    def test_nobody_else_has_it_on_their_list(self, s: Scene, other: str) -> None:
        meeting, item = _open(s)
        s.action(meeting, item)
        assert meetings.my_action_items(s.session, ctx(s.users[other])) == []


class TestReviewQueue:
    def test_an_overdue_item_is_in_the_queue_of_the_owners_agency(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item, due_on=work_day())
        assert meetings.review_queue(s.session, ctx(s.nelli)).overdue == []
        with _later():
            [row] = meetings.review_queue(s.session, ctx(s.nelli)).overdue
            [own] = meetings.my_action_items(s.session, ctx(s.noora))
        assert row.action.id == action.id and row.overdue and own.overdue

    @pytest.mark.parametrize("supervisor", ["siiri", "petri", "jaana", "oona"])
    def test_not_in_another_agencys_queue(self, s: Scene, supervisor: str) -> None:
        meeting, item = _open(s)
        s.action(meeting, item, due_on=work_day())
        with _later():
            queue = meetings.review_queue(s.session, ctx(s.users[supervisor]))
        assert queue.overdue == []

    def test_a_done_item_leaves_the_queue(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item, due_on=work_day())
        meetings.mark_action_done(s.session, ctx(s.noora), action)
        with _later():
            assert meetings.review_queue(s.session, ctx(s.nelli)).overdue == []

    def test_the_queue_holds_minutes_awaiting_approval_of_the_organiser(self, s: Scene) -> None:
        meeting, *_ = s.with_minutes()
        s.submit(meeting)
        assert meetings.review_queue(s.session, ctx(s.siiri)).awaiting_approval == [meeting]
        assert meetings.review_queue(s.session, ctx(s.nelli)).awaiting_approval == []

    @pytest.mark.parametrize("user", ["sanna", "noora", "timo", "aino", "ylva"])
    def test_only_supervisors_have_a_queue(self, s: Scene, user: str) -> None:
        with pytest.raises(PolicyDenied):
            meetings.review_queue(s.session, ctx(s.users[user]))


class TestDone:
    def test_the_owner_marks_it_done_once(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item)
        meetings.mark_action_done(s.session, ctx(s.noora), action)
        assert action.status == "done" and action.done_by_user_id == s.noora.id
        before = snapshot(s.session)
        with pytest.raises(InputError):
            meetings.mark_action_done(s.session, ctx(s.noora), action)
        assert snapshot(s.session) == before

    @pytest.mark.parametrize("other", ["sanna", "nuutti", "nelli", "siiri", "pekka", "jari"])
    def test_nobody_else_can(self, s: Scene, other: str) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item)
        before = snapshot(s.session)
        with pytest.raises(PolicyDenied):
            meetings.mark_action_done(s.session, ctx(s.users[other]), action)
        assert snapshot(s.session) == before and action.status == "open"


class TestOwner:
    @pytest.mark.parametrize(
        ("owner", "category"),
        [
            ("jari", "general"),  # invited, but his agency is not on the team
            ("olli", "general"),  # neither invited nor on the team
            ("timo", "general"),
            ("pekka", "family"),  # on the team; the consent does not cover family for pol
            ("noora", "health"),  # on the team; not covered for nuo
            ("pekka", "health"),  # the police compartment
        ],
    )
    def test_refused_when_not_on_the_team_or_unable_to_read_it(
        self, s: Scene, owner: str, category: str
    ) -> None:
        meeting, item = _open(s)
        before = snapshot(s.session)
        with pytest.raises(InputError):
            s.action(meeting, item, owner=owner, category=category)
        assert snapshot(s.session) == before

    def test_the_police_compartment_holds_even_with_a_consent(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session, categories=("general", "health", "social_welfare"))
        meeting, item = _open(s)
        for category in ("health", "social_welfare"):
            with pytest.raises(InputError):
                s.action(meeting, item, owner="pekka", category=category)
        assert s.action(meeting, item, owner="noora", category="health").owner_user_id

    def test_an_inactive_owner_is_refused(self, s: Scene) -> None:
        meeting, item = _open(s)
        admin.set_user_active(s.session, OPERATOR, s.noora, False)
        before = snapshot(s.session)
        with pytest.raises(InputError):
            s.action(meeting, item)
        assert snapshot(s.session) == before

    def test_a_team_member_not_invited_may_own_one(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item, owner="nuutti")
        assert [r.action.id for r in meetings.my_action_items(s.session, ctx(s.nuutti))] == [
            action.id
        ]

    def test_an_owner_who_left_the_team_cannot_mark_it_done(self, s: Scene) -> None:
        meeting, item = _open(s)
        action = s.action(meeting, item)
        leave_team(s, "nuo")
        with pytest.raises(PolicyDenied):
            meetings.mark_action_done(s.session, ctx(s.noora), action)
        row = s.session.get(ActionItem, action.id)
        assert row is not None and row.status == "open"
