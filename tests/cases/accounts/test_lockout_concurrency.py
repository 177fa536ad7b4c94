"""Issue 9, finding 2: simultaneous wrong guesses each count, and the account locks.

Sixteen threads, each with its own database session, hit a sign-in service at the same moment
with a wrong secret. Every failure must be counted (`failed_attempts == N`) and the account
must end up locked with one lockout event, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db, silta
from audit.events import Action, AuditContext
from audit.models import AuditEvent
from cases.accounts import second_factor, signin, totp
from cases.accounts import services as accounts
from cases.accounts.models import User, UserSession
from tests.conftest import PG_URL, AppFactory, requires_postgres
from tests.databases import PostgresDatabases, SqliteDatabases
from tests.helpers import make_user

THREADS = 16
WRONG = "not the password at all"


def _wrong_code(secret: bytes) -> str:
    now = datetime.now(UTC)
    near = {totp.code_at(secret, now + timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def _password(app: Flask, _state: dict[str, object]) -> None:
    signin.check_password(
        db(), AuditContext(None), silta().keys(), silta().passwords, silta().auth, "sanna", WRONG
    )


def _totp(app: Flask, state: dict[str, object]) -> None:
    # The code page is reached only by an unlocked account; every thread got there in time.
    user = state["user"]
    assert isinstance(user, User)
    second_factor.check_totp(
        db(), AuditContext(None), silta().keys(), silta().auth, user, str(state["code"])
    )


def _reauthenticate(app: Flask, state: dict[str, object]) -> None:
    user_session = db().get(UserSession, state["session_id"])
    assert user_session is not None
    signin.reauthenticate(
        db(), AuditContext(user_session.user), silta().passwords, silta().auth, user_session, WRONG
    )


def _change_password(app: Flask, _state: dict[str, object]) -> None:
    user = accounts.get_user_by_username(db(), "sanna")
    assert user is not None
    with pytest.raises(accounts.AccountError):
        signin.change_password(
            db(),
            AuditContext(user),
            silta().passwords,
            silta().auth,
            user,
            WRONG,
            "a brand new long passphrase",
        )


STEPS: dict[str, Callable[[Flask, dict[str, object]], None]] = {
    "password": _password,
    "totp": _totp,
    "reauthentication": _reauthenticate,
    "password_change": _change_password,
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def backend_url(
    request: pytest.FixtureRequest,
    databases: SqliteDatabases | PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A migrated database of the asked kind, whichever kind the rest of the run uses."""
    own: SqliteDatabases | PostgresDatabases | None = None
    if databases.kind == request.param:
        source = databases
    elif request.param == "sqlite":
        source = own = SqliteDatabases(Path(tmp_path_factory.mktemp("sqlite-lockout")))
    else:
        assert PG_URL is not None
        source = own = PostgresDatabases(PG_URL)
    url = source.new()
    yield url
    if own is not None:
        own.drop(url)
        own.close()


@pytest.mark.parametrize("step", list(STEPS))
def test_simultaneous_failures_all_count_and_lock(
    make_app: AppFactory, backend_url: str, step: str
) -> None:
    app = make_app(db_url=backend_url)
    account = make_user(app, "sanna")
    state: dict[str, object] = {}
    assert account.secret is not None
    state["code"] = _wrong_code(account.secret)
    with app.app_context():
        user = accounts.get_user_by_username(db(), "sanna")
        assert user is not None
        _token, user_session = signin.complete_sign_in(db(), AuditContext(None), user)
        state["session_id"] = user_session.id
        db().commit()

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with app.app_context():
                # Every thread has read the account before anyone fails (as simultaneous
                # requests do); the count must not depend on that read.
                state_here = dict(state, user=accounts.get_user_by_username(db(), "sanna"))
                db().commit()
                barrier.wait(timeout=30)
                STEPS[step](app, state_here)
                db().commit()
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors

    with app.app_context():
        user = db().scalar(select(User).where(User.username == "sanna"))
        assert user is not None
        assert user.failed_attempts == THREADS
        assert accounts.is_locked(user, datetime.now(UTC))
        lockouts = db().scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == Action.LOCKOUT, AuditEvent.object_id == str(user.id))
        )
        assert lockouts == 1


def test_a_code_sent_simultaneously_signs_in_once(make_app: AppFactory, backend_url: str) -> None:
    """The attack review's break: six simultaneous posts of one valid code made four sessions.
    Each time-step is usable once, so exactly one of the simultaneous checks accepts it."""
    app = make_app(db_url=backend_url)
    account = make_user(app, "sanna")
    assert account.secret is not None
    code = totp.code_at(account.secret, datetime.now(UTC))
    barrier = threading.Barrier(THREADS)
    accepted: list[bool] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with app.app_context():
                user = accounts.get_user_by_username(db(), "sanna")
                assert user is not None
                db().commit()
                barrier.wait(timeout=30)
                ok = second_factor.check_totp(
                    db(), AuditContext(None), silta().keys(), silta().auth, user, code
                )
                db().commit()
                accepted.append(ok)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert sorted(accepted) == [False] * (THREADS - 1) + [True]


def test_an_enrolment_code_sent_simultaneously_enrols_once(
    make_app: AppFactory, backend_url: str
) -> None:
    """The re-attack's break: eight simultaneous confirmations of one enrolment code made eight
    sessions. The pending secret moves to the active one once; the other requests fail."""
    app = make_app(db_url=backend_url)
    make_user(app, "noora", enrolled=False)
    with app.app_context():
        user = accounts.get_user_by_username(db(), "noora")
        assert user is not None
        secret = second_factor.begin_totp_enrolment(db(), silta().keys(), user)
        db().commit()
    code = totp.code_at(secret, datetime.now(UTC))
    barrier = threading.Barrier(THREADS)
    accepted: list[bool] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with app.app_context():
                user = accounts.get_user_by_username(db(), "noora")
                assert user is not None and user.totp_pending_secret is not None
                db().commit()
                barrier.wait(timeout=30)
                ok = second_factor.confirm_totp_enrolment(
                    db(), AuditContext(None), silta().keys(), silta().auth, user, code
                )
                db().commit()
                accepted.append(ok)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert sorted(accepted) == [False] * (THREADS - 1) + [True]
    with app.app_context():
        user = accounts.get_user_by_username(db(), "noora")
        assert user is not None and user.totp_enrolled and user.totp_pending_secret is None
        enrolled = db().scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == Action.TOTP_ENROLLED, AuditEvent.object_id == str(user.id))
        )
        assert enrolled == 1
