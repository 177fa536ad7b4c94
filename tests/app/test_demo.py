"""The demo seed: agencies and users to the letter, TOTP enrolled, secrets stored encrypted."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, text

from app.demo import DEMO_AGENCIES, DEMO_USERS
from app.extensions import db
from cases.accounts.models import Agency, User
from tests.helpers import b32_secret, sign_in


def test_demo_agencies_and_users_follow_the_issue(demo_app: Flask) -> None:
    with demo_app.app_context():
        agencies = {a.code: (a.name, a.kind) for a in db().scalars(select(Agency))}
        assert agencies == {code: (name, kind) for code, name, kind in DEMO_AGENCIES}
        assert agencies["sos"] == ("Helsingin kaupunki, sosiaalipalvelut", "social_services")
        assert agencies["tur"] == (
            "Kaupunginkanslia, turvallisuus- ja valmiusyksikkö",
            "coordination",
        )
        users = {
            u.username: (u.display_name, u.role, u.agency.code, u.is_demo, u.totp_enrolled)
            for u in db().scalars(select(User))
        }
    assert users == {
        name: (display, role, agency, True, True) for name, display, role, agency in DEMO_USERS
    }
    assert users["helena"] == ("Helena Heikkilä", "supervisor", "sos", True, True)
    assert users["admin"] == ("Ylläpitäjä", "admin", "tur", True, True)


def test_every_demo_login_works(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    for username, account in demo_accounts.items():
        client = demo_app.test_client()
        response = sign_in(
            client, username, account["password"], b32_secret(account["totp_secret"])
        )
        assert response.location == "/", username


def test_secrets_are_not_stored_in_plaintext(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    needles = []
    for account in demo_accounts.values():
        secret = b32_secret(account["totp_secret"])
        needles += [account["password"], account["totp_secret"], secret.hex()]
    with demo_app.app_context():
        session = db()
        tables = ["agencies", "users", "user_sessions", "data_keys"]
        dump = []
        for table in tables:
            for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                dump.append(repr(tuple(row)))
        blob = "\n".join(dump)
    for needle in needles:
        assert needle not in blob
    url = demo_app.config["SILTA_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        raw = b""
        for suffix in ("", "-wal"):
            try:
                with open(url.removeprefix("sqlite:///") + suffix, "rb") as handle:
                    raw += handle.read()
            except FileNotFoundError:
                pass
        assert raw
        for account in demo_accounts.values():
            assert account["password"].encode() not in raw
            assert b32_secret(account["totp_secret"]) not in raw
            assert b32_secret(account["totp_secret"]).hex().encode() not in raw
