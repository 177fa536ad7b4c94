"""What the attack on issue 12 found, through the pages: a closed case takes no minutes and no
addenda; the policy answers before a form's rules; someone else's action item is not found; a
year-1 date or other scripts' digits are bad input, not a 500 or a stored number; the agenda
warning is the organising agency's; a meeting nobody could sign off says so."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from cases.casework.models import ClosureRequest
from tests.app.casework_helpers import case_id_of
from tests.app.meetings.helpers import (
    P1_CODE,
    agenda_item_of,
    client_of,
    denials,
    first_action,
    first_entry,
    meeting_ids,
    meeting_status,
    send,
    state,
)
from tests.app.meetings.test_meeting_planning import _form
from tests.app.meetings.test_meeting_steps import _post_new
from tests.helpers import post


def _close_p1(app: Flask) -> None:
    """P1's case closed by its lead agency through the case pages: sanna asks, helena approves."""
    case_id = case_id_of(app, P1_CODE)
    sanna, helena = client_of(app, "sanna"), client_of(app, "helena")
    assert (
        post(sanna, f"/cases/{case_id}/closure", {"outcome": "no_further_need"}).status_code == 302
    )
    with app.app_context():
        request_id = db().scalar(select(ClosureRequest.id).where(ClosureRequest.case_id == case_id))
    assert post(helena, f"/cases/closures/{request_id}", {"decision": "approve"}).status_code == 302


def _entry(client: FlaskClient, m1: uuid.UUID, item: uuid.UUID) -> int:
    data = {"kind": "decision", "category": "general", "body": "Uusi päätös CLOSED-CASE"}
    return send(client, f"/meetings/{m1}/items/{item}/entries", "entry", data).status_code


def test_a_closed_case_takes_no_minutes(demo_app: Flask) -> None:
    m1 = meeting_ids(demo_app)["M1"]
    item = agenda_item_of(demo_app, m1)
    assert (
        send(
            client_of(demo_app, "helena"), f"/meetings/{m1}/return", "return", {"comment": "Korjaa"}
        ).status_code
        == 302
    )
    _close_p1(demo_app)
    sanna = client_of(demo_app, "sanna")
    before, refused = state(demo_app), denials(demo_app)
    assert _entry(sanna, m1, item) == 403
    action = {
        "owner": "",
        "category": "general",
        "due_on": "2030-01-01",
        "description": "Tehtävä CLOSED-CASE",
    }
    assert send(sanna, f"/meetings/{m1}/items/{item}/actions", "action", action).status_code in (
        403,
        404,
    )
    assert state(demo_app) == before and denials(demo_app) == refused + 2
    assert "CLOSED-CASE" not in sanna.get(f"/cases/{case_id_of(demo_app, P1_CODE)}").text


def test_approved_minutes_of_a_closed_case_take_no_addendum(demo_app: Flask) -> None:
    m1 = meeting_ids(demo_app)["M1"]
    assert (
        send(client_of(demo_app, "helena"), f"/meetings/{m1}/approve", "approve").status_code == 302
    )
    _close_p1(demo_app)
    sanna = client_of(demo_app, "sanna")
    before = state(demo_app)
    entry = first_entry(demo_app, m1)
    data = {"category": "general", "text": "Lisäys CLOSED-CASE"}
    prefix = f"addendum-{entry}"
    response = send(sanna, f"/meetings/{m1}/entries/{entry}/addenda", prefix, data)
    assert response.status_code == 403
    assert state(demo_app) == before


def test_the_policy_answers_before_the_form(demo_app: Flask) -> None:
    """jari is invited to M1 but is neither its chair nor on P1's team: an empty form is a
    refusal, audited, exactly like a filled one, never a form error."""
    m1 = meeting_ids(demo_app)["M1"]
    item = agenda_item_of(demo_app, m1)
    jari = client_of(demo_app, "jari")
    refused = denials(demo_app)
    assert send(jari, f"/meetings/{m1}/return", "return", {"comment": ""}).status_code == 403
    empty = {"kind": "decision", "category": "general", "body": ""}
    status = send(jari, f"/meetings/{m1}/items/{item}/entries", "entry", empty).status_code
    assert status in (403, 404)
    assert denials(demo_app) == refused + 2


def test_someone_elses_action_item_is_not_found(demo_app: Flask) -> None:
    m1 = meeting_ids(demo_app)["M1"]
    action = first_action(demo_app, m1)  # noora's
    for username in ("pekka", "petri", "sanna"):
        refused = denials(demo_app)
        client = client_of(demo_app, username)
        response = send(client, f"/meetings/{m1}/actions/{action}/done", f"done-{action}")
        assert response.status_code == 404, username
        assert denials(demo_app) == refused + 1


def test_a_date_no_clock_can_hold_is_bad_input(demo_app: Flask) -> None:
    sanna = client_of(demo_app, "sanna")
    before = state(demo_app)
    for day, at in (("0001-01-01", "00:00"), ("0001-01-01", "00:30"), ("9999-12-31", "23:59")):
        response = _post_new(sanna, _form(demo_app, day=day, time=at))
        assert response.status_code == 400, (day, at)
    assert state(demo_app) == before


def test_the_duration_takes_ascii_digits_only(demo_app: Flask) -> None:
    sanna = client_of(demo_app, "sanna")
    before = state(demo_app)
    for digits in ("١٢٠", "１２０", "𝟗𝟎"):
        assert _post_new(sanna, _form(demo_app, duration_minutes=digits)).status_code == 400
    assert state(demo_app) == before


def test_a_meeting_nobody_could_sign_off_says_so(demo_app: Flask) -> None:
    """M2 is chaired by helena, sos's only supervisor (the demo as issue 12 gives it)."""
    m2 = meeting_ids(demo_app)["M2"]
    warning = "Nobody can approve these minutes"
    assert warning in client_of(demo_app, "helena").get(f"/meetings/{m2}").text
    assert warning not in client_of(demo_app, "jari").get(f"/meetings/{m2}").text
    assert (
        warning
        not in client_of(demo_app, "sanna").get(f"/meetings/{meeting_ids(demo_app)['M1']}").text
    )
    assert meeting_status(demo_app, m2) == "planned"
