"""Issue 12, acceptance: a participant whose agency has no basis on a case sees no personal
data of that case anywhere in the meeting (agenda, minutes, print view, action items, calendar
file); a consent's withdrawal hides the case's minutes from other agencies on the next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session

from cases.casework import services as casework
from cases.meetings import services as meetings
from cases.meetings.queries import case_meeting_items
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.cases.meetings.scenario import Scene, ctx, leave_team, scene
from tests.clock import work_day

SECRETS = ("Virtanen", "Eetu", "DEMO-TEST")


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _leaks(s: Scene, text: str) -> list[str]:
    found = [secret for secret in SECRETS if secret in text]
    for ident in (s.case.id, s.case.person_id):
        if str(ident) in text or ident.hex in text:
            found.append(str(ident))
    return found


class TestAParticipantOutsideTheCaseTeam:
    def test_sees_the_agenda_item_as_not_shared_and_nothing_else(self, s: Scene) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        view = meetings.view_meeting(s.session, ctx(s.jari), meeting)
        assert view.agenda == [meetings.AgendaView(item.position, False, item.id)]

    def test_the_print_view_holds_nothing_of_the_case(self, s: Scene) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        view = meetings.view_meeting(s.session, ctx(s.jari), meeting, printing=True)
        assert view.agenda == [meetings.AgendaView(item.position, False, item.id)]

    def test_the_view_names_no_case_member_and_no_data(self, s: Scene) -> None:
        meeting, _item, _entry, _action = s.with_minutes()
        view = meetings.view_meeting(s.session, ctx(s.jari), meeting)
        # Nuutti is on the case's team but not invited: only the team would show his name.
        assert s.nuutti.id not in view.users
        assert _leaks(s, repr(view.agenda)) == []

    def test_the_calendar_file_holds_title_time_and_place_only(self, s: Scene) -> None:
        meeting, _item, _entry, _action = s.with_minutes()
        for reader in (s.jari, s.sanna):
            ics = meetings.meeting_calendar(s.session, ctx(reader), meeting)
            text = ics.decode()
            assert _leaks(s, text) == [], reader.username
            assert meeting.title in text and "Neuvotteluhuone 2" in text

    def test_a_team_member_sees_the_case_in_the_same_meeting(self, s: Scene) -> None:
        meeting, _item, entry, action = s.with_minutes()
        [view] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        assert view.shared and view.case_id == s.case.id
        assert view.person is not None and view.person.surname == "Virtanen"
        assert [e.entry.id for e in view.entries] == [entry.id]
        assert [a.action.id for a in view.actions] == [action.id]


class TestAnOwnerWhoseAgencyLeftTheTeam:
    def test_their_task_list_shows_no_person_and_no_text(self, s: Scene) -> None:
        s.with_minutes()
        leave_team(s, "nuo")
        [row] = meetings.my_action_items(s.session, ctx(s.noora))
        assert row.person is None and row.description is None

    def test_their_supervisors_queue_shows_no_person_and_no_text(self, s: Scene) -> None:
        meeting = s.meeting()
        item = s.agenda(meeting)
        s.held(meeting)
        s.action(meeting, item, due_on=work_day())
        leave_team(s, "nuo")
        with time_machine.travel(utcnow() + timedelta(days=3)):
            [row] = meetings.review_queue(s.session, ctx(s.nelli)).overdue
        assert row.person is None and row.description is None

    def test_the_meeting_shows_them_the_case_as_not_shared(self, s: Scene) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        leave_team(s, "nuo")
        view = meetings.view_meeting(s.session, ctx(s.noora), meeting)
        assert view.agenda == [meetings.AgendaView(item.position, False, item.id)]


class TestConsentWithdrawal:
    def _withdraw(self, s: Scene) -> None:
        casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Peruttu.")

    def test_hides_the_minutes_from_other_agencies_on_the_next_view(self, s: Scene) -> None:
        meeting, _item, _entry, _action = s.with_minutes()
        [before] = meetings.view_meeting(s.session, ctx(s.noora), meeting).agenda
        assert before.entries and before.actions
        self._withdraw(s)
        for reader in (s.noora, s.pekka, s.nelli, s.petri):
            [after] = meetings.view_meeting(s.session, ctx(reader), meeting).agenda
            assert (after.entries, after.actions) == ([], []), reader.username
            assert _leaks(s, " ".join(e.body for e in after.entries)) == []

    def test_an_agency_whose_basis_ended_sees_the_case_as_not_shared(self, s: Scene) -> None:
        """Issue 12, point 2: "a case whose team or basis does not cover an invited agency"."""
        meeting, item, _entry, _action = s.with_minutes()
        self._withdraw(s)
        for reader in (s.noora, s.pekka, s.nelli):
            view = meetings.view_meeting(s.session, ctx(reader), meeting)
            assert view.agenda == [meetings.AgendaView(item.position, False, item.id)]

    def test_the_writers_agency_still_reads_them(self, s: Scene) -> None:
        meeting, _item, entry, _action = s.with_minutes()
        self._withdraw(s)
        [view] = meetings.view_meeting(s.session, ctx(s.siiri), meeting).agenda
        assert [e.entry.id for e in view.entries] == [entry.id]

    def test_hides_them_from_the_case_page(self, s: Scene) -> None:
        s.with_minutes()
        facts = case_facts(s.session, s.case)
        before = case_meeting_items(s.session, s.noora, facts, utcnow())
        assert len(before.decisions) == 1 and len(before.tasks) == 1
        self._withdraw(s)
        facts = case_facts(s.session, s.case)
        for reader in (s.noora, s.pekka, s.nelli, s.petri):
            after = case_meeting_items(s.session, reader, facts, utcnow())
            assert (after.decisions, after.tasks) == ([], []), reader.username
            assert after.hidden == 2

    def test_hides_the_action_item_text_from_its_owner(self, s: Scene) -> None:
        s.with_minutes()
        self._withdraw(s)
        [row] = meetings.my_action_items(s.session, ctx(s.noora))
        assert row.description is None and row.person is None
