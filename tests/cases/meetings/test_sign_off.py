"""Issue 12, point 4: the chair submits; a supervisor of the organising agency who is not the
chair approves or returns; approved minutes refuse every change in the service and write
nothing (submitted ones too, until returned)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, AgendaItem, Meeting, MinuteEntry
from cases.policy import PolicyDenied
from tests.cases.meetings.scenario import Scene, ctx, scene, snapshot
from tests.clock import work_day


@pytest.fixture
def s(domain_session: Session) -> Scene:
    return scene(domain_session)


def _refused(s: Scene, step: Callable[[], object]) -> None:
    before = snapshot(s.session)
    with pytest.raises((PolicyDenied, InputError)):
        step()
    assert snapshot(s.session) == before


class TestApproval:
    def test_a_supervisor_chair_cannot_approve_their_own_minutes(self, s: Scene) -> None:
        meeting = s.meeting("siiri", invited=("siiri", "sanna", "noora"))
        s.agenda(meeting, by="sanna")
        s.held(meeting)
        s.submit(meeting)
        _refused(s, lambda: s.approve(meeting, by="siiri"))
        _refused(
            s,
            lambda: meetings.return_minutes(s.session, ctx(s.siiri), meeting, comment="Korjaa."),
        )
        assert meeting.status == "submitted"

    def test_another_supervisor_of_the_organiser_approves_the_same_minutes(self, s: Scene) -> None:
        meeting = s.meeting("siiri", invited=("siiri", "sanna", "noora"))
        s.held(meeting)
        s.submit(meeting)
        s.approve(meeting, by="saara")
        assert meeting.status == "approved" and meeting.reviewed_by_user_id == s.saara.id

    def test_a_caseworker_chair_cannot_approve(self, s: Scene) -> None:
        meeting, *_ = s.with_minutes()
        s.submit(meeting)
        _refused(s, lambda: s.approve(meeting, by="sanna"))

    @pytest.mark.parametrize("supervisor", ["nelli", "petri", "jaana", "oona"])
    def test_a_supervisor_of_another_agency_cannot_approve_or_return(
        self, s: Scene, supervisor: str
    ) -> None:
        meeting, *_ = s.with_minutes()
        s.submit(meeting)
        _refused(s, lambda: s.approve(meeting, by=supervisor))
        _refused(
            s,
            lambda: meetings.return_minutes(
                s.session, ctx(s.users[supervisor]), meeting, comment="Korjaa."
            ),
        )

    @pytest.mark.parametrize("other", ["sakari", "siiri", "noora"])
    def test_only_the_chair_submits(self, s: Scene, other: str) -> None:
        meeting, *_ = s.with_minutes()
        _refused(s, lambda: meetings.submit_minutes(s.session, ctx(s.users[other]), meeting))

    def test_returned_minutes_are_corrected_and_resubmitted(self, s: Scene) -> None:
        meeting, item, _entry, _action = s.with_minutes()
        s.submit(meeting)
        meetings.return_minutes(s.session, ctx(s.siiri), meeting, comment="Lisää päätös.")
        assert meeting.status == "returned" and meeting.review_comment == "Lisää päätös."
        s.entry(meeting, item, body="Toinen päätös.")
        s.submit(meeting)
        s.approve(meeting)
        assert meeting.status == "approved"

    def test_a_return_needs_a_comment(self, s: Scene) -> None:
        meeting, *_ = s.with_minutes()
        s.submit(meeting)
        _refused(s, lambda: meetings.return_minutes(s.session, ctx(s.siiri), meeting, comment=""))


def _changes(
    s: Scene, meeting: Meeting, item: AgendaItem, entry: MinuteEntry, action: ActionItem
) -> dict[str, Callable[[], object]]:
    """Every change of the minutes, each by whoever could make it while they were open."""
    other_case = s.build.case(s.sanna)
    invited = [
        u.id for u, _present in meetings.view_meeting(s.session, ctx(s.sanna), meeting).participants
    ]
    return {
        "write_entry": lambda: s.entry(meeting, item, body="Jälkikäteen."),
        "supersede_entry": lambda: meetings.write_entry(
            s.session,
            ctx(s.sanna),
            meeting,
            item,
            kind="decision",
            category="general",
            body="Korjattu päätös.",
            supersedes=entry,
        ),
        "add_action_item": lambda: s.action(meeting, item),
        "record_attendance": lambda: meetings.record_attendance(
            s.session,
            ctx(s.sanna),
            meeting,
            {u: False for u in invited},
        ),
        "submit": lambda: s.submit(meeting),
        "approve": lambda: s.approve(meeting, by="saara"),
        "return": lambda: meetings.return_minutes(
            s.session, ctx(s.saara), meeting, comment="Korjaa."
        ),
        "add_agenda_item": lambda: s.agenda(meeting, other_case),
        "cancel": lambda: meetings.cancel_meeting(
            s.session, ctx(s.siiri), meeting, reason="Peruttu."
        ),
        "mark_held": lambda: meetings.mark_held(s.session, ctx(s.siiri), meeting),
    }


CHANGES = [
    "write_entry",
    "supersede_entry",
    "add_action_item",
    "record_attendance",
    "submit",
    "approve",
    "return",
    "add_agenda_item",
    "cancel",
    "mark_held",
]


@pytest.mark.parametrize("change", CHANGES)
def test_approved_minutes_refuse_every_change(s: Scene, change: str) -> None:
    meeting, item, entry, action = s.approved()
    step = _changes(s, meeting, item, entry, action)[change]
    _refused(s, step)
    assert meeting.status == "approved"


@pytest.mark.parametrize("change", [c for c in CHANGES if c not in ("approve", "return")])
def test_submitted_minutes_refuse_every_change_but_the_sign_off(s: Scene, change: str) -> None:
    meeting, item, entry, action = s.with_minutes()
    s.submit(meeting)
    step = _changes(s, meeting, item, entry, action)[change]
    _refused(s, step)
    assert meeting.status == "submitted"


def test_approved_minutes_still_let_the_owner_mark_their_task_done(s: Scene) -> None:
    """Progress on a task is not a change of the minutes."""
    _meeting, _item, _entry, action = s.approved()
    meetings.mark_action_done(s.session, ctx(s.noora), action)
    assert action.status == "done"


def test_a_cancelled_meeting_takes_no_minutes(s: Scene) -> None:
    meeting = s.meeting()
    item = s.agenda(meeting)
    meetings.cancel_meeting(s.session, ctx(s.sanna), meeting, reason="Sairastapaus.")
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Sairastapaus."
    _refused(s, lambda: meetings.mark_held(s.session, ctx(s.sanna), meeting))
    _refused(s, lambda: s.entry(meeting, item))
    _refused(s, lambda: s.action(meeting, item, due_on=work_day() + timedelta(days=1)))


@pytest.mark.parametrize("reader", ["sanna", "siiri", "saara", "noora", "nelli"])
def test_approved_minutes_offer_no_change_but_addenda(s: Scene, reader: str) -> None:
    meeting, *_ = s.approved()
    view = meetings.view_meeting(s.session, ctx(s.users[reader]), meeting)
    assert view.may == frozenset()
    [item] = view.agenda
    assert not item.may_write and item.owners == []
    assert item.may_add_addendum
