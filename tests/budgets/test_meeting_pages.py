"""Query budget of the meeting pages (issue 12): the meeting page and its print view send the
same statements with 1 or 30 cases on the agenda, each with its minutes and an action item, for
a reader on every case's team and for one who sees every item as not shared."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from cases.meetings.models import Meeting
from tests.budgets.counting import Statements, counting
from tests.cases.meetings.scenario import Scene, scene
from tests.helpers import open_session

# Measured on SQLite (31 and 30), written down with a little room: the session and the
# principal, the meeting and its invitations, the agenda's cases with the facts the policy
# decides on, the minutes' three kinds of rows, the persons' details and data keys, the users
# and agencies the page names, the audit insert, then the audit sequencer after the commit.
MEETING_BUDGET = 33


def _agenda_case(s: Scene, meeting: Meeting) -> None:
    """One more case of sanna's, its team as the scene's, with a decision and an action item."""
    sanna = s.users["sanna"]
    case = s.build.case(sanna, s.build.person(sanna))
    s.build.consent(
        case,
        sanna,
        recipients=[s.agencies["nuo"], s.agencies["pol"]],
        categories=("general", "education"),
    )
    for name in ("noora", "pekka"):
        s.build.member(case, sanna, s.users[name])
    item = s.agenda(meeting, case)
    s.entry(meeting, item)
    s.action(meeting, item)


@pytest.fixture
def meetings(app: Flask) -> tuple[uuid.UUID, uuid.UUID]:
    """Two held meetings with minutes: one with the scene's case on its agenda, one with 30."""
    with app.app_context():
        s = scene(db())
        one, _item, _entry, _action = s.with_minutes()
        thirty, _item, _entry, _action = s.with_minutes()
        for _ in range(29):
            _agenda_case(s, thirty)
        db().commit()
        return one.id, thirty.id


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client


def _statements(app: Flask, client: FlaskClient, path: str) -> Statements:
    client.get(path)  # warm: the first request of a client loads what every request does
    with counting(app.extensions["silta"].engine) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return seen


@pytest.mark.parametrize("username", ["sanna", "jari"])
@pytest.mark.parametrize("suffix", ["", "/print"])
def test_constant_with_1_and_30_agenda_items(
    app: Flask, meetings: tuple[uuid.UUID, uuid.UUID], username: str, suffix: str
) -> None:
    client = _client(app, username)
    one = _statements(app, client, f"/meetings/{meetings[0]}{suffix}")
    thirty = _statements(app, client, f"/meetings/{meetings[1]}{suffix}")
    text = client.get(f"/meetings/{meetings[1]}{suffix}").text
    assert text.count('class="agenda-item"') == 30
    if username == "sanna":
        assert text.count("DEMO-TEST-ENTRY") == 30 and text.count("DEMO-TEST-ACTION") == 30
    else:
        assert text.count("a case not shared with your agency") == 30
    assert thirty.count == one.count, f"{one}\n---\n{thirty}"
    assert one.count <= MEETING_BUDGET, str(one)
