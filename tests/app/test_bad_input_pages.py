"""Bad input through the pages (issue 9, finding 10): a clear message, nothing changed, no 500."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from audit.events import Action, AuditContext, record
from audit.models import AuditEvent
from cases.persons.models import Person
from tests.helpers import PASSWORD, make_user, open_session, post

OUT_OF_RANGE = "Enter a date from"
CONTROL = "Remove the control characters"
ONE_LINE = "This field takes one line"


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username)
    return client


def _count(app: Flask, action: Action) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(db().scalar(query) or 0)


@pytest.fixture
def auditor(app: Flask) -> FlaskClient:
    make_user(app, "aino", "auditor", "tur")
    client = _client(app, "aino")
    # Exports follow a password entered on the re-authentication page.
    assert post(client, "/reauthenticate", {"password": PASSWORD}).status_code == 302
    return client


class TestAuditDateFilters:
    @pytest.mark.parametrize("path", ["/audit/?", "/audit/export?format=csv&"])
    def test_a_date_out_of_bounds_is_a_field_error(
        self, app: Flask, auditor: FlaskClient, path: str
    ) -> None:
        for query in (
            "date_to=9999-12-31",
            "date_from=9999-12-31",
            "date_from=0001-01-01",
            "date_to=0001-01-01",
            "date_from=1999-12-31",
            "date_to=2100-01-01",
        ):
            response = auditor.get(path + query)
            assert response.status_code == 400, query
            assert OUT_OF_RANGE in response.text, query
        assert _count(app, Action.AUDIT_EXPORTED) == 0

    @pytest.mark.parametrize("path", ["/audit/?", "/audit/export?format=json&"])
    def test_the_widest_bounded_period_works(self, auditor: FlaskClient, path: str) -> None:
        response = auditor.get(path + "date_from=2000-01-01&date_to=2099-12-31")
        assert response.status_code == 200

    def test_an_end_before_the_start_is_refused(self, auditor: FlaskClient) -> None:
        response = auditor.get("/audit/?date_from=2026-05-02&date_to=2026-05-01")
        assert response.status_code == 400
        assert "The end date is before the start date." in response.text

    def test_a_report_from_an_impossible_date_is_refused(
        self, app: Flask, auditor: FlaskClient
    ) -> None:
        subject = uuid.uuid4()
        for day in ("0001-01-01", "1999-12-31", "9999-12-31"):
            response = auditor.get(
                f"/audit/report?subject={subject}&date_from={day}&reason=complaint"
            )
            assert response.status_code == 400 and OUT_OF_RANGE in response.text, day
        assert _count(app, Action.AUDIT_REPORT_READ) == 0

    def test_a_page_number_in_other_digits_is_page_one(self, auditor: FlaskClient) -> None:
        for page in ("\u00b2", "\u0663", "\uff13", "-1", "99999999999"):
            assert auditor.get("/audit/", query_string={"page": page}).status_code == 200, page

    def test_query_names_that_mean_something_to_url_for_are_not_passed_on(
        self, auditor: FlaskClient
    ) -> None:
        response = auditor.get(
            "/audit/?format=json&_external=1&_scheme=javascript&endpoint=x&outcome=denied"
        )
        assert response.status_code == 200
        assert 'href="javascript' not in response.text
        assert "/audit/export?format=csv&amp;outcome=denied" in response.text


class TestAuditTextFilters:
    def test_a_user_filter_with_a_nul_is_a_field_error(self, auditor: FlaskClient) -> None:
        response = auditor.get("/audit/", query_string={"user": "sanna\x00"})
        assert response.status_code == 400 and CONTROL in response.text

    @pytest.mark.parametrize("reference", ["DNRO/2026-12\n", "DNRO\r\n2026", "DNRO\u20282026"])
    def test_the_report_reference_is_one_line(
        self, app: Flask, auditor: FlaskClient, reference: str
    ) -> None:
        old = (datetime.now(UTC) - timedelta(days=3 * 365)).date()
        response = auditor.get(
            "/audit/report",
            query_string={
                "subject": str(uuid.uuid4()),
                "date_from": old.isoformat(),
                "reason": "complaint",
                "reference": reference,
            },
        )
        assert response.status_code == 400 and ONE_LINE in response.text
        assert _count(app, Action.AUDIT_REPORT_READ) == 0


FORM = {
    "given_names": "Venla",
    "surname": "Virtanen",
    "birth_date": "2012-06-02",
    "postal_code": "00100",
    "mother_tongue": "fi",
}


class TestRegisterForm:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"surname": "Virta\x00nen"}, CONTROL),
            ({"given_names": "Venla\nMaria"}, ONE_LINE),
            ({"municipality": "Helsinki\x1b[31m"}, CONTROL),
            ({"postal_code": "\u0660\u0660\u0661\u0660\u0660"}, "A postal code has five digits."),
            ({"postal_code": "\uff10\uff10\uff11\uff10\uff10"}, "A postal code has five digits."),
            ({"birth_date": "1899-12-31"}, "cannot be before 1900-01-01"),
            ({"birth_date": "9999-12-31"}, "cannot be in the future"),
        ],
    )
    def test_bad_input_is_a_message_and_registers_nobody(
        self, app: Flask, change: dict[str, str], message: str
    ) -> None:
        make_user(app, "sanna", "caseworker", "sos")
        response = post(_client(app, "sanna"), "/persons/new", {**FORM, **change})
        assert response.status_code == 400 and message in response.text
        with app.app_context():
            assert db().scalar(select(func.count()).select_from(Person)) == 0

    def test_a_name_search_for_an_impossible_birth_date_is_a_message(self, app: Flask) -> None:
        make_user(app, "sanna", "caseworker", "sos")
        response = post(
            _client(app, "sanna"),
            "/persons/",
            {"by": "name", "name-surname": "Virtanen", "name-birth_date": "0001-01-01"},
        )
        assert response.status_code == 400 and "cannot be before 1900-01-01" in response.text


def test_an_audit_detail_token_is_one_line(app: Flask) -> None:
    from audit.events import AuditDetailError

    with app.app_context(), pytest.raises(AuditDetailError):
        record(db(), AuditContext(None), Action.USER_READ, reference="DNRO/2026\n")
