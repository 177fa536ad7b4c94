"""Operator commands: keys, database, the demo and the audit log (accounts: test_accounts_cli)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, text, update

from app.extensions import db
from cases.accounts.models import Agency, User
from cases.casework.models import Consent


def test_keys_init_writes_and_refuses_to_overwrite(make_app, tmp_path: Path) -> None:
    path = tmp_path / "new-keyring.json"
    app = make_app(SILTA_KEYRING=str(path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["keys", "init"])
    assert first.exit_code == 0 and path.exists()
    before = path.read_text()
    second = runner.invoke(args=["keys", "init"])
    assert second.exit_code == 1 and "refusing to overwrite" in second.output
    assert path.read_text() == before
    app.config["SILTA_KEYRING"] = None
    assert runner.invoke(args=["keys", "init"]).exit_code == 2


def test_db_upgrade_migrates_an_empty_database(make_app, databases) -> None:
    app = make_app(db_url=databases.empty())
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db().scalars(select(Agency)).all() == []


def test_demo_seed_is_idempotent_and_writes_the_logins(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    target = tmp_path / "accounts.json"
    assert runner.invoke(args=["demo", "seed", "--accounts-json", str(target)]).exit_code == 0
    first = target.read_text()
    assert oct(target.stat().st_mode & 0o777) == "0o600"

    def snapshot() -> list[tuple[object, ...]]:
        with app.app_context():
            return [
                (u.username, u.password_hash, u.totp_secret, u.demo_password, u.role, u.agency.code)
                for u in db().scalars(select(User).order_by(User.username))
            ]

    before = snapshot()
    with app.app_context():
        events_before = db().scalar(text("SELECT count(*) FROM audit_events"))
    assert runner.invoke(args=["demo", "seed", "--accounts-json", str(target)]).exit_code == 0
    assert snapshot() == before
    with app.app_context():
        assert db().scalar(text("SELECT count(*) FROM audit_events")) == events_before
    assert target.read_text() == first
    listing = json.loads(first)
    assert [a["username"] for a in listing] == [
        "sanna",
        "helena",
        "noora",
        "nelli",
        "pekka",
        "petri",
        "jari",
        "aino",
        "timo",
        "admin",
    ]
    assert set(listing[0]) == {"username", "password", "totp_secret", "role", "agency"}
    logins = runner.invoke(args=["demo", "logins"])
    assert listing[0]["password"] in logins.output


def test_demo_code_prints_the_current_code(app: Flask) -> None:
    from tests.helpers import b32_secret, code_for, make_user

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed", "--accounts-json", str(Path(app.instance_path) / "a.json")])
    listing = json.loads((Path(app.instance_path) / "a.json").read_text())
    sanna = next(a for a in listing if a["username"] == "sanna")
    output = runner.invoke(args=["demo", "code", "sanna"]).output.strip()
    assert output == code_for(b32_secret(sanna["totp_secret"]))
    make_user(app, "real", agency="sos")
    refused = runner.invoke(args=["demo", "code", "real"])
    assert refused.exit_code == 1 and "not a demo account" in refused.output


def test_demo_commands_are_refused_in_production(app: Flask) -> None:
    app.config["SILTA_ENV"] = "production"
    runner = app.test_cli_runner()
    for args in (["demo", "seed"], ["demo", "code", "sanna"], ["demo", "logins"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "refused" in result.output


def test_db_upgrade_fills_in_the_birth_date_of_consents_from_before_0007(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        db().execute(update(Consent).values(birth_date_when_given_ct=None))
        db().commit()
        legacy = db().scalar(select(func.count()).select_from(Consent))
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"Filled in the recorded birth date of {legacy} consent(s)" in result.output
    with app.app_context():
        missing = db().scalar(
            select(func.count()).where(Consent.birth_date_when_given_ct.is_(None))
        )
        assert missing == 0
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "Filled in" not in again.output


def test_persons_reclean_names_leaves_the_clean_demo_alone(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    result = runner.invoke(args=["persons", "reclean-names"])
    assert result.exit_code == 0, result.output
    assert "Wrote a cleaned version for 0 person(s)." in result.output
