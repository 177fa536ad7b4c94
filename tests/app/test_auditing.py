"""The auditor's workspace: pages, filters, reports, flags, integrity, export — all audited."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, text

from app.extensions import db
from audit.events import Action, AuditContext, record
from audit.models import AuditEvent
from tests.helpers import b32_secret, make_user, open_session, post, sign_in

AUDITOR_PAGES = [
    "/audit/",
    "/audit/report",
    "/audit/flagged",
    "/audit/integrity",
    "/audit/export?format=csv",
]


def _events(app: Flask, action: Action) -> list[AuditEvent]:
    with app.app_context():
        query = (
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.occurred_at)
        )
        return list(db().scalars(query))


def _auditor(app: Flask):  # type: ignore[no-untyped-def]
    make_user(app, "aino", "auditor", "tur")
    client = app.test_client()
    open_session(app, client, "aino")
    return client


def test_workspace_lists_the_demo_seed_and_the_auditors_own_login(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = demo_app.test_client()
    aino = demo_accounts["aino"]
    assert (
        sign_in(client, "aino", aino["password"], b32_secret(aino["totp_secret"])).location == "/"
    )
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "cli:demo:seed" in page.text and "admin:user:create" in page.text
    assert "auth:login:succeeded" in page.text and "user:aino" in page.text
    reads = _events(demo_app, Action.AUDIT_LOG_READ)
    assert len(reads) == 1 and reads[0].actor_label == "user:aino"
    integrity = client.get("/audit/integrity")
    assert "Not yet verified" in integrity.text
    verified = post(client, "/audit/integrity/verify", follow_redirects=True)
    assert "The audit log is intact" in verified.text
    assert "intact," in verified.text and "Not yet verified" not in verified.text
    assert _events(demo_app, Action.AUDIT_VERIFIED)[-1].details["intact"] is True


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "analyst", "admin"])
def test_other_roles_are_refused_and_the_refusal_is_audited(app: Flask, role: str) -> None:
    make_user(app, "someone", role, "sos")
    client = app.test_client()
    open_session(app, client, "someone")
    for url in AUDITOR_PAGES:
        assert client.get(url).status_code == 403, url
    assert post(client, "/audit/integrity/verify").status_code == 403
    denials = _events(app, Action.ACCESS_DENIED)
    assert len(denials) == len(AUDITOR_PAGES) + 1
    assert {d.details["reason"] for d in denials} == {"role_not_allowed"}
    assert all(d.actor_label == "user:someone" and d.outcome == "denied" for d in denials)
    assert "audit:log:export" in {d.details["permission"] for d in denials}


def test_filters(app: Flask) -> None:
    client = _auditor(app)
    make_user(app, "sanna")
    post(app.test_client(), "/login", {"username": "sanna", "password": "wrong password!!"})
    failed = client.get("/audit/?action=auth:login:failed")
    assert failed.status_code == 200 and failed.text.count("auth:login:failed") >= 2
    assert "admin:user:create" not in failed.text.split("<table")[1]
    by_user = client.get("/audit/?user=aino")
    assert "user:aino" in by_user.text
    denied = client.get("/audit/?outcome=denied&agency=sos")
    assert denied.status_code == 200
    assert client.get("/audit/?user=nobody").text.count("No events.") == 1
    today = datetime.now(UTC).date()
    dated = client.get(f"/audit/?date_from={today - timedelta(days=1)}&date_to={today}")
    assert "admin:user:create" in dated.text
    assert client.get("/audit/?subject=not-a-uuid").status_code == 400
    assert client.get("/audit/?page=2").status_code == 200
    reads = _events(app, Action.AUDIT_LOG_READ)
    assert reads[0].details["filters"] == ["action"]


def test_pagination(app: Flask) -> None:
    client = _auditor(app)
    with app.app_context():
        for i in range(60):
            record(db(), AuditContext(None), Action.LOGIN_FAILED, number=i)
        db().commit()
    first = client.get("/audit/")
    assert "Older" in first.text
    second = client.get("/audit/?page=2")
    assert "Newer" in second.text and "Older" not in second.text


def _subject_events(app: Flask, subject: uuid.UUID, actor_name: str, count: int = 1) -> None:
    from cases.accounts import services as accounts

    with app.app_context():
        actor = accounts.get_user_by_username(db(), actor_name)
        for _ in range(count):
            record(
                db(), AuditContext(actor), Action.USER_READ, subject=subject, bases=["consent:x"]
            )
        db().commit()


def test_access_report_covers_two_years_and_older_needs_a_reason(app: Flask) -> None:
    client = _auditor(app)
    make_user(app, "sanna")
    subject = uuid.uuid4()
    _subject_events(app, subject, "sanna", 2)
    assert client.get("/audit/report").status_code == 200
    report = client.get(f"/audit/report?subject={subject}")
    assert report.status_code == 200 and report.text.count("user:sanna") == 2
    assert "consent:x" in report.text
    old = (datetime.now(UTC) - timedelta(days=3 * 365)).date()
    refused = client.get(f"/audit/report?subject={subject}&date_from={old}")
    assert refused.status_code == 400 and "Choose a reason" in refused.text
    allowed = client.get(
        f"/audit/report?subject={subject}&date_from={old}&reason=complaint&reference=DNRO/2026-12"
    )
    assert allowed.status_code == 200
    reports = _events(app, Action.AUDIT_REPORT_READ)
    assert [r.details["older_than_two_years"] for r in reports] == [False, True]
    assert (
        reports[1].details["reason"] == "complaint"
        and reports[1].details["reference"] == "DNRO/2026-12"
    )
    assert all(r.subject_id == subject for r in reports)
    assert client.get(f"/audit/report?subject={subject}&reference=bad ref!").status_code == 400


def test_flagged_events_show_denials_and_unusual_volume(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(SILTA_AUDIT_VOLUME_THRESHOLD=3)
    client = _auditor(app)
    make_user(app, "sanna")
    worker = app.test_client()
    open_session(app, worker, "sanna")
    worker.get("/admin/users")
    for _ in range(4):
        _subject_events(app, uuid.uuid4(), "sanna")
    page = client.get("/audit/flagged")
    assert page.status_code == 200
    assert "policy:access:denied" in page.text
    volume = page.text.split("Unusual volume")[1]
    assert "user:sanna" in volume and "<td>4</td>" in volume
    assert _events(app, Action.AUDIT_FLAGS_READ)[0].details == {"events": 1, "volume": 1}


def test_export_needs_a_fresh_password_and_is_audited(app: Flask) -> None:
    client = _auditor(app)
    with app.app_context():
        record(db(), AuditContext(None), Action.LOGIN_FAILED, object_type="user", object_id="=1+1")
        db().commit()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        stale = client.get("/audit/export?format=csv")
        assert stale.status_code == 302 and stale.location.startswith("/reauthenticate")
    as_csv = client.get("/audit/export?format=csv&action=auth:login:failed")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 1 and rows[0]["action"] == "auth:login:failed"
    assert rows[0]["object_id"] == "'=1+1"
    as_json = client.get("/audit/export?format=json")
    documents = json.loads(as_json.text)
    assert {d["action"] for d in documents} >= {
        "auth:login:failed",
        "admin:user:create",
        "audit:log:export",
    }
    assert client.get("/audit/export?format=xml").status_code == 400
    exports = _events(app, Action.AUDIT_EXPORTED)
    assert [(e.details["format"], e.details["results"]) for e in exports] == [
        ("csv", 1),
        ("json", len(documents) - 1),
    ]


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    from app.auditing.routes import _csv_cell

    assert _csv_cell("=HYPERLINK()") == "'=HYPERLINK()"
    assert _csv_cell("-1") == "'-1" and _csv_cell("plain") == "plain" and _csv_cell(None) == ""


def test_a_failing_audit_insert_fails_the_request_and_changes_nothing(app: Flask) -> None:
    make_user(app, "root", "admin", "tur")
    client = app.test_client()
    open_session(app, client, "root")
    engine = app.extensions["silta"].engine
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit store down'; END; $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_events "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_events "
                    "BEGIN SELECT RAISE(ABORT, 'audit store down'); END"
                )
            )
    response = post(client, "/admin/agencies", {"code": "new", "name": "New", "kind": "ngo"})
    assert response.status_code == 500 and "Nothing was saved" in response.text
    from cases.accounts.models import Agency

    with app.app_context():
        assert db().scalar(select(Agency).where(Agency.code == "new")) is None


def test_sign_in_and_account_actions_are_audited(app: Flask) -> None:
    account = make_user(app, "sanna")
    client = app.test_client()
    post(client, "/login", {"username": "Sanna ", "password": "wrong password!!"})
    post(client, "/login", {"username": "ghost", "password": "whatever it is"})
    post(client, "/login", {"username": "sanna", "password": "correct horse battery staple"})
    post(client, "/login/code", {"code": "000000"})
    from tests.helpers import code_for

    post(client, "/login/code", {"code": code_for(account.secret)})  # type: ignore[arg-type]
    post(client, "/reauthenticate", {"password": "nope nope nope"})
    post(client, "/reauthenticate", {"password": "correct horse battery staple"})
    post(
        client,
        "/account",
        {
            "current_password": "correct horse battery staple",
            "new_password": "another fine passphrase",
            "confirm": "another fine passphrase",
        },
    )
    post(client, "/logout")
    failed = _events(app, Action.LOGIN_FAILED)
    assert len(failed) == 2
    assert failed[0].details["username_hash"] != failed[1].details["username_hash"]
    assert failed[0].object_id == str(account.id) and failed[1].object_id is None
    assert all(
        "sanna" not in json.dumps(e.details) and "ghost" not in json.dumps(e.details)
        for e in failed
    )
    for action in (
        Action.TOTP_FAILED,
        Action.LOGIN_SUCCEEDED,
        Action.REAUTHENTICATION_FAILED,
        Action.REAUTHENTICATED,
        Action.PASSWORD_CHANGED,
        Action.LOGOUT,
    ):
        assert len(_events(app, action)) == 1, action
    assert _events(app, Action.LOGIN_SUCCEEDED)[0].actor_label == "user:sanna"


def test_lockout_and_logout_everywhere_are_audited(app: Flask) -> None:
    make_user(app, "sanna")
    client = app.test_client()
    for _ in range(5):
        post(client, "/login", {"username": "sanna", "password": "wrong password!!"})
    assert len(_events(app, Action.LOCKOUT)) == 1
    other = app.test_client()
    make_user(app, "noora", agency="nuo")
    open_session(app, other, "noora")
    post(other, "/logout/everywhere")
    assert _events(app, Action.LOGOUT_EVERYWHERE)[0].details["sessions_ended"] == 1


def test_admin_actions_are_audited(app: Flask) -> None:
    target = make_user(app, "sanna")
    make_user(app, "root", "admin", "tur")
    client = app.test_client()
    open_session(app, client, "root")
    client.get(f"/admin/users/{target.id}")
    post(client, f"/admin/users/{target.id}/unlock")
    post(client, f"/admin/users/{target.id}/end-sessions")
    post(client, f"/admin/users/{target.id}/reset-password")
    post(client, f"/admin/users/{target.id}/active", {"active": "0"})
    for action in (
        Action.USER_READ,
        Action.USER_UNLOCKED,
        Action.USER_SESSIONS_ENDED,
        Action.USER_PASSWORD_RESET,
        Action.USER_ACTIVE_SET,
    ):
        events = _events(app, action)
        assert len(events) == 1 and events[0].object_id == str(target.id), action
        assert events[0].actor_label == "user:root"


def test_no_secret_or_typed_username_in_any_event_after_a_demo_run(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = demo_app.test_client()
    post(client, "/login", {"username": "mistyped-name", "password": "a typed wrong password"})
    for username, account in demo_accounts.items():
        sign_in(
            demo_app.test_client(),
            username,
            account["password"],
            b32_secret(account["totp_secret"]),
        )
    with demo_app.app_context():
        rows = db().execute(text("SELECT * FROM audit_events")).all()
    blob = "\n".join(repr(tuple(r)) for r in rows)
    assert "mistyped-name" not in blob and "a typed wrong password" not in blob
    for account in demo_accounts.values():
        assert account["password"] not in blob and account["totp_secret"] not in blob


def test_audit_details_refuse_free_text() -> None:
    from audit.events import AuditDetailError, _clean_detail

    assert _clean_detail("fields", ["surname", "given_names"]) == ["given_names", "surname"]
    with pytest.raises(AuditDetailError):
        _clean_detail("note", "Eetu Esimerkki was seen")
    with pytest.raises(AuditDetailError):
        _clean_detail("value", 1.5)


def test_a_page_that_forgets_to_commit_its_audit_event_is_not_served(app: Flask) -> None:
    from app.security import requires
    from cases.policy import Permission

    @app.get("/leaky")
    @requires(Permission.DASHBOARD_VIEW)
    def leaky() -> str:
        record(db(), AuditContext(None), Action.USER_READ)
        return "personal data"

    make_user(app, "sanna")
    client = app.test_client()
    open_session(app, client, "sanna")
    response = client.get("/leaky")
    assert response.status_code == 500 and "personal data" not in response.text
    assert _events(app, Action.USER_READ) == []
