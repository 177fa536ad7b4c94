"""Query budgets (issue 10): a page sends a fixed number of statements however much data
there is. The budgets are what the page needs, written here; run on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from app.extensions import db
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.accounts.models import Agency, User
from cases.casework import services as casework
from cases.casework.models import Case, TeamAgency
from cases.persons import services as persons
from cases.persons.details import PersonDetails
from core.db import utcnow
from tests.budgets.counting import Statements, counting
from tests.helpers import make_user, open_session

# Measured on SQLite, written down: the session (1), the case with its person, current version,
# pending closure and reopenings (1), the rest of the case's facts and rows (7: every agency,
# the data key, consents, disclosures, team users with their accounts, team agencies,
# emergencies), the notes (1), the case's meeting decisions, action items and addenda (1, issue
# 12: one statement for all three), the audit insert (2), the header's unread count (1, issue
# 11) (14 on the request's engine). After the commit the audit sequencer sends 6 more (BEGIN
# IMMEDIATE, the pending events with the head, the chain insert, the pending delete, the head
# update, COMMIT) on its own engine, which is not counted here: on PostgreSQL it always had one.
CASE_PAGE_BUDGET = 14
MY_CASES_BUDGET = 40
QUEUE_BUDGET = 12


def _extra_users(app: Flask, count: int) -> None:
    """Accounts elsewhere in the city: none of them is on the case."""
    with app.app_context():
        session = db()
        agency = Agency(code=f"x{uuid.uuid4().hex[:6]}", name="Elsewhere", kind="ngo")
        session.add(agency)
        session.flush()
        session.execute(
            insert(User),
            [
                {
                    "id": uuid.uuid4(),
                    "agency_id": agency.id,
                    "username": f"u{uuid.uuid4().hex[:12]}",
                    "display_name": "Someone",
                    "role": "caseworker",
                    "password_hash": "x",
                }
                for _ in range(count)
            ],
        )
        session.commit()


def _team_agencies(app: Flask, case_id: uuid.UUID, count: int) -> None:
    with app.app_context():
        session = db()
        for n in range(count):
            agency = Agency(code=f"t{n}{uuid.uuid4().hex[:5]}", name=f"Team {n}", kind="ngo")
            session.add(agency)
            session.flush()
            session.add(
                TeamAgency(
                    case_id=case_id,
                    agency_id=agency.id,
                    basis="lead",
                    start_at=utcnow() - timedelta(days=1),
                )
            )
        session.commit()


def _person(session: object, ctx: AuditContext, surname: str = "Virtanen") -> persons.Person:
    details = PersonDetails(
        given_names="Aino",
        surname=surname,
        birth_date=utcnow().date().replace(year=2010),
        identity_code=None,
    )
    return persons.register(db(), ctx, details, confirmed=True)


def _case_with_notes(app: Flask, notes: int, username: str) -> uuid.UUID:
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        ctx = AuditContext(user)
        person = _person(db(), ctx)
        case = casework.open_case(db(), ctx, person, ["school_absence"])
        for n in range(notes):
            casework.write_note(
                db(), ctx, case, category="general", sensitivity="normal", body=f"note {n}"
            )
        db().commit()
        return case.id


def _statements(app: Flask, client: FlaskClient, path: str) -> Statements:
    client.get(path)  # warm: the first request of a client loads what every request does
    with counting(app.extensions["silta"].engine) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return seen


@pytest.fixture
def worker(app: Flask) -> FlaskClient:
    make_user(app, "worker", "supervisor", "sos")
    client = app.test_client()
    open_session(app, client, "worker")
    return client


def test_case_page_does_not_grow_with_notes_agencies_or_users(
    app: Flask, worker: FlaskClient
) -> None:
    few = _case_with_notes(app, 5, "worker")
    many = _case_with_notes(app, 200, "worker")
    _team_agencies(app, few, 3)
    _team_agencies(app, many, 12)
    small = _statements(app, worker, f"/cases/{few}")
    _extra_users(app, 5000)
    large = _statements(app, worker, f"/cases/{many}")
    assert large.count == small.count, f"{small}\n---\n{large}"
    assert small.count <= CASE_PAGE_BUDGET, str(small)


def test_my_cases_and_queue_do_not_grow_with_cases(app: Flask, worker: FlaskClient) -> None:
    _case_with_notes(app, 1, "worker")
    one_mine = _statements(app, worker, "/cases/")
    one_queue = _statements(app, worker, "/cases/queue")
    with app.app_context():
        user = accounts.get_user_by_username(db(), "worker")
        ctx = AuditContext(user)
        for n in range(499):
            person = _person(db(), ctx, f"Korhonen{n}")
            casework.open_case(db(), ctx, person, ["school_absence"])
        db().commit()
        assert db().query(Case).count() == 500
    many_mine = _statements(app, worker, "/cases/")
    many_queue = _statements(app, worker, "/cases/queue")
    # Each person listed is a `person:read` event of its own (their access report lists it);
    # the listing's events go in one multi-row insert, so the count stays fixed too.
    assert many_mine.count == one_mine.count, f"{one_mine}\n---\n{many_mine}"
    assert many_queue.count == one_queue.count, f"{one_queue}\n---\n{many_queue}"
    assert one_mine.count <= MY_CASES_BUDGET, str(one_mine)
    assert one_queue.count <= QUEUE_BUDGET, str(one_queue)
