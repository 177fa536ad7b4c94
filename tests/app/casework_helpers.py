"""What the case-work page tests share: demo users signed in, and the demo's ids by name."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from cases.accounts.models import Agency, User
from cases.casework.models import Case
from cases.persons import services as persons
from tests.helpers import b32_secret, reauthenticate, sign_in


def signed_in(app: Flask, accounts: dict[str, dict[str, str]], username: str) -> FlaskClient:
    client = app.test_client()
    account = accounts[username]
    response = sign_in(client, username, account["password"], b32_secret(account["totp_secret"]))
    assert response.status_code == 302, username
    # Emergency access needs a password entered on the re-authentication page (issue 9).
    reauthenticate(client, account["password"])
    return client


def case_id_of(app: Flask, code: str) -> uuid.UUID:
    """The case of the demo person with this identity code."""
    with app.app_context():
        person = persons.find_by_identity_code(db(), code)
        assert person is not None
        case = db().scalar(select(Case).where(Case.person_id == person.id))
        assert case is not None
        return case.id


def agency_ids(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {a.code: str(a.id) for a in db().scalars(select(Agency))}


def user_ids(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {u.username: str(u.id) for u in db().scalars(select(User))}
