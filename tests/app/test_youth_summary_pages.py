"""The young person's summary page (issue 14, point 5) on the demo: one sheet in Finnish,
Swedish or English whatever the interface language, for the young person or the guardian,
refused (and audited) for a guardian when the young person forbids it and for anyone who may
not see the case's consents."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from audit.events import Action
from audit.models import AuditEvent
from cases.persons import services as persons
from cases.persons.erasure import shred
from cases.persons.queries import current_details
from tests.app.casework_helpers import case_id_of, signed_in
from tests.factories import OPERATOR, as_user
from tests.helpers import load_user, post

P1, P4 = "140310A1230", "200411A4682"
# Texts of each language's sheet, written here rather than read from the catalogues.
TITLE = {
    "fi": "Mitä sinusta jaetaan",
    "sv": "Vad som delas om dig",
    "en": "What is shared about you",
}
WITHDRAW = {
    "fi": "Peruminen tulee voimaan heti:",
    "sv": "Återkallelsen gäller genast:",
    "en": "The withdrawal takes effect immediately:",
}
# P1's consent (given by Eetu himself) is in effect until 17 November 2028.
LAST_DAY = {"fi": "17.11.2028", "sv": "17 nov. 2028", "en": "Nov 17, 2028"}
GIVEN_BY_SELF = {"fi": "Nuori itse", "sv": "Den unga själv", "en": "The young person"}


def _events(app: Flask, action: Action) -> list[AuditEvent]:
    with app.app_context():
        return list(db().scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _summary_url(case_id: uuid.UUID, **query: str) -> str:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/cases/{case_id}/summary" + (f"?{args}" if args else "")


def _forbid_guardian(app: Flask, code: str) -> None:
    sanna = load_user(app, "sanna")
    with app.app_context():
        person = persons.find_by_identity_code(db(), code)
        assert person is not None
        details = current_details(db(), person)
        assert details is not None
        persons.update(
            db(), as_user(sanna), person, replace(details, forbids_guardian_disclosure=True)
        )
        db().commit()


@pytest.fixture
def sanna(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> FlaskClient:
    return signed_in(demo_app, demo_accounts, "sanna")


class TestTheSheet:
    @pytest.mark.parametrize("lang", ["fi", "sv", "en"])
    def test_each_language_renders_its_own_texts(
        self, demo_app: Flask, sanna: FlaskClient, lang: str
    ) -> None:
        response = sanna.get(_summary_url(case_id_of(demo_app, P1), lang=lang))
        assert response.status_code == 200
        page = response.text
        assert f'<article class="youth-summary" lang="{lang}">' in page
        assert TITLE[lang] in page and WITHDRAW[lang] in page
        assert LAST_DAY[lang] in page and GIVEN_BY_SELF[lang] in page
        for other in {"fi", "sv", "en"} - {lang}:
            assert TITLE[other] not in page
        # Generated from P1's consent: its recipients by name, the lead agency to contact.
        assert "Helsingin poliisilaitos" in page and "Helsingin kaupunki, nuorisopalvelut" in page
        assert "Eetu Esimerkki" in page

    def test_the_language_is_the_sheets_not_the_interfaces(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        assert post(sanna, "/language", {"lang": "fi", "next": "/"}).status_code == 302
        page = sanna.get(_summary_url(case_id_of(demo_app, P1), lang="sv")).text
        assert '<html lang="fi">' in page and "Takaisin asiaan" in page
        assert TITLE["sv"] in page and TITLE["fi"] not in page

    def test_it_defaults_to_the_interface_language_for_the_young_person(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        page = sanna.get(_summary_url(case_id_of(demo_app, P1))).text
        assert TITLE["en"] in page

    def test_the_guardians_version_speaks_of_the_young_person(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        page = sanna.get(_summary_url(case_id_of(demo_app, P1), lang="fi", audience="guardian"))
        assert page.status_code == 200
        assert "Mitä tietoja jaetaan: Eetu" in page.text and TITLE["fi"] not in page.text

    def test_a_disclosure_shows_its_law_and_last_day(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        page = sanna.get(_summary_url(case_id_of(demo_app, P4), lang="en")).text
        assert "Child Welfare Act 417/2007 §25 (notification)" in page
        assert "Nothing is shared with consent at the moment." in page
        assert "Helsingin poliisilaitos" in page

    def test_producing_it_is_audited_with_its_language_and_audience(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        case_id = case_id_of(demo_app, P1)
        assert sanna.get(_summary_url(case_id, lang="sv", audience="guardian")).status_code == 200
        (event,) = _events(demo_app, Action.SUMMARY_PRODUCED)
        assert event.object_id == str(case_id) and event.actor_label == "user:sanna"
        assert event.details["language"] == "sv" and event.details["audience"] == "guardian"
        assert "Eetu" not in str(event.details)

    def test_the_case_page_links_to_it(self, demo_app: Flask, sanna: FlaskClient) -> None:
        case_id = case_id_of(demo_app, P1)
        assert f'href="/cases/{case_id}/summary"' in sanna.get(f"/cases/{case_id}").text

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"lang": "de"}, "Not a valid choice."),
            ({"lang": "fi\x00"}, "Not a valid choice."),
            ({"lang": ""}, "Choose a language."),
            ({"audience": "teacher"}, "Not a valid choice."),
            ({"audience": ""}, "Choose for whom the summary is."),
        ],
    )
    def test_a_bad_choice_is_a_message_and_nothing_is_produced(
        self, demo_app: Flask, sanna: FlaskClient, query: dict[str, str], message: str
    ) -> None:
        response = sanna.get(_summary_url(case_id_of(demo_app, P1), **query))
        assert response.status_code == 400 and message in response.text
        assert 'class="youth-summary"' not in response.text and "Eetu" not in response.text
        assert _events(demo_app, Action.SUMMARY_PRODUCED) == []


class TestRefusals:
    def test_no_guardian_version_when_the_young_person_forbids_it(
        self, demo_app: Flask, sanna: FlaskClient
    ) -> None:
        _forbid_guardian(demo_app, P1)
        case_id = case_id_of(demo_app, P1)
        response = sanna.get(_summary_url(case_id, lang="fi", audience="guardian"))
        assert response.status_code == 403
        assert "has forbidden disclosure to their guardian" in response.text
        assert 'class="youth-summary"' not in response.text and "Eetu" not in response.text
        (denied,) = [
            e
            for e in _events(demo_app, Action.ACCESS_DENIED)
            if e.details.get("permission") == "case:summary:produce"
        ]
        assert denied.details["reason"] == "guardian_forbidden"
        assert denied.subject_id is not None
        assert _events(demo_app, Action.SUMMARY_PRODUCED) == []
        # The young person's own version is still there.
        assert sanna.get(_summary_url(case_id, lang="fi")).status_code == 200

    @pytest.mark.parametrize(
        ("username", "status", "reason"),
        [
            ("aino", 403, "role_no_content"),  # auditor
            ("timo", 403, "role_no_content"),  # analyst
            ("admin", 403, "role_no_content"),
            ("jari", 404, "not_on_team"),  # ngo caseworker, not on P1's team
            ("nelli", 200, None),  # nuo supervisor: her agency is on the team
            ("pekka", 200, None),  # pol caseworker named on the team
        ],
    )
    def test_who_may_produce_it(
        self,
        demo_app: Flask,
        demo_accounts: dict[str, dict[str, str]],
        username: str,
        status: int,
        reason: str | None,
    ) -> None:
        client = signed_in(demo_app, demo_accounts, username)
        case_id = case_id_of(demo_app, P1)
        response = client.get(_summary_url(case_id, lang="fi"))
        assert response.status_code == status
        denied = [
            e
            for e in _events(demo_app, Action.ACCESS_DENIED)
            if e.details.get("permission") == "case:summary:produce"
        ]
        if reason is None:
            assert denied == [] and "Mitä sinusta jaetaan" in response.text
        else:
            assert [e.details["reason"] for e in denied] == [reason]
            assert "Eetu" not in response.text

    def test_nothing_about_an_erased_person(self, demo_app: Flask, sanna: FlaskClient) -> None:
        case_id = case_id_of(demo_app, P1)
        with demo_app.app_context():
            person = persons.find_by_identity_code(db(), P1)
            assert person is not None
            shred(db(), OPERATOR, person, "test")
            db().commit()
        response = sanna.get(_summary_url(case_id, lang="en"))
        assert response.status_code == 403 and "has been erased" in response.text
        assert 'class="youth-summary"' not in response.text
        # The case page offers no summary of an erased person.
        assert "/summary" not in sanna.get(f"/cases/{case_id}").text

    def test_a_missing_case_is_not_found(self, sanna: FlaskClient) -> None:
        assert sanna.get(_summary_url(uuid.uuid4())).status_code == 404
