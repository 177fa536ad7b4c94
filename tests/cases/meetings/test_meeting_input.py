"""Issue 12: bad input is refused with an input error and changes nothing (no meeting row, no
invitation, no entry, no audit event)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from cases.accounts import admin
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.policy import PolicyDenied
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, scene, snapshot
from tests.factories import OPERATOR


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _refused(s: Scene, step: Callable[[], object], *errors: type[Exception]) -> None:
    before = snapshot(s.session)
    with pytest.raises(errors or (InputError,)):
        step()
    assert snapshot(s.session) == before


BAD_MEETINGS: dict[str, dict[str, Any]] = {
    "empty-title": {"title": ""},
    "blank-title": {"title": "   "},
    "title-with-line-break": {"title": "Kokous\nEetu Virtanen"},
    "title-with-carriage-return": {"title": "Kokous\rtoinen rivi"},
    "title-with-control-character": {"title": "Kokous\x07"},
    "title-too-long": {"title": "K" * 201},
    "video-link-http": {"place": "", "video_link": "http://meet.example.fi/a"},
    "video-link-javascript": {"place": "", "video_link": "javascript:alert(1)"},
    "video-link-no-host": {"place": "", "video_link": "https:///path"},
    "neither-place-nor-link": {"place": "", "video_link": ""},
    "three-years-ahead": {"starts_at": utcnow() + timedelta(days=3 * 365)},
    "a-year-back": {"starts_at": utcnow() - timedelta(days=365)},
    "naive-time": {"starts_at": utcnow().replace(tzinfo=None)},
    "duration-zero": {"duration_minutes": 0},
    "duration-negative": {"duration_minutes": -30},
    "duration-a-day": {"duration_minutes": 24 * 60},
}


@pytest.mark.parametrize("given", BAD_MEETINGS.values(), ids=BAD_MEETINGS.keys())
def test_a_bad_meeting_is_refused(s: Scene, given: dict[str, Any]) -> None:
    _refused(s, lambda: s.meeting(**given))


class TestInvitations:
    def test_a_chair_of_another_agency(self, s: Scene) -> None:
        _refused(s, lambda: s.meeting("sanna", chair="noora"))

    def test_an_invited_user_of_an_agency_not_invited(self, s: Scene) -> None:
        _refused(s, lambda: s.meeting(agencies=("sos", "nuo"), invited=("sanna", "pekka")))

    def test_an_inactive_invited_user(self, s: Scene) -> None:
        admin.set_user_active(s.session, OPERATOR, s.noora, False)
        _refused(s, lambda: s.meeting())

    def test_an_inactive_chair(self, s: Scene) -> None:
        admin.set_user_active(s.session, OPERATOR, s.sakari, False)
        _refused(s, lambda: s.meeting("sanna", chair="sakari"))

    @pytest.mark.parametrize("user", ["timo", "aino", "ylva"])
    def test_a_user_who_is_not_a_practitioner(self, s: Scene, user: str) -> None:
        _refused(
            s,
            lambda: s.meeting(
                agencies=("sos", "nuo", "pol", "ngo", "tur"), invited=("sanna", user)
            ),
        )

    def test_an_unknown_user(self, s: Scene) -> None:
        ids = [s.sanna.id, s.case.id]  # an id that is no user's
        _refused(s, lambda: s.meeting(invited_user_ids=ids))

    def test_an_unknown_agency(self, s: Scene) -> None:
        _refused(s, lambda: s.meeting(invited_agency_ids=[s.agencies["sos"].id, s.case.id]))

    @pytest.mark.parametrize("creator", ["timo", "aino", "ylva"])
    def test_created_only_by_a_practitioner(self, s: Scene, creator: str) -> None:
        _refused(s, lambda: s.meeting(creator, chair="sanna"), PolicyDenied, InputError)


class TestMinutesInput:
    @pytest.mark.parametrize(
        "given",
        [
            {"category": "gossip"},
            {"category": ""},
            {"kind": "rumour"},
            {"body": ""},
            {"body": "x\x00y"},
        ],
        ids=["unknown-category", "empty-category", "unknown-kind", "empty-body", "nul"],
    )
    def test_a_bad_entry(self, s: Scene, given: dict[str, str]) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        _refused(s, lambda: s.entry(meeting, item, **given))

    def test_an_agenda_item_of_another_meeting(self, s: Scene) -> None:
        meeting, _item, _entry, _action = s.with_minutes()
        _other, foreign, _e, _a = s.with_minutes()
        _refused(s, lambda: s.entry(meeting, foreign))
        _refused(s, lambda: s.action(meeting, foreign))

    def test_superseding_an_entry_of_another_agency(self, s: Scene) -> None:
        meeting, item, entry, _action = s.with_minutes()
        _refused(
            s,
            lambda: meetings.write_entry(
                s.session,
                ctx(s.noora),
                meeting,
                item,
                kind="decision",
                category="general",
                body="Korjaan sosiaalitoimen päätöksen.",
                supersedes=entry,
            ),
        )

    @pytest.mark.parametrize(
        ("given", "days"),
        [({"category": "gossip"}, 7), ({"description": ""}, 7), ({}, -1), ({}, 3 * 366)],
        ids=["unknown-category", "empty", "due-before-the-meeting", "due-years-later"],
    )
    def test_a_bad_action_item(self, s: Scene, given: dict[str, str], days: int) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        day = meetings.view_meeting(s.session, ctx(s.sanna), meeting).meeting.starts_at
        due = (day + timedelta(days=days)).date()
        _refused(s, lambda: s.action(meeting, item, due_on=due, **given))

    def test_attendance_must_name_every_invited_user(self, s: Scene) -> None:
        meeting = s.meeting()
        meetings.mark_held(s.session, ctx(s.sanna), meeting)
        _refused(
            s,
            lambda: meetings.record_attendance(
                s.session, ctx(s.sanna), meeting, {s.sanna.id: True}
            ),
        )
        strangers = {s.sanna.id: True, s.olli.id: True}
        _refused(s, lambda: meetings.record_attendance(s.session, ctx(s.sanna), meeting, strangers))

    def test_no_submission_before_attendance(self, s: Scene) -> None:
        meeting = s.meeting()
        meetings.mark_held(s.session, ctx(s.sanna), meeting)
        _refused(s, lambda: s.submit(meeting))


class TestAgendaInput:
    def test_the_same_case_twice(self, s: Scene) -> None:
        meeting = s.meeting()
        s.agenda(meeting)
        _refused(s, lambda: s.agenda(meeting))

    def test_a_case_by_someone_off_its_team(self, s: Scene) -> None:
        meeting = s.meeting()
        _refused(s, lambda: s.agenda(meeting, by="jari"), PolicyDenied)

    def test_not_held_before_it_begins(self, s: Scene) -> None:
        meeting = s.meeting(starts_at=utcnow() + timedelta(days=2))
        _refused(s, lambda: meetings.mark_held(s.session, ctx(s.sanna), meeting))

    @pytest.mark.parametrize("reason", ["", "kaksi\nriviä"], ids=["empty", "two-lines"])
    def test_a_cancellation_needs_a_one_line_reason(self, s: Scene, reason: str) -> None:
        meeting = s.meeting()
        _refused(
            s, lambda: meetings.cancel_meeting(s.session, ctx(s.sanna), meeting, reason=reason)
        )
