"""Issue 9, findings 1, 6, 8 and 11 (sessions): the credential version voids half-finished
sign-ins and sessions; the password-change form is no oracle; signing in is no
re-authentication; timeouts are audited and the admin's session count ignores them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from audit.events import Action
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.accounts.models import Agency, User
from tests.app.casework_helpers import case_id_of
from tests.conftest import AppFactory
from tests.helpers import (
    PASSWORD,
    Account,
    b32_secret,
    code_for,
    make_user,
    open_session,
    post,
    reauthenticate,
    sign_in,
)

NEW = "a brand new long passphrase"


def _events(app: Flask, action: Action) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action)
        return list(db().scalars(query.order_by(AuditEvent.occurred_at)))


def _user(app: Flask, username: str) -> User:
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        assert user is not None
        db().expunge(user)
        return user


def _admin(app: Flask) -> FlaskClient:
    make_user(app, "root", "admin", "tur")
    client = app.test_client()
    open_session(app, client, "root")
    return client


# --- credential changes, as an admin or the user makes them --------------------------------


def _admin_reset(app: Flask, target: Account) -> None:
    assert post(_admin(app), f"/admin/users/{target.id}/reset-password").status_code == 200


def _deactivate_and_reactivate(app: Flask, target: Account) -> None:
    admin = _admin(app)
    for value in ("0", "1"):
        assert post(admin, f"/admin/users/{target.id}/active", {"active": value}).status_code == 302


def _agency_off_and_on(app: Flask, target: Account) -> None:
    admin = _admin(app)
    with app.app_context():
        agency_id = db().scalar(select(Agency.id).where(Agency.code == "sos"))
    for value in ("0", "1"):
        response = post(admin, f"/admin/agencies/{agency_id}/active", {"active": value})
        assert response.status_code == 302


def _admin_unlock(app: Flask, target: Account) -> None:
    assert post(_admin(app), f"/admin/users/{target.id}/unlock").status_code == 302


def _own_password_change(app: Flask, target: Account) -> None:
    laptop = app.test_client()
    open_session(app, laptop, target.username)
    changed = post(
        laptop, "/account", {"current_password": PASSWORD, "new_password": NEW, "confirm": NEW}
    )
    assert changed.status_code == 302


CHANGES: dict[str, Callable[[Flask, Account], None]] = {
    "admin_reset": _admin_reset,
    "deactivate_and_reactivate": _deactivate_and_reactivate,
    "agency_deactivated_and_reactivated": _agency_off_and_on,
    "admin_unlock": _admin_unlock,
    "own_password_change": _own_password_change,
}
# Roles whose reset keeps the admin's temporary password, and one whose credential waits.
ROLES = [("auditor", "sos"), ("caseworker", "sos")]


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize(("role", "agency"), ROLES)
def test_half_finished_sign_in_is_void_after_a_credential_change(
    app: Flask, change: str, role: str, agency: str
) -> None:
    account = make_user(app, "sanna", role, agency)
    attacker = app.test_client()
    step = post(attacker, "/login", {"username": "sanna", "password": PASSWORD})
    assert step.location == "/login/code"
    CHANGES[change](app, account)
    assert account.secret is not None
    for path in ("/login/code", "/login/new-password", "/login/enrol"):
        assert attacker.get(path).location == "/login", path
    attempt = post(attacker, "/login/code", {"code": code_for(account.secret)})
    assert attempt.location == "/login"
    assert attacker.get("/").status_code == 302
    voided = _events(app, Action.SIGN_IN_VOIDED)
    assert voided and voided[0].object_id == str(account.id)


def test_the_password_step_then_an_admin_reset_then_the_attacker_continues(app: Flask) -> None:
    """The attack of finding 1: knowing the old password but not the TOTP secret, go on after
    the admin's reset to choose a new password and enrol one's own authenticator."""
    account = make_user(app, "aino", "auditor", "tur")
    attacker = app.test_client()
    assert post(attacker, "/login", {"username": "aino", "password": PASSWORD}).status_code == 302
    reset = post(_admin(app), f"/admin/users/{account.id}/reset-password")
    temporary = re.search(r'<code class="secret">([^<]+)</code>', reset.text)
    assert temporary is not None
    chosen = post(attacker, "/login/new-password", {"new_password": NEW, "confirm": NEW})
    assert chosen.location == "/login"
    assert attacker.get("/login/enrol").location == "/login"
    assert _user(app, "aino").must_change_password
    # The rightful user, with the temporary password handed over, still gets in.
    rightful = app.test_client()
    first = post(rightful, "/login", {"username": "aino", "password": temporary.group(1)})
    assert first.location == "/login/new-password"
    then = post(rightful, "/login/new-password", {"new_password": NEW, "confirm": NEW})
    assert then.location == "/login/enrol"


@pytest.mark.parametrize("change", list(CHANGES))
def test_sessions_are_void_after_a_credential_change(app: Flask, change: str) -> None:
    account = make_user(app, "sanna", "auditor", "sos")
    victim = app.test_client()
    open_session(app, victim, "sanna")
    CHANGES[change](app, account)
    assert victim.get("/").status_code == 302


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_credential_change_changes_the_version(app: Flask, change: str) -> None:
    account = make_user(app, "sanna", "auditor", "sos")
    before = _user(app, "sanna").credential_version
    CHANGES[change](app, account)
    assert _user(app, "sanna").credential_version > before


def test_a_session_of_an_older_credential_version_is_refused(app: Flask) -> None:
    make_user(app, "sanna")
    client = app.test_client()
    open_session(app, client, "sanna")
    with app.app_context():
        user = accounts.get_user_by_username(db(), "sanna")
        assert user is not None
        user.credential_version += 1  # as another process's change would leave it
        db().commit()
    assert client.get("/").status_code == 302
    assert [e.details["reason"] for e in _events(app, Action.SESSION_VOIDED)] == [
        "credential_changed"
    ]


def test_the_password_step_is_audited(app: Flask) -> None:
    account = make_user(app, "sanna")
    client = app.test_client()
    post(client, "/login", {"username": "sanna", "password": PASSWORD})
    accepted = _events(app, Action.LOGIN_PASSWORD_ACCEPTED)
    assert [(e.object_id, e.actor_user_id) for e in accepted] == [(str(account.id), account.id)]
    assert accepted[0].details == {"must_change_password": False, "totp_enrolled": True}


def test_replacing_the_temporary_password_carries_the_sign_in_on(app: Flask) -> None:
    make_user(app, "noora", "analyst", "tur", enrolled=False)
    with app.app_context():
        user = accounts.get_user_by_username(db(), "noora")
        assert user is not None
        user.must_change_password = True
        db().commit()
    client = app.test_client()
    assert post(client, "/login", {"username": "noora", "password": PASSWORD}).status_code == 302
    before = _user(app, "noora").credential_version
    chosen = post(client, "/login/new-password", {"new_password": NEW, "confirm": NEW})
    assert chosen.location == "/login/enrol"
    assert client.get("/login/enrol").status_code == 200
    assert _user(app, "noora").credential_version == before + 1


# --- finding 6: the password-change form ----------------------------------------------------


def _wrong_change(client: FlaskClient):  # type: ignore[no-untyped-def]
    return post(
        client,
        "/account",
        {"current_password": "not it at all", "new_password": NEW, "confirm": NEW},
    )


def test_wrong_current_passwords_count_lock_and_are_audited(app: Flask) -> None:
    account = make_user(app, "sanna")
    client, other = app.test_client(), app.test_client()
    open_session(app, client, "sanna")
    open_session(app, other, "sanna")
    for _ in range(4):
        assert _wrong_change(client).status_code == 400
    locked = _wrong_change(client)
    assert locked.status_code == 302 and locked.location == "/login"
    assert client.get("/").status_code == 302 and other.get("/").status_code == 302
    failures = _events(app, Action.PASSWORD_CHANGE_FAILED)
    assert len(failures) == 5 and {e.object_id for e in failures} == {str(account.id)}
    assert len(_events(app, Action.LOCKOUT)) == 1
    assert accounts.is_locked(_user(app, "sanna"), datetime.now(UTC))
    refused = post(app.test_client(), "/login", {"username": "sanna", "password": PASSWORD})
    assert refused.status_code == 401


def test_password_change_and_re_authentication_failures_share_one_counter(app: Flask) -> None:
    make_user(app, "sanna")
    client = app.test_client()
    open_session(app, client, "sanna")
    for _ in range(2):
        assert post(client, "/reauthenticate", {"password": "wrong wrong"}).status_code == 401
    for _ in range(2):
        assert _wrong_change(client).status_code == 400
    assert _wrong_change(client).location == "/login"


def test_the_password_change_form_is_rate_limited(make_app: AppFactory) -> None:
    app = make_app(SILTA_LOGIN_RATE_LIMIT="3 per minute")
    make_user(app, "sanna")
    client = app.test_client()
    open_session(app, client, "sanna")
    statuses = [_wrong_change(client).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


# --- finding 8: signing in is not re-authentication -----------------------------------------


def test_signing_in_does_not_count_as_re_authentication(app: Flask) -> None:
    admin = make_user(app, "root", "admin", "tur")
    target = make_user(app, "aino", "auditor", "tur")
    client = app.test_client()
    assert admin.secret is not None
    assert sign_in(client, "root", PASSWORD, admin.secret).location == "/"
    new_user = client.get("/admin/users/new")
    assert new_user.status_code == 302
    assert new_user.location.startswith("/reauthenticate?next=/admin/users/new")
    reset = post(client, f"/admin/users/{target.id}/reset-password")
    assert reset.status_code == 302 and reset.location.startswith("/reauthenticate")
    reauthenticate(client, PASSWORD)
    assert client.get("/admin/users/new").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        assert client.get("/admin/users/new").location.startswith("/reauthenticate")


def test_an_export_right_after_signing_in_asks_for_the_password(app: Flask) -> None:
    auditor = make_user(app, "aino", "auditor", "tur")
    client = app.test_client()
    assert auditor.secret is not None
    sign_in(client, "aino", PASSWORD, auditor.secret)
    asked = client.get("/audit/export?format=csv")
    assert asked.status_code == 302 and asked.location.startswith("/reauthenticate")
    reauthenticate(client)
    assert client.get("/audit/export?format=csv").status_code == 200


def test_emergency_access_right_after_signing_in_asks_for_the_password(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    case_id = case_id_of(demo_app, "140310A1230")  # P1: nuo is on the team
    account = demo_accounts["noora"]
    client = demo_app.test_client()
    sign_in(client, "noora", account["password"], b32_secret(account["totp_secret"]))
    asked = post(client, f"/cases/{case_id}/emergency", {"justification": "kiire"})
    assert asked.status_code == 302 and asked.location.startswith("/reauthenticate")


# --- finding 11 (sessions): timeouts audited, and the admin's count ------------------------


@pytest.mark.parametrize(
    ("reason", "steps"),
    [("idle_timeout", [timedelta(minutes=16)]), ("absolute_timeout", [timedelta(minutes=10)] * 61)],
)
def test_session_timeouts_are_audited(app: Flask, reason: str, steps: list[timedelta]) -> None:
    account = make_user(app, "sanna")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        client = app.test_client()
        open_session(app, client, "sanna")
        for step in steps:
            clock.shift(step)
            if client.get("/").status_code != 200:
                break
        assert client.get("/").status_code == 302
    timed_out = _events(app, Action.SESSION_TIMED_OUT)
    assert [(e.details["reason"], e.actor_user_id) for e in timed_out] == [(reason, account.id)]


@pytest.mark.parametrize("elapsed", [timedelta(minutes=16), timedelta(hours=10, minutes=1)])
def test_admin_session_count_ignores_timed_out_sessions(app: Flask, elapsed: timedelta) -> None:
    target = make_user(app, "sanna")
    make_user(app, "root", "admin", "tur")
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        worker = app.test_client()
        open_session(app, worker, "sanna")
        if elapsed > timedelta(hours=1):
            # Busy all day, so only the absolute timeout applies.
            for _ in range(60):
                clock.shift(timedelta(minutes=10))
                assert worker.get("/").status_code == 200
            clock.move_to(start + elapsed)
        else:
            clock.shift(elapsed)
        admin = app.test_client()
        open_session(app, admin, "root")
        page = admin.get(f"/admin/users/{target.id}")
    assert re.search(r"Open sessions</dt><dd>0</dd>", page.text), page.text


def test_admin_session_count_counts_live_sessions(app: Flask) -> None:
    target = make_user(app, "sanna")
    for _ in range(2):
        open_session(app, app.test_client(), "sanna")
    page = _admin(app).get(f"/admin/users/{target.id}")
    assert "Open sessions</dt><dd>2</dd>" in page.text


# --- account text inputs (finding 10's rule, for accounts) ----------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "Sanna\x00Saarinen", "control characters"),
        ("display_name", "Sanna \x1b[31mSaarinen", "control characters"),
        ("display_name", "Sanna\nSaarinen", "one line"),
        ("username", "sanna\x00", "control characters"),
    ],
)
def test_account_text_refuses_control_characters(
    app: Flask, field: str, value: str, message: str
) -> None:
    client = _admin(app)
    make_user(app, "xavier", agency="sos")
    data = {"username": "newbie", "display_name": "New Bie", "agency": "sos", "role": "analyst"}
    data[field] = value
    response = post(client, "/admin/users/new", data)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert db().scalar(select(User).where(User.display_name.contains("Saarinen"))) is None
        assert accounts.get_user_by_username(db(), "newbie") is None


def test_agency_name_refuses_control_characters(app: Flask) -> None:
    client = _admin(app)
    response = post(
        client, "/admin/agencies", {"code": "sko", "name": "Koulu\x07", "kind": "school"}
    )
    assert response.status_code == 400 and "control characters" in response.text
    with app.app_context():
        assert accounts.get_agency_by_code(db(), "sko") is None
