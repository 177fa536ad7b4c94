"""The access-log part's page and JSON file (issue 14, point 4): for the auditor only, audited,
without content, and clear about bad input."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from audit.events import Action
from audit.models import AuditEvent
from tests.helpers import make_user, open_session, post

PAGE = "/rights/access-log"
FILE = "/rights/access-log.json"
P5_CODE = "110203A312J"
# What the demo wrote about P5 and who she is: none of it may reach the part.
P5_CONTENT = ("DEMO-P5-SOS-GENERAL", "Aada", "Arkisto", P5_CODE, "sosiaalitoimistossa")


def _events(app: Flask, action: Action) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action)
        return list(db().scalars(query.order_by(AuditEvent.occurred_at)))


def _auditor(app: Flask, accounts: dict[str, dict[str, str]]) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, "aino", password=accounts["aino"]["password"])
    return client


def _p5(client: FlaskClient) -> str:
    """P5's pseudonymous id, found as an auditor finds it: the identity-code look-up."""
    found = post(client, "/audit/report/lookup", {"identity_code": P5_CODE})
    assert found.status_code == 302 and "subject=" in found.location
    return found.location.split("subject=")[1]


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "analyst", "admin"])
def test_other_roles_are_refused_and_the_refusal_is_audited(app: Flask, role: str) -> None:
    make_user(app, "someone", role, "sos")
    client = app.test_client()
    open_session(app, client, "someone")
    person = uuid.uuid4()
    for url in (PAGE, f"{PAGE}?person={person}", f"{FILE}?person={person}"):
        response = client.get(url)
        assert response.status_code == 403, url
    denials = _events(app, Action.ACCESS_DENIED)
    assert len(denials) == 3
    assert {d.details["permission"] for d in denials} == {"rights:access-log:produce"}
    assert {d.details["reason"] for d in denials} == {"role_not_allowed"}
    assert _events(app, Action.SUBJECT_ACCESS_LOG_PRODUCED) == []


def test_the_auditor_produces_the_page_and_the_file_without_content(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = _auditor(demo_app, demo_accounts)
    person = _p5(client)
    report = client.get(f"/audit/report?subject={person}")
    assert f"{PAGE}?person={person}" in report.text  # the link from the auditor's report
    empty = client.get(PAGE)
    assert empty.status_code == 200 and "Produce the part" in empty.text
    assert _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED) == []

    page = client.get(f"{PAGE}?person={person}")
    assert page.status_code == 200
    assert person in page.text and "case:note:write" in page.text
    # Who processed the data, in which agency: the demo's sanna wrote P5's note.
    assert "Sanna Saarinen" in page.text and "Helsingin kaupunki, sosiaalipalvelut" in page.text
    assert f"{FILE}?person={person}" in page.text and "print.css" in page.text
    for content in P5_CONTENT:
        assert content not in page.text, content

    file = client.get(f"{FILE}?person={person}")
    assert file.status_code == 200 and file.mimetype == "application/json"
    assert "attachment" in file.headers["Content-Disposition"]
    for content in P5_CONTENT:
        assert content not in file.text, content
    part = json.loads(file.text)
    assert part["person_id"] == person and part["window"]["older_than_two_years"] is False
    assert "case:note:write" in {e["action"] for e in part["events"]}
    assert all(e["id"] for e in part["events"])

    produced = _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED)
    assert [(e.details["format"], str(e.subject_id)) for e in produced] == [
        ("html", person),
        ("json", person),
    ]
    # The file lists the page's production too: one event more than the page did.
    assert produced[1].details["events"] == len(part["events"]) == produced[0].details["events"] + 1


def test_the_file_needs_a_fresh_password(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = _auditor(demo_app, demo_accounts)
    person = _p5(client)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        stale = client.get(f"{FILE}?person={person}")
    assert stale.status_code == 302 and stale.location.startswith("/reauthenticate")
    assert _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED) == []


def test_an_older_period_needs_a_reason_and_the_reason_is_recorded(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = _auditor(demo_app, demo_accounts)
    person = _p5(client)
    old = (datetime.now(UTC) - timedelta(days=3 * 365)).date()
    for url in (PAGE, FILE):
        refused = client.get(f"{url}?person={person}&date_from={old}")
        assert refused.status_code == 400
        assert "choose a reason for the older period" in refused.text
    assert _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED) == []
    allowed = client.get(
        f"{PAGE}?person={person}&date_from={old}&reason=complaint&reference=DNRO/2026-12"
    )
    assert allowed.status_code == 200 and "Investigating a complaint" in allowed.text
    (event,) = _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED)
    assert event.details["older_than_two_years"] is True
    assert (event.details["reason"], event.details["reference"]) == ("complaint", "DNRO/2026-12")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("person=not-a-uuid", "Enter an identifier like"),
        ("person=5f0c1d2e-0000-4000-8000-00000000abcd", "No person with this id is registered."),
        ("person={p}&date_from=2024-13-45", "Not a valid date value"),
        ("person={p}&date_to=yesterday", "Not a valid date value"),
        ("person={p}&date_from=2026-01-10&date_to=2026-01-01", "before the start date"),
        ("person={p}&date_to=2098-01-01", "The end date is in the future."),
        ("person={p}&date_from=1999-01-01&reason=complaint", "Enter a date from 2000-01-01"),
        ("person={p}&reason=nonsense", "Not a valid choice"),
        ("person={p}&reference=no spaces here", "Use letters, digits"),
    ],
)
def test_bad_input_gets_a_clear_message_and_produces_nothing(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], query: str, message: str
) -> None:
    client = _auditor(demo_app, demo_accounts)
    person = _p5(client)
    for url in (PAGE, FILE):
        response = client.get(f"{url}?{query.format(p=person)}")
        assert response.status_code == 400, (url, query)
        assert message in response.text, (url, query)
    assert client.get(FILE).status_code == 400
    assert _events(demo_app, Action.SUBJECT_ACCESS_LOG_PRODUCED) == []
