"""Issue 12, points 1–2: a meeting's invitations, the lists that show it, and the organiser's
warning while building the agenda."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.accounts import admin
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import InvitedAgency, InvitedUser, Meeting
from cases.policy import PolicyDenied
from core.db import utcnow
from tests.cases.meetings.scenario import PEOPLE, Scene, ctx, scene, snapshot
from tests.factories import OPERATOR


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _invited(s: Scene, meeting: Meeting) -> tuple[set[str], set[str]]:
    users = s.session.scalars(
        select(InvitedUser.user_id).where(InvitedUser.meeting_id == meeting.id)
    )
    agencies = s.session.scalars(
        select(InvitedAgency.agency_id).where(InvitedAgency.meeting_id == meeting.id)
    )
    by_id = {u.id: name for name, u in s.users.items()}
    codes = {a.id: code for code, a in s.agencies.items()}
    return {by_id[u] for u in users}, {codes[a] for a in agencies}


class TestInvitations:
    def test_the_organiser_the_chair_and_the_creator_are_always_invited(self, s: Scene) -> None:
        meeting = s.meeting("sakari", chair="sanna", agencies=("nuo",), invited=("noora",))
        users, agencies = _invited(s, meeting)
        assert users == {"sakari", "sanna", "noora"} and agencies == {"sos", "nuo"}
        assert meeting.organising_agency_id == s.agencies["sos"].id

    def test_an_inactive_agency_is_not_invited(self, s: Scene) -> None:
        admin.set_agency_active(s.session, OPERATOR, s.agencies["oth"], False)
        before = snapshot(s.session)
        with pytest.raises(InputError):
            s.meeting(agencies=("sos", "oth"), invited=("sanna",))
        assert snapshot(s.session) == before


def _sees(s: Scene, name: str, meeting: Meeting) -> bool:
    try:
        meetings.view_meeting(s.session, ctx(s.users[name]), meeting)
    except PolicyDenied:
        return False
    return True


def _listed(s: Scene, name: str) -> set[object]:
    try:
        pages = [
            meetings.my_meetings(s.session, ctx(s.users[name]), upcoming=upcoming)
            for upcoming in (True, False)
        ]
    except PolicyDenied:
        return set()
    return {m.id for page in pages for m in page.meetings}


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_my_meetings_lists_exactly_the_meetings_the_user_sees(s: Scene, name: str) -> None:
    past = s.meeting()
    upcoming = s.meeting(
        "nelli",
        agencies=("nuo", "pol"),
        invited=("nelli", "pekka"),
        starts_at=utcnow() + timedelta(days=3),
    )
    cancelled = s.meeting(starts_at=utcnow() + timedelta(days=1))
    meetings.cancel_meeting(s.session, ctx(s.sanna), cancelled, reason="Peruttu.")
    seen = {m.id for m in (past, upcoming, cancelled) if _sees(s, name, m)}
    assert _listed(s, name) == seen


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("sanna", True),  # the chair
        ("sakari", True),  # invited
        ("siiri", True),  # a supervisor of the organising agency
        ("nelli", True),  # a supervisor of an invited agency
        ("jaana", True),  # a supervisor of an invited agency off the case's team
        ("nuutti", False),  # on the case's team, of an invited agency, not invited
        ("olli", False),
        ("oona", False),  # a supervisor of an agency not invited
        ("timo", False),
        ("aino", False),
        ("ylva", False),
    ],
)
def test_who_sees_a_meeting(s: Scene, name: str, sees: bool) -> None:
    meeting = s.meeting()
    s.agenda(meeting)
    assert _sees(s, name, meeting) is sees


@pytest.mark.parametrize("name", ["nuutti", "olli", "oona", "timo"])
def test_the_calendar_file_is_refused_to_who_does_not_see_the_meeting(s: Scene, name: str) -> None:
    meeting = s.meeting()
    with pytest.raises(PolicyDenied):
        meetings.meeting_calendar(s.session, ctx(s.users[name]), meeting)


class TestAgendaWarning:
    def test_the_organiser_is_told_which_invited_agencies_will_not_see_the_case(
        self, s: Scene
    ) -> None:
        meeting = s.meeting()
        added = meetings.add_agenda_item(s.session, ctx(s.sanna), meeting, s.case)
        assert added.unshared == {s.agencies["ngo"].id}

    def test_the_meeting_view_repeats_the_warning_to_a_team_member(self, s: Scene) -> None:
        meeting = s.meeting()
        s.agenda(meeting)
        [item] = meetings.view_meeting(s.session, ctx(s.sanna), meeting).agenda
        assert item.unshared_agencies == {s.agencies["ngo"].id}

    def test_items_keep_their_order(self, s: Scene) -> None:
        meeting = s.meeting()
        cases = [s.case, s.build.case(s.sanna), s.build.case(s.sanna)]
        for case in cases:
            s.agenda(meeting, case)
        view = meetings.view_meeting(s.session, ctx(s.sanna), meeting)
        assert [a.case_id for a in view.agenda] == [c.id for c in cases]
        assert [a.position for a in view.agenda] == [1, 2, 3]
