"""The request log: one JSON line per request with its id, account id, URL rule, status and
duration, and no personal data anywhere in the log, whatever the requests carried."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import orjson
import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.operations.logs import (
    REQUEST_ID_HEADER,
    JsonFormatter,
    StderrJsonHandler,
    request_id_from,
)
from app.security import public
from audit.models import AuditEvent
from tests.app.casework_helpers import case_id_of, signed_in, user_ids
from tests.conftest import AppFactory
from tests.helpers import post

P1_CODE = "140310A1230"
NEW_PERSON = {
    "given_names": "Kielo Maaria",
    "surname": "Lokinkatvoja",
    "birth_date": "2011-02-03",
    "identity_code": "030211A123B",
    "municipality": "Helsinki",
    "postal_code": "00100",
    "phone": "+358 40 111 9876",
    "email": "kielo@example.fi",
    "guardian1_name": "Raili Lokinkatvoja",
    "guardian1_contact": "040 222 3333",
    "guardian2_name": "",
    "guardian2_contact": "",
    "mother_tongue": "fi",
}
NOTE_TEXT = "Kielo kertoi kotitilanteesta LOKI-SALAISUUS-42"
# What the requests below carry or the pages show, and what no log line may hold.
PERSONAL = [
    "Kielo",
    "Maaria",
    "Lokinkatvoja",
    "030211A123B",
    "kielo@example.fi",
    "111 9876",
    "Raili",
    "LOKI-SALAISUUS-42",
    "kotitilanteesta",
    P1_CODE,
    "140310a1230",
    "Eetu",
    "Esimerkki",
    "Sanna",
    "Saarinen",
    "sanna",
    "wrong-password-typed",
]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record of every logger, formatted as the service formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines() if line]


def _requests(stream: io.StringIO) -> list[dict[str, object]]:
    return [line for line in _lines(stream) if line["logger"] == "silta.request"]


class TestTheLogHoldsNoPersonalData:
    def test_search_register_note_and_a_failed_sign_in(
        self,
        demo_app: Flask,
        demo_accounts: dict[str, dict[str, str]],
        log_lines: io.StringIO,
    ) -> None:
        anonymous = demo_app.test_client()
        failed = post(
            anonymous, "/login", {"username": "sanna", "password": "wrong-password-typed"}
        )
        assert failed.status_code == 401
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        found = post(sanna, "/persons/", {"by": "code", "code-identity_code": P1_CODE})
        assert found.status_code == 200 and "Eetu" in found.text
        # A query string and a request-id header carrying personal data, from the browser.
        assert sanna.get(
            f"/persons/?code={P1_CODE}&name=Esimerkki", headers={REQUEST_ID_HEADER: P1_CODE}
        ).status_code in (200, 405)
        created = post(sanna, "/persons/new", NEW_PERSON)
        assert created.status_code == 302, created.text
        person_id = created.location.rsplit("/", 1)[-1]
        opened = post(sanna, f"/cases/open/{person_id}", {"concern_codes": ["school_absence"]})
        assert opened.status_code == 302, opened.text
        case_id = opened.location.rsplit("/", 1)[-1]
        note = {"category": "general", "sensitivity": "normal", "body": NOTE_TEXT}
        assert post(sanna, f"/cases/{case_id}/notes/new", note).status_code == 302
        assert NOTE_TEXT in sanna.get(f"/cases/{case_id}").text
        p1_case = case_id_of(demo_app, P1_CODE)
        assert "Esimerkki" in sanna.get(f"/cases/{p1_case}").text

        text = log_lines.getvalue()
        requests = _requests(log_lines)
        assert len(requests) >= 10
        for value in PERSONAL:
            assert value.lower() not in text.lower(), f"{value!r} is in the log"
        # The URL rule, never the concrete path with its ids.
        assert person_id not in text and case_id not in text and str(p1_case) not in text
        routes = {line["route"] for line in requests}
        assert "/cases/<uuid:case_id>" in routes
        assert "/persons/" in routes and "/login" in routes

    def test_each_line_names_id_account_route_status_and_duration(
        self,
        demo_app: Flask,
        demo_accounts: dict[str, dict[str, str]],
        log_lines: io.StringIO,
    ) -> None:
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        log_lines.truncate(0)
        log_lines.seek(0)
        page = sanna.get("/")
        missing = sanna.get("/no-such-page")
        first, second = _requests(log_lines)
        assert (
            first["status"] == 200 and first["route"] == "/" and first["endpoint"] == "main.index"
        )
        assert first["user_id"] == user_ids(demo_app)["sanna"]
        assert first["method"] == "GET"
        assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
        assert first["request_id"] == page.headers[REQUEST_ID_HEADER]
        assert second["status"] == 404 and second["route"] is None
        assert second["request_id"] != first["request_id"]
        assert missing.headers[REQUEST_ID_HEADER] == second["request_id"]

    def test_an_anonymous_request_has_no_account(self, app: Flask, log_lines: io.StringIO) -> None:
        app.test_client().get("/login")
        (line,) = _requests(log_lines)
        assert line["user_id"] is None and line["endpoint"] == "auth.login"

    def test_a_crashing_view_still_gets_its_line_with_500(
        self, app: Flask, log_lines: io.StringIO
    ) -> None:
        @app.get("/crash")
        @public
        def crash() -> str:
            raise RuntimeError(f"crashed on {P1_CODE}")

        assert app.test_client().get("/crash").status_code == 500
        lines = _requests(log_lines)
        assert [(line["route"], line["status"]) for line in lines] == [("/crash", 500)]
        assert P1_CODE not in log_lines.getvalue()


class TestRequestIds:
    def test_the_request_id_goes_into_the_audit_event(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        found = post(sanna, "/persons/", {"by": "code", "code-identity_code": P1_CODE})
        request_id = found.headers[REQUEST_ID_HEADER]
        with demo_app.app_context():
            events = (
                db().scalars(select(AuditEvent).where(AuditEvent.request_id == request_id)).all()
            )
        # The search and the read of its one hit, both under the id the response names.
        assert sorted(event.action for event in events) == ["person:read", "person:search"]

    def test_behind_a_trusted_proxy_its_id_is_kept(self, make_app: AppFactory) -> None:
        app = make_app(SILTA_TRUSTED_PROXIES=1)
        given = "0123456789abcdef0123456789abcdef"
        answered = app.test_client().get("/login", headers={REQUEST_ID_HEADER: given})
        assert answered.headers[REQUEST_ID_HEADER] == given

    def test_without_a_trusted_proxy_the_browsers_id_is_not_taken(self, app: Flask) -> None:
        given = "0123456789abcdef0123456789abcdef"
        answered = app.test_client().get("/login", headers={REQUEST_ID_HEADER: given})
        assert answered.headers[REQUEST_ID_HEADER] != given
        assert len(answered.headers[REQUEST_ID_HEADER]) == 32

    @pytest.mark.parametrize(
        "value",
        ["", "short", P1_CODE, "Eetu Esimerkki 2010", "a" * 65, "id\nforged line", "../x" * 5],
    )
    def test_an_unsafe_id_is_replaced(self, value: str) -> None:
        assert request_id_from(value, trusted_proxy=True) != value

    def test_a_safe_token_is_accepted(self) -> None:
        token = "req-2026.12.03_abcdef0123"
        assert request_id_from(token, trusted_proxy=True) == token


class TestFormatter:
    def test_an_exception_is_logged_by_type_and_frames_not_message(self) -> None:
        try:
            raise ValueError(f"duplicate key value ({P1_CODE})")
        except ValueError:
            record = logging.LogRecord(
                "silta", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
            )
        line = orjson.loads(JsonFormatter().format(record))
        assert line["exc_type"] == "ValueError" and line["message"] == "failed"
        assert any("test_logs.py" in frame for frame in line["exc_frames"])
        assert P1_CODE not in JsonFormatter().format(record)

    def test_the_service_handler_writes_json_to_the_current_stderr(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        handler = StderrJsonHandler()
        handler.emit(
            logging.LogRecord("silta", logging.INFO, __file__, 1, "hello %s", ("x",), None)
        )
        line = orjson.loads(capsys.readouterr().err)
        assert (line["message"], line["level"], line["logger"]) == ("hello x", "info", "silta")
