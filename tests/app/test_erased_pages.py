"""An erased young person shows as "erased on DATE under rule X" to those who could see them
(issue 14, point 3): on the person page and on the case page, after a real sweep of the demo,
in English, Finnish and Swedish; nothing of the person is left to show. And with every demo
person erased, no page of any practitioner fails or shows any of their text."""

from __future__ import annotations

import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.commands import command_context
from app.extensions import db
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework.models import Case
from cases.meetings.models import Meeting
from cases.persons import services as persons
from cases.persons.models import Person
from cases.referrals.models import Referral
from core.db import utcnow
from tests.app.casework_helpers import signed_in
from tests.helpers import open_session, post

P5 = "110203A312J"
RULE = "person-5y-after-last-closure"
# What each language says around the date (the date itself is the locale's own format).
SAYS = {
    "en": ("Erased on ", " under rule " + RULE),
    "fi": ("Poistettu ", " säännön " + RULE + " perusteella"),
    "sv": ("Raderad ", " enligt regeln " + RULE),
}


@pytest.fixture
def swept(demo_app: Flask) -> tuple[str, str]:
    """The demo after a sweep: P5's person id and her case's id."""
    with demo_app.app_context():
        person = persons.find_by_identity_code(db(), P5)
        assert person is not None
        case_id = db().scalar(select(Case.id).where(Case.person_id == person.id))
        ids = (str(person.id), str(case_id))
    result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
    assert result.exit_code == 0, result.output
    return ids


def _sanna(app: Flask, locale: str) -> FlaskClient:
    with app.app_context():
        sanna = accounts.get_user_by_username(db(), "sanna")
        assert sanna is not None
        sanna.locale = locale
        db().commit()
    client = app.test_client()
    open_session(app, client, "sanna", reauthenticated=False)
    return client


def _erased_on(page: str, locale: str) -> str:
    before, after = SAYS[locale]
    found = re.search(re.escape(before) + "(.{4,30}?)" + re.escape(after), page)
    assert found is not None, page
    return found.group(1)


@pytest.mark.parametrize("locale", sorted(SAYS))
def test_the_person_and_case_pages_say_when_and_under_which_rule(
    demo_app: Flask, swept: tuple[str, str], locale: str
) -> None:
    person_id, case_id = swept
    today = utcnow().astimezone(ZoneInfo("Europe/Helsinki")).date()
    client = _sanna(demo_app, locale)
    for url in (f"/persons/{person_id}", f"/cases/{case_id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        day = _erased_on(page.text, locale)
        assert str(today.year) in day and str(today.day) in day, day
        for text_of_aada in ("Aada", "Arkisto", P5, "DEMO-P5-SOS-GENERAL"):
            assert text_of_aada not in page.text


def _pages(app: Flask) -> list[str]:
    with app.app_context():
        cases = list(db().scalars(select(Case.id)))
        meetings = list(db().scalars(select(Meeting.id)))
        return [
            "/",
            "/cases/",
            "/cases/queue",
            "/referrals/inbox",
            "/referrals/sent",
            "/meetings",
            "/meetings/tasks",
            "/meetings/review",
            *(f"/persons/{p}" for p in db().scalars(select(Person.id))),
            *(f"/cases/{c}" for c in cases),
            *(f"/cases/{c}/referrals" for c in cases),
            *(f"/referrals/{r}" for r in db().scalars(select(Referral.id))),
            *(f"/meetings/{m}" for m in meetings),
            *(f"/meetings/{m}/print" for m in meetings),
        ]


def test_with_everyone_erased_no_page_fails_or_shows_their_text(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    with demo_app.app_context():
        for person in db().scalars(select(Person)).all():
            persons.shred(db(), command_context("tests"), person, "tests")
        db().commit()
    pages = _pages(demo_app)
    practitioners = [
        name
        for name, account in demo_accounts.items()
        if account["role"] in ("caseworker", "supervisor")
    ]
    assert len(practitioners) > 5 and len(pages) > 20
    for username in practitioners:
        client = demo_app.test_client()
        open_session(demo_app, client, username, reauthenticated=False)
        for url in pages:
            page = client.get(url)
            assert page.status_code < 500, (username, url)
            assert "DEMO-" not in page.text, (username, url)


def test_a_person_erased_before_rules_were_named_shows_the_day_only(
    demo_app: Flask, swept: tuple[str, str]
) -> None:
    person_id, _case_id = swept
    with demo_app.app_context():
        person = persons.get_person(db(), uuid.UUID(person_id))
        assert person is not None
        person.erasure_rule = None  # as for an erasure made before migration 0014
        db().commit()
    page = _sanna(demo_app, "en").get(f"/persons/{person_id}")
    assert page.status_code == 200
    assert "Erased on " in page.text and "under rule" not in page.text


def test_the_case_of_an_erased_person_is_not_reopened(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], swept: tuple[str, str]
) -> None:
    """Attack on issue 14: the lead supervisor's reopening form of an erased person's case was
    offered, and posting it was a 500. Now it is refused (403) and the refusal is audited."""
    _person_id, case_id = swept
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert f"/cases/{case_id}/reopen" not in helena.get(f"/cases/{case_id}").text
    assert helena.get(f"/cases/{case_id}/reopen").status_code == 403
    refused = post(helena, f"/cases/{case_id}/reopen", {"reason": "Uusi huoli"})
    assert refused.status_code == 403
    with demo_app.app_context():
        case = db().get(Case, uuid.UUID(case_id))
        assert case is not None and case.status == "closed"
        denials = [
            event.details
            for event in db().scalars(
                select(AuditEvent).where(AuditEvent.action == "policy:access:denied")
            )
            if event.details.get("permission") == "case:reopen"
        ]
    assert [d["reason"] for d in denials] == ["person_erased", "person_erased"]
