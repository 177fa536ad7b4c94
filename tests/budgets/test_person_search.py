"""Query budget of the person search (issue 10): the same statements for 1 hit as for 50.

Each person shown is still a `person:read` event of its own (their access report lists it);
the events of one result list are inserted together, so the statement count does not grow."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.persons import services as persons
from cases.persons.details import PersonDetails
from tests.budgets.counting import Statements, counting
from tests.helpers import csrf_token, make_user, open_session

# Measured on SQLite, written down: the session (1), the index look-up of the candidates with
# their current versions (1), their data keys (1), the search event and its pending row (2), the
# hits' current teams (1), their read events and pending rows (2, one multi-row insert each),
# the hits' details for the page (1), and after the commit the audit sequencer (9).
SEARCH_BUDGET = 19
BORN = date(2010, 3, 14)


def _register(app: Flask, surname: str, count: int) -> None:
    with app.app_context():
        ctx = AuditContext(accounts.get_user_by_username(db(), "searcher"))
        for n in range(count):
            details = PersonDetails(
                given_names=f"Aino{n}", surname=surname, birth_date=BORN, identity_code=None
            )
            persons.register(db(), ctx, details, confirmed=True)
        db().commit()


def _reads(app: Flask) -> int:
    with app.app_context():
        return (
            db().scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "person:read")
            )
            or 0
        )


def _search(app: Flask, client: FlaskClient, surname: str) -> tuple[Statements, str, int]:
    """The statements of one search, its page and how many `person:read` events it wrote."""
    form = {
        "csrf_token": csrf_token(client),
        "by": "name",
        "name-surname": surname,
        "name-birth_date": BORN.isoformat(),
    }
    client.post("/persons/", data=form)  # warm: the first request loads what every one does
    before = _reads(app)
    with counting(app.extensions["silta"].engine) as seen:
        response = client.post("/persons/", data=form)
    assert response.status_code == 200, response.text
    return seen, response.text, _reads(app) - before


@pytest.fixture
def searcher(app: Flask) -> FlaskClient:
    make_user(app, "searcher", "caseworker", "sos")
    client = app.test_client()
    open_session(app, client, "searcher")
    return client


def test_person_search_does_not_grow_with_hits(app: Flask, searcher: FlaskClient) -> None:
    _register(app, "Virtanen", 1)
    _register(app, "Korhonen", 50)
    one, one_page, one_reads = _search(app, searcher, "Virtanen")
    many, many_page, many_reads = _search(app, searcher, "Korhonen")
    assert "Virtanen, Aino0</a>" in one_page
    assert all(f"Korhonen, Aino{n}</a>" in many_page for n in range(50))
    assert (one_reads, many_reads) == (1, 50)
    assert many.count == one.count, f"{one}\n---\n{many}"
    assert one.count <= SEARCH_BUDGET, str(one)
