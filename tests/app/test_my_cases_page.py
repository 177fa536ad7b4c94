"""The "my cases" page (issue 16, point 3): filtered by status and lead agency, in the order
asked, a page at a time; only the young people on the page are read."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.persons import services as persons
from cases.persons.details import PersonDetails
from core.db import utcnow
from tests.helpers import make_user, open_session

PAGE = 25  # written here, not read from the code: a page of 25 cases is what users see
ROW_RE = re.compile(r'<td><a href="/cases/[0-9a-f-]{36}">([^<]+)</a></td>')


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client


def _names(page: str) -> list[str]:
    return ROW_RE.findall(page)


def _list_reads(app: Flask) -> int:
    with app.app_context():
        return int(
            db().scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "person:read")
            )
            or 0
        )


@pytest.fixture
def sixty(app: Flask) -> FlaskClient:
    """A supervisor of sos with 60 open cases, opened one after another (Case 00 first)."""
    make_user(app, "worker", "supervisor", "sos")
    with app.app_context():
        ctx = AuditContext(accounts.get_user_by_username(db(), "worker"))
        for n in range(60):
            details = PersonDetails(
                given_names="Aino",
                surname=f"Case {n:02d}",
                birth_date=utcnow().date().replace(year=2010),
                identity_code=None,
            )
            person = persons.register(db(), ctx, details, confirmed=True)
            casework.open_case(db(), ctx, person, ["school_absence"])
        db().commit()
    return _client(app, "worker")


def test_a_page_lists_twenty_five_oldest_first_and_reads_only_them(
    app: Flask, sixty: FlaskClient
) -> None:
    before = _list_reads(app)
    page = sixty.get("/cases/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert _names(page.text) == [f"Case {n:02d}, Aino" for n in range(PAGE)]
    assert "Page 1 of 3" in page.text and "60 open cases" in page.text
    assert _list_reads(app) - before == PAGE  # the 35 not shown are not read


def test_the_next_pages_keep_the_filters(app: Flask, sixty: FlaskClient) -> None:
    first = sixty.get("/cases/?order=newest", headers={"Accept-Language": "en"}).text
    assert _names(first)[:2] == ["Case 59, Aino", "Case 58, Aino"]
    [next_link] = re.findall(r'<a href="([^"]+)">Next</a>', first)
    assert "order=newest" in next_link and "page=2" in next_link
    third = sixty.get(next_link.replace("page=2", "page=3").replace("&amp;", "&")).text
    assert _names(third) == [f"Case {n:02d}, Aino" for n in range(9, -1, -1)]
    seen = [*_names(first), *_names(sixty.get(next_link.replace("&amp;", "&")).text)]
    assert len(set(seen) | set(_names(third))) == 60  # no case twice, none left out


def test_a_page_past_the_last_shows_the_last(app: Flask, sixty: FlaskClient) -> None:
    page = sixty.get("/cases/?page=99", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Page 3 of 3" in page.text and len(_names(page.text)) == 10


def test_the_lead_agency_filter(demo_app: Flask) -> None:
    """noora (nuo) is on P3's case, led by nuo, and on P1's, led by sos."""
    noora = _client(demo_app, "noora")
    everything = noora.get("/cases/").text
    leads = dict(
        (name, agency_id)
        for agency_id, name in re.findall(
            r'<option value="([0-9a-f-]{36})"[^>]*>([^<]+)<', everything
        )
    )
    assert len(leads) >= 2
    for name, agency_id in leads.items():
        shown = noora.get("/cases/", query_string={"lead": agency_id}).text
        rows = re.findall(r"<tr>\s*<td>.*?</td>\s*<td>([^<]+)</td>", shown, re.S)
        assert rows and set(rows) == {name}, (name, rows)


def test_closed_cases_are_their_own_list(demo_app: Flask) -> None:
    sanna = _client(demo_app, "sanna")
    mine = sanna.get("/cases/", headers={"Accept-Language": "en"}).text
    assert "Arkisto, Aada" not in mine  # P5's case is closed
    assert 'href="/cases/?status=closed"' in mine
    closed = sanna.get("/cases/?status=closed", headers={"Accept-Language": "en"}).text
    assert "Arkisto, Aada" in _names(closed)
    assert all(name != "Esimerkki, Eetu" for name in _names(closed))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "Give a page number from 1 to 99999."),
        ("page=abc", "Give a page number from 1 to 99999."),
        ("page=%C2%B2", "Give a page number from 1 to 99999."),
        ("page=100000", "Give a page number from 1 to 99999."),
        ("status=deleted", "Not a valid choice"),
        ("order=random", "Not a valid choice"),
        ("lead=not-an-id", "Choose an agency from the list."),
        ("status=open&status=closed", "Give this only once."),
    ],
)
def test_a_bad_filter_is_400_with_a_message_and_reads_nobody(
    demo_app: Flask, query: str, message: str
) -> None:
    before = _list_reads(demo_app)
    page = _client(demo_app, "sanna").get(f"/cases/?{query}", headers={"Accept-Language": "en"})
    assert page.status_code == 400
    assert message in page.text
    assert _names(page.text) == []
    assert _list_reads(demo_app) == before
