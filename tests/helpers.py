"""Test helpers: CSRF tokens, users, TOTP codes and signing in through the real forms."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db, silta
from audit.events import AuditContext
from cases.accounts import admin, signin, totp
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.policy import CliActor

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery staple"
KINDS = {
    "sos": "social_services",
    "nuo": "youth_work",
    "pol": "police",
    "ngo": "ngo",
    "tur": "coordination",
}


@dataclass
class Account:
    id: object
    username: str
    password: str
    secret: bytes | None


def csrf_token(client: FlaskClient) -> str:
    response = client.get("/login", follow_redirects=True)
    match = CSRF_RE.search(response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post(
    client: FlaskClient, path: str, data: dict[str, str] | None = None, **kw: object
) -> TestResponse:
    """POST a form with a valid CSRF token, as a browser would."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kw)


def make_user(
    app: Flask,
    username: str,
    role: str = "caseworker",
    agency: str = "sos",
    *,
    password: str = PASSWORD,
    enrolled: bool = True,
) -> Account:
    """Create (or reuse) an agency and an account with a known password and TOTP secret."""
    ctx = AuditContext(CliActor("tests"))
    with app.app_context():
        session = db()
        found = accounts.get_agency_by_code(session, agency)
        if found is None:
            found = admin.create_agency(
                session, ctx, agency, f"Agency {agency}", KINDS.get(agency, "ngo")
            )
        user, _ = admin.create_user(
            session,
            ctx,
            silta().passwords,
            username=username,
            display_name=username.title(),
            agency=found,
            role=role,
            password=password,
        )
        secret = None
        if enrolled:
            secret = totp.new_secret()
            accounts.enrol_totp_secret(session, silta().keys(), user, secret)
        session.commit()
        return Account(user.id, username, password, secret)


def code_for(secret: bytes, moment: datetime | None = None) -> str:
    return totp.code_at(secret, moment or datetime.now(UTC))


def b32_secret(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def sign_in(client: FlaskClient, username: str, password: str, secret: bytes) -> TestResponse:
    """Sign in through the real forms: password, then the current TOTP code."""
    first = post(client, "/login", {"username": username, "password": password})
    assert first.status_code == 302, first.text
    assert first.location.endswith("/login/code")
    return post(client, "/login/code", {"code": code_for(secret)})


def reauthenticate(client: FlaskClient, password: str = PASSWORD) -> TestResponse:
    """Enter the password on the re-authentication page, as emergency access, exports and
    resets require (signing in alone does not count since issue 9)."""
    response = post(client, "/reauthenticate", {"password": password})
    assert response.status_code == 302, response.text
    return response


def open_session(
    app: Flask,
    client: FlaskClient,
    username: str,
    *,
    reauthenticated: bool = True,
    password: str = PASSWORD,
) -> None:
    """Give `client` a live server-side session for `username` without the sign-in forms.

    By default the session has also re-authenticated just now with `password` (through the
    re-authentication service), as a user about to take a sensitive action would have.
    """
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        assert user is not None
        token, user_session = signin.complete_sign_in(db(), AuditContext(None), user)
        if reauthenticated:
            assert signin.reauthenticate(
                db(), AuditContext(user), silta().passwords, silta().auth, user_session, password
            )
        db().commit()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = token
        browser_session["_fresh"] = True


def load_user(app: Flask, username: str) -> User:
    with app.app_context():
        user = accounts.get_user_by_username(db(), username)
        assert user is not None
        db().expunge(user)
        return user
