"""Issue 12, point 6: the demo's meetings M1 and M2 to the letter, and who reads each of M1's
markers — through the meeting and through P1's case page — among every demo user."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DEMO_USERS
from cases.accounts.models import Agency, User
from cases.meetings import services as meetings
from cases.meetings.models import (
    ActionItem,
    AgendaItem,
    InvitedAgency,
    InvitedUser,
    Meeting,
    MinuteEntry,
)
from cases.meetings.queries import case_meeting_items
from cases.persons import services as persons
from cases.policy import Permission, PolicyDenied, decide
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.cases.casework_scenario import P1, P2, case_of, ctx
from tests.clock import work_day

HELSINKI = ZoneInfo("Europe/Helsinki")
MARKER_RE = re.compile(r"DEMO-[AM]\d-P\d-[A-Z]+")
MARKERS = {"DEMO-M1-P1-GENERAL", "DEMO-M1-P1-EDUCATION", "DEMO-A1-P1-GENERAL"}
# Written from the issue: every demo practitioner of sos, nuo and pol, and nobody else.
READERS = {"sanna", "helena", "noora", "nelli", "pekka", "petri"}
NO_MEETING = {"aino", "timo", "admin"}


def _meetings(session: Session) -> dict[str, Meeting]:
    found: dict[str, Meeting] = {}
    for meeting in session.scalars(select(Meeting)):
        [name] = re.findall(r"\bM\d\b", meeting.title)
        assert name not in found, "each demo meeting once"
        found[name] = meeting
    assert set(found) == {"M1", "M2"}
    return found


def _names(session: Session, meeting: Meeting) -> set[str]:
    ids = select(InvitedUser.user_id).where(InvitedUser.meeting_id == meeting.id)
    return {u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _codes(session: Session, meeting: Meeting) -> set[str]:
    ids = select(InvitedAgency.agency_id).where(InvitedAgency.meeting_id == meeting.id)
    return set(session.scalars(select(Agency.code).where(Agency.id.in_(ids))))


def _username(users: dict[uuid.UUID, str], user_id: uuid.UUID | None) -> str | None:
    return None if user_id is None else users.get(user_id)


def _local_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(HELSINKI).date()


def _agenda_cases(session: Session, meeting: Meeting) -> list[object]:
    return list(
        session.scalars(
            select(AgendaItem.case_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )


def test_m1_follows_the_issue(demo_session: Session) -> None:
    m1 = _meetings(demo_session)["M1"]
    today = work_day()
    assert _local_day(m1) == today - timedelta(days=3)
    assert m1.held_at is not None and m1.submitted_at is not None
    assert m1.status == "submitted"
    users = {u.id: u.username for u in demo_session.scalars(select(User))}
    assert users[m1.chair_user_id] == "sanna"
    organiser = demo_session.get(Agency, m1.organising_agency_id)
    assert organiser is not None and organiser.code == "sos"
    assert _codes(demo_session, m1) == {"sos", "nuo", "pol", "ngo"}
    assert _names(demo_session, m1) == {"sanna", "helena", "noora", "pekka", "jari"}
    assert _agenda_cases(demo_session, m1) == [case_of(demo_session, P1).id]


def test_m1s_minutes_hold_the_three_markers_by_sanna(demo_session: Session) -> None:
    m1 = _meetings(demo_session)["M1"]
    users = {u.id: u.username for u in demo_session.scalars(select(User))}
    entries = demo_session.scalars(select(MinuteEntry).where(MinuteEntry.meeting_id == m1.id))
    found = {
        marker: (e.kind, e.category, _username(users, e.author_user_id))
        for e in entries
        for marker in MARKER_RE.findall(e.body or "")
    }
    assert found == {
        "DEMO-M1-P1-GENERAL": ("decision", "general", "sanna"),
        "DEMO-M1-P1-EDUCATION": ("discussion", "education", "sanna"),
    }
    [action] = demo_session.scalars(select(ActionItem).where(ActionItem.meeting_id == m1.id))
    assert MARKER_RE.findall(action.description or "") == ["DEMO-A1-P1-GENERAL"]
    assert (action.category, action.status) == ("general", "open")
    assert users[action.owner_user_id] == "noora"
    assert _username(users, action.author_user_id) == "sanna"
    assert action.due_on == work_day() + timedelta(days=7)


def test_m1_awaits_helenas_approval(demo_session: Session) -> None:
    m1 = _meetings(demo_session)["M1"]
    queue = meetings.review_queue(demo_session, ctx(demo_session, "helena"))
    assert m1 in queue.awaiting_approval
    view = meetings.view_meeting(demo_session, ctx(demo_session, "helena"), m1)
    assert str(Permission.MEETING_MINUTES_APPROVE) in view.may
    sanna = ctx(demo_session, "sanna").actor
    assert not decide(sanna, Permission.MEETING_MINUTES_APPROVE, view.facts, utcnow())


def test_m2_follows_the_issue(demo_session: Session) -> None:
    m2 = _meetings(demo_session)["M2"]
    next_week = (work_day() + timedelta(days=7)).isocalendar()[:2]
    assert m2.starts_at > utcnow()
    assert _local_day(m2).isocalendar()[:2] == next_week
    assert m2.status == "planned"
    users = {u.id: u.username for u in demo_session.scalars(select(User))}
    assert users[m2.chair_user_id] == "helena"
    organiser = demo_session.get(Agency, m2.organising_agency_id)
    assert organiser is not None and organiser.code == "sos"
    assert _codes(demo_session, m2) == {"sos", "ngo"}
    assert _agenda_cases(demo_session, m2) == [case_of(demo_session, P2).id]
    for model in (MinuteEntry, ActionItem):
        rows = demo_session.scalars(select(model).where(model.meeting_id == m2.id)).all()
        assert rows == [], model


def _read_in_meeting(session: Session, username: str, meeting: Meeting) -> set[str]:
    view = meetings.view_meeting(session, ctx(session, username), meeting)
    texts: list[str] = []
    for agenda in view.agenda:
        texts += [e.body for e in agenda.entries] + [a.description for a in agenda.actions]
    return set(MARKER_RE.findall(" ".join(texts)))


@pytest.mark.parametrize("username", [u for u, _n, _r, _a in DEMO_USERS])
def test_m1s_markers_are_read_in_the_meeting_by_exactly_the_issues_readers(
    demo_session: Session, username: str
) -> None:
    m1 = _meetings(demo_session)["M1"]
    if username in NO_MEETING:
        with pytest.raises(PolicyDenied):
            meetings.view_meeting(demo_session, ctx(demo_session, username), m1)
        return
    read = _read_in_meeting(demo_session, username, m1)
    assert read == (MARKERS if username in READERS else set())


@pytest.mark.parametrize("username", [u for u, _n, _r, _a in DEMO_USERS])
def test_p1s_case_page_reads_the_decision_and_the_action_item_as_the_issue_says(
    demo_session: Session, username: str
) -> None:
    case = case_of(demo_session, P1)
    facts = case_facts(demo_session, case)
    actor = ctx(demo_session, username).actor
    items = case_meeting_items(demo_session, actor, facts, utcnow())
    read = {m for d in items.decisions for m in MARKER_RE.findall(d.body)}
    read |= {m for t in items.tasks for m in MARKER_RE.findall(t.description)}
    expected = {"DEMO-M1-P1-GENERAL", "DEMO-A1-P1-GENERAL"} if username in READERS else set()
    assert read == expected


def test_jari_sees_m1_with_p1_not_shared_and_never_its_name(demo_session: Session) -> None:
    m1 = _meetings(demo_session)["M1"]
    view = meetings.view_meeting(demo_session, ctx(demo_session, "jari"), m1)
    [item] = view.agenda
    assert item == meetings.AgendaView(item.position, False, item.item_id)
    person = persons.find_by_identity_code(demo_session, P1)
    assert person is not None
    details = persons.current_details(demo_session, person)
    assert details is not None
    shown = repr(view.agenda) + repr([u.display_name for u in view.users.values()])
    for secret in (details.surname, details.given_names, P1, str(person.id)):
        assert secret not in shown


def test_jari_reads_p2_on_m2(demo_session: Session) -> None:
    m2 = _meetings(demo_session)["M2"]
    [item] = meetings.view_meeting(demo_session, ctx(demo_session, "jari"), m2).agenda
    assert item.shared and item.case_id == case_of(demo_session, P2).id


@pytest.mark.parametrize("username", sorted(NO_MEETING))
def test_auditor_analyst_and_admin_see_no_meeting(demo_session: Session, username: str) -> None:
    for meeting in _meetings(demo_session).values():
        with pytest.raises(PolicyDenied):
            meetings.view_meeting(demo_session, ctx(demo_session, username), meeting)
    try:
        page = meetings.my_meetings(demo_session, ctx(demo_session, username))
    except PolicyDenied:
        return
    assert page.meetings == []
