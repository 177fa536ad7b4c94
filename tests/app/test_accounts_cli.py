"""The account commands (`app/accounts/cli.py`): `flask agencies create`, `flask users create`."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from cases.accounts.models import User

PASSPHRASE = "a long admin passphrase"


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner on an app with the agency `sos` created by the command."""
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=[
            "agencies",
            "create",
            "--code",
            "sos",
            "--name",
            "Sosiaali",
            "--kind",
            "social_services",
        ]
    )
    assert made.exit_code == 0, made.output
    return runner


def _create_user(
    runner: FlaskCliRunner, username: str, password: str = PASSPHRASE, agency: str = "sos"
) -> Result:
    return runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            username,
            "--display-name",
            username.title(),
            "--agency",
            agency,
            "--role",
            "admin",
        ],
        input=f"{password}\n{password}\n",
    )


def test_an_agency_code_is_taken_once(runner: FlaskCliRunner) -> None:
    again = runner.invoke(
        args=["agencies", "create", "--code", "sos", "--name", "X", "--kind", "ngo"]
    )
    assert again.exit_code == 1 and "agency_code_taken" in again.output


def test_a_user_is_created_with_the_password_from_the_prompt(
    app: Flask, runner: FlaskCliRunner
) -> None:
    created = _create_user(runner, "root")
    assert created.exit_code == 0, created.output
    assert PASSPHRASE not in created.output
    with app.app_context():
        root = db().scalar(select(User).where(User.username == "root"))
        assert root is not None and not root.must_change_password and not root.totp_enrolled


def test_a_weak_password_is_refused_with_the_rule(runner: FlaskCliRunner) -> None:
    weak = _create_user(runner, "weak", password="short")
    assert weak.exit_code == 1 and "at least 12" in weak.output


def test_a_username_is_taken_once(runner: FlaskCliRunner) -> None:
    assert _create_user(runner, "root").exit_code == 0
    taken = _create_user(runner, "root", password="another long passphrase")
    assert taken.exit_code == 1 and "username_taken" in taken.output


def test_a_user_needs_an_existing_agency(runner: FlaskCliRunner) -> None:
    no_agency = _create_user(runner, "x1", agency="zzz")
    assert no_agency.exit_code == 1 and "no agency" in no_agency.output
