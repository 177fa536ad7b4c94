"""Issue 9, finding 7: an admin never sees a practitioner's password; a supervisor of the
agency releases it (or, where there is none, a host operator with the CLI)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db, silta
from audit.events import Action, AuditContext
from audit.models import AuditEvent
from cases.accounts import release
from cases.accounts import services as accounts
from tests.helpers import PASSWORD, make_user, open_session, post

SECRET_RE = re.compile(r'<code class="secret">([^<]+)</code>')
NEW = "my own long passphrase"


def _events(app: Flask, action: Action) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action)
        return list(db().scalars(query.order_by(AuditEvent.occurred_at)))


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username)
    return client


def _create(admin: FlaskClient, username: str, role: str, agency: str = "sos"):  # type: ignore[no-untyped-def]
    return post(
        admin,
        "/admin/users/new",
        {"username": username, "display_name": username.title(), "agency": agency, "role": role},
    )


def _user_id(app: Flask, username: str) -> uuid.UUID:
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        assert user is not None
        return user.id


@pytest.fixture
def agencies(app: Flask) -> Flask:
    make_user(app, "root", "admin", "tur")
    make_user(app, "helena", "supervisor", "sos")
    make_user(app, "nelli", "supervisor", "nuo")
    make_user(app, "sanna", "caseworker", "sos")
    make_user(app, "aino", "auditor", "tur")
    return app


@pytest.mark.parametrize(
    ("role", "admin_sees_password"),
    [
        ("caseworker", False),
        ("supervisor", False),
        ("analyst", True),
        ("auditor", True),
        ("admin", True),
    ],
)
def test_admin_sees_a_password_only_for_accounts_without_case_content(
    agencies: Flask, role: str, admin_sees_password: bool
) -> None:
    app = agencies
    admin = _client(app, "root")
    created = _create(admin, "uusi", role)
    assert created.status_code == 201
    assert bool(SECRET_RE.search(created.text)) == admin_sees_password
    target = _user_id(app, "uusi")
    make_user(app, "old", role, "sos")
    reset = post(admin, f"/admin/users/{_user_id(app, 'old')}/reset-password")
    assert reset.status_code == 200
    assert bool(SECRET_RE.search(reset.text)) == admin_sees_password
    pending = _events(app, Action.CREDENTIAL_PENDING)
    assert len(pending) == (0 if admin_sees_password else 2)
    assert [e.details["reason"] for e in pending] == (
        [] if admin_sees_password else ["created", "reset"]
    )
    del target


def test_supervisor_releases_and_alone_sees_the_password(agencies: Flask) -> None:
    app = agencies
    admin = _client(app, "root")
    created = _create(admin, "uusi", "caseworker")
    assert "waits for release" in created.text and not SECRET_RE.search(created.text)
    target = _user_id(app, "uusi")
    # A pending account cannot sign in: nobody knows its password, and it is refused anyway.
    with app.app_context():
        pending_user = accounts.get_user_by_username(db(), "uusi")
        assert pending_user is not None and pending_user.awaiting_release
        assert not accounts.may_sign_in(pending_user, pending_user.created_at)
    assert "Waiting for release" in admin.get(f"/admin/users/{target}").text

    helena = _client(app, "helena")
    assert "Credentials to release" in helena.get("/").text
    listing = helena.get("/accounts/pending")
    assert listing.status_code == 200 and "uusi" in listing.text
    nelli = _client(app, "nelli")
    assert "uusi" not in nelli.get("/accounts/pending").text
    assert post(nelli, f"/accounts/pending/{target}/release").status_code == 403
    for other in ("sanna", "root", "aino"):
        client = _client(app, other)
        assert client.get("/accounts/pending").status_code == 403
        assert post(client, f"/accounts/pending/{target}/release").status_code == 403

    released = post(helena, f"/accounts/pending/{target}/release")
    assert released.status_code == 200
    temporary = SECRET_RE.search(released.text)
    assert temporary is not None
    again = post(helena, f"/accounts/pending/{target}/release", follow_redirects=True)
    assert "no credential waiting" in again.text and not SECRET_RE.search(again.text)
    assert "uusi" not in helena.get("/accounts/pending").text

    newcomer = app.test_client()
    first = post(newcomer, "/login", {"username": "uusi", "password": temporary.group(1)})
    assert first.location == "/login/new-password"
    chosen = post(newcomer, "/login/new-password", {"new_password": NEW, "confirm": NEW})
    assert chosen.location == "/login/enrol"

    release_events = _events(app, Action.CREDENTIAL_RELEASED)
    assert [(e.object_id, e.actor_label) for e in release_events] == [(str(target), "user:helena")]
    assert release_events[0].details["by_host_operator"] is False


def test_a_reset_practitioner_waits_too_and_the_old_password_is_gone(agencies: Flask) -> None:
    app = agencies
    target = _user_id(app, "sanna")
    victim = _client(app, "sanna")
    before = _version(app, "sanna")
    reset = post(_client(app, "root"), f"/admin/users/{target}/reset-password")
    assert reset.status_code == 200 and not SECRET_RE.search(reset.text)
    assert victim.get("/").status_code == 302
    refused = post(app.test_client(), "/login", {"username": "sanna", "password": PASSWORD})
    assert refused.status_code == 401
    released = post(_client(app, "helena"), f"/accounts/pending/{target}/release")
    assert SECRET_RE.search(released.text)
    assert _version(app, "sanna") >= before + 2  # the reset and the release


def _version(app: Flask, username: str) -> int:
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        assert user is not None
        return user.credential_version


def test_a_supervisor_cannot_release_their_own_reset(agencies: Flask) -> None:
    app = agencies
    make_user(app, "hilkka", "supervisor", "sos")
    hilkka = _user_id(app, "hilkka")
    post(_client(app, "root"), f"/admin/users/{hilkka}/reset-password")
    # Helena (the other sos supervisor) sees it; the CLI is refused while she is there.
    assert "hilkka" in _client(app, "helena").get("/accounts/pending").text
    result = app.test_cli_runner().invoke(args=["users", "release", "hilkka"])
    assert result.exit_code == 1 and "active supervisor" in result.output


def test_release_needs_a_fresh_password(agencies: Flask) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    app = agencies
    _create(_client(app, "root"), "uusi", "caseworker")
    helena = _client(app, "helena")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        asked = post(helena, f"/accounts/pending/{_user_id(app, 'uusi')}/release")
        assert asked.status_code == 302 and asked.location.startswith("/reauthenticate")


def test_both_steps_are_flagged_to_auditors(agencies: Flask) -> None:
    app = agencies
    _create(_client(app, "root"), "uusi", "caseworker")
    post(_client(app, "helena"), f"/accounts/pending/{_user_id(app, 'uusi')}/release")
    flagged = _client(app, "aino").get("/audit/flagged")
    assert flagged.status_code == 200
    assert "account:credential:pending" in flagged.text
    assert "account:credential:release" in flagged.text


def test_host_operator_releases_where_the_agency_has_no_other_supervisor(app: Flask) -> None:
    make_user(app, "root", "admin", "tur")
    make_user(app, "jari", "caseworker", "ngo")
    post(_client(app, "root"), f"/admin/users/{_user_id(app, 'jari')}/reset-password")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "release", "jari"])
    assert result.exit_code == 0, result.output
    temporary = result.output.strip().splitlines()[-1]
    newcomer = app.test_client()
    assert post(newcomer, "/login", {"username": "jari", "password": temporary}).location == (
        "/login/new-password"
    )
    event = _events(app, Action.CREDENTIAL_RELEASED)[0]
    assert event.actor_label == "cli:users release" and event.details["by_host_operator"] is True
    assert runner.invoke(args=["users", "release", "jari"]).exit_code == 1
    assert runner.invoke(args=["users", "release", "nobody"]).exit_code == 1


def test_demo_practitioners_come_released_by_the_seed(demo_app: Flask) -> None:
    from app.demo import DEMO_USERS

    released = _events(demo_app, Action.CREDENTIAL_RELEASED)
    practitioners = {u for u, _n, role, _a in DEMO_USERS if role in ("caseworker", "supervisor")}
    assert len(released) == len(practitioners)
    assert {e.actor_label for e in released} == {"cli:demo seed"}
    assert all(e.details["seeded"] is True for e in released)
    assert _events(demo_app, Action.CREDENTIAL_PENDING) == []


def test_a_credential_is_released_once_even_by_simultaneous_requests(agencies: Flask) -> None:
    """The re-attack's race: four simultaneous releases each showed a temporary password, and
    only the last one worked. The second request here read the account while it was pending."""
    app = agencies
    _create(_client(app, "root"), "uusi", "caseworker")
    with app.app_context():
        first = db()
        stale = type(first)(bind=first.get_bind(), info=dict(first.info))
        seen = accounts.get_user_by_username(stale, "uusi")
        assert seen is not None and seen.awaiting_release
        user = accounts.get_user_by_username(first, "uusi")
        helena = accounts.get_user_by_username(first, "helena")
        assert user is not None and helena is not None
        release.release_credential(first, AuditContext(helena), silta().passwords, user)
        first.commit()
        other = accounts.get_user_by_username(stale, "helena")
        with pytest.raises(accounts.AccountError):
            release.release_credential(stale, AuditContext(other), silta().passwords, seen)
        stale.rollback()
        stale.close()
    assert len(_events(app, Action.CREDENTIAL_RELEASED)) == 1
