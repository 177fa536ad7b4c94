"""Key rotation end to end: rotate, rewrap (idempotent, resumable), status, retire."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db, silta
from audit.events import AuditContext
from audit.models import AuditEvent
from cases import keys as key_services
from cases.accounts import services as accounts
from cases.persons import services as persons
from cases.policy import CliActor, PolicyDenied
from core import datakeys, keyring
from tests.conftest import AppFactory
from tests.helpers import make_user

OPERATOR = AuditContext(CliActor("tests"))


@pytest.fixture
def rotating(make_app: AppFactory, keyring_file: Path, tmp_path: Path) -> Flask:
    """An app with a keyring file of its own (the shared one must not rotate)."""
    path = tmp_path / "keyring.json"
    shutil.copy(keyring_file, path)
    path.chmod(0o600)
    return make_app(SILTA_KEYRING=str(path))


def _people(app: Flask, count: int) -> list[tuple[str, str]]:
    make_user(app, "sanna", "caseworker", "sos")
    with app.app_context():
        session = db()
        user = accounts.get_user_by_username(session, "sanna")
        made = []
        for number in range(count):
            details = persons.PersonDetails(
                given_names=f"Given{number}",
                surname=f"Surname{number}",
                birth_date=date(2010, 1, 1),
            )
            person = persons.register(session, AuditContext(user), details, confirmed=True)
            made.append((str(person.id), details.surname))
        session.commit()
        return made


def _all_readable(app: Flask, made: list[tuple[str, str]]) -> bool:
    with app.app_context():
        session = db()
        datakeys.forget_unwrapped(session)
        for person_id, surname in made:
            person = persons.get_person(session, __import__("uuid").UUID(person_id))
            assert person is not None
            details = persons.current_details(session, person)
            if details is None or details.surname != surname:
                return False
        return True


def test_rotate_rewrap_status_retire(rotating: Flask) -> None:
    made = _people(rotating, 5)
    path = Path(rotating.config["SILTA_KEYRING"])
    assert keyring.load(path).current_kek == 1
    with rotating.app_context():
        session, keys = db(), silta().keys()
        assert key_services.rotate(session, OPERATOR, keys) == 2
        session.commit()
        assert keys.kek(2)  # this worker follows the file at once when asked for version 2
        status = key_services.status(session, OPERATOR, keys)
        assert (
            status.current == 2 and status.live_by_version == {1: 6} and status.needing_rewrap == 6
        )
        session.commit()
        with pytest.raises(key_services.KeyInUse, match="6 data keys"):
            key_services.retire(session, OPERATOR, keys, 1)
    assert _all_readable(rotating, made)  # old-wrapped keys still open before the rewrap
    with rotating.app_context():
        session, keys = db(), silta().keys()
        seen: list[int] = []
        assert key_services.rewrap(session, OPERATOR, keys, batch_size=4, progress=seen.append) == 6
        assert seen == [4, 2]
        assert key_services.rewrap(session, OPERATOR, keys) == 0  # idempotent
        assert datakeys.count_by_kek_version(session) == {2: 6}
        key_services.retire(session, OPERATOR, keys, 1)
        session.commit()
        with pytest.raises(key_services.KeyInUse, match="current"):
            key_services.retire(session, OPERATOR, keys, 2)
        actions = [
            e.action
            for e in session.scalars(select(AuditEvent).where(AuditEvent.action.like("cli:keys:%")))
        ]
        assert actions.count("cli:keys:rewrap") == 2 and "cli:keys:rotate" in actions
        assert "cli:keys:retire" in actions and "cli:keys:status" in actions
    assert keyring.load(path).keks.keys() == {2}
    assert _all_readable(rotating, made)


def test_an_interrupted_rewrap_resumes(rotating: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _people(rotating, 4)
    real = datakeys.rewrap_batch
    calls = {"n": 0}

    def failing_second_batch(session, keys, batch_size, after):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(session, keys, batch_size, after)

    with rotating.app_context():
        session, keys = db(), silta().keys()
        key_services.rotate(session, OPERATOR, keys)
        session.commit()
        monkeypatch.setattr(datakeys, "rewrap_batch", failing_second_batch)
        with pytest.raises(KeyboardInterrupt):
            key_services.rewrap(session, OPERATOR, keys, batch_size=2)
        session.rollback()
        assert datakeys.count_by_kek_version(session) == {1: 3, 2: 2}  # the first batch stayed
        monkeypatch.setattr(datakeys, "rewrap_batch", real)
        assert key_services.rewrap(session, OPERATOR, keys, batch_size=2) == 3
        assert datakeys.count_by_kek_version(session) == {2: 5}
    assert _all_readable(rotating, made)


def test_key_commands_through_the_cli(rotating: Flask) -> None:
    _people(rotating, 1)
    runner = rotating.test_cli_runner()
    assert "version 2 is now current" in runner.invoke(args=["keys", "rotate"]).output
    status = runner.invoke(args=["keys", "status"]).output
    assert "version 1: 2 data keys" in status and "need 'flask keys rewrap'" in status
    refused = runner.invoke(args=["keys", "retire", "1"])
    assert refused.exit_code == 1 and "still wrapped" in refused.output
    assert "2 data keys re-wrapped" in runner.invoke(args=["keys", "rewrap"]).output
    assert runner.invoke(args=["keys", "retire", "1"]).exit_code == 0
    assert "version 2: 2 data keys" in runner.invoke(args=["keys", "status"]).output


def test_only_operators_manage_keys(rotating: Flask) -> None:
    make_user(rotating, "admin", "admin", "tur")
    with rotating.app_context():
        session = db()
        user = accounts.get_user_by_username(session, "admin")
        with pytest.raises(PolicyDenied):
            key_services.status(session, AuditContext(user), silta().keys())
        with pytest.raises(PolicyDenied):
            key_services.rotate(session, AuditContext(user), silta().keys())
