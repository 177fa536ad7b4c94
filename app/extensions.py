"""Flask extensions and the per-application services (database, keys, passwords)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from argon2 import PasswordHasher
from flask import Flask, current_app, g
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from audit.events import RECORDED_FLAG
from audit.sequencer import Sequencer
from cases.accounts.passwords import Passwords
from cases.accounts.services import AuthSettings
from core import keyring
from core.db import make_engine, make_session_factory
from core.fields import KEYS_INFO

logger = logging.getLogger("silta")
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def _rate_limit_key() -> str:
    # The limiter object outlives one app (tests build many), and it keeps the first app's key
    # prefix; the namespace in the key itself keeps each app's counters apart.
    return f"{current_app.config['SILTA_RATELIMIT_NAMESPACE']}:{get_remote_address()}"


limiter = Limiter(key_func=_rate_limit_key)


@dataclass
class Silta:
    """What every request and command shares: the engine, keys and sign-in settings."""

    engine: Engine
    session_factory: sessionmaker[Session]
    passwords: Passwords
    auth: AuthSettings
    keyring_path: Path | None
    checkpoint_dir: Path
    # Told the size of each batch this process chains (the operator's metrics).
    on_chain_batch: Callable[[int], None] | None = None
    sequencer: Sequencer = field(init=False)
    _keyring: keyring.KeyringFile | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.sequencer = Sequencer(
            self.engine, self.keys, self.checkpoint_dir, on_batch=self.on_chain_batch
        )

    def dispose(self) -> None:
        """Close every pooled connection (tests, and before a process forks)."""
        self.sequencer.dispose()
        self.engine.dispose()

    def keys(self) -> keyring.KeyringFile:
        """The keyring, loaded on first use (so `keys init` runs without one) and re-read when
        its file changes; raises KeyringError naming what is wrong with it."""
        if self._keyring is None:
            if self.keyring_path is None:
                raise keyring.KeyringError("SILTA_KEYRING is not set")
            self._keyring = keyring.KeyringFile(self.keyring_path)
        self._keyring.current()
        return self._keyring


def init_silta(app: Flask, on_chain_batch: Callable[[int], None] | None = None) -> Silta:
    engine = make_engine(app.config["SILTA_DATABASE_URL"])
    hasher = app.config.get("SILTA_PASSWORD_HASHER") or PasswordHasher()
    path = app.config.get("SILTA_KEYRING")
    silta = Silta(
        engine=engine,
        session_factory=make_session_factory(engine),
        passwords=Passwords(hasher),
        auth=app.config.get("SILTA_AUTH_SETTINGS") or AuthSettings(),
        keyring_path=Path(path) if path else None,
        checkpoint_dir=Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"]),
        on_chain_batch=on_chain_batch,
    )
    # Encrypted attributes find the keys through their session (see core.fields).
    silta.session_factory.configure(info={KEYS_INFO: silta.keys})
    _sequence_after_commit(silta)
    app.extensions["silta"] = silta
    app.teardown_appcontext(_close_db)
    return silta


def _sequence_after_commit(silta: Silta) -> None:
    """Chain a transaction's audit events right after it commits, on a separate connection."""

    def after_commit(session: Session) -> None:
        if session.info.pop(RECORDED_FLAG, False):
            try:
                silta.sequencer.run()
            except Exception as exc:
                # The next commit or `audit verify` chains them; verify fails after a minute.
                logger.error("audit sequencing failed: %s", type(exc).__name__)

    def after_rollback(session: Session) -> None:
        session.info.pop(RECORDED_FLAG, None)

    event.listen(silta.session_factory, "after_commit", after_commit)
    event.listen(silta.session_factory, "after_rollback", after_rollback)


def silta() -> Silta:
    return cast(Silta, current_app.extensions["silta"])


def db() -> Session:
    """The request's (or command's) database session, opened on first use."""
    if "db" not in g:
        g.db = silta().session_factory()
    return cast(Session, g.db)


def _close_db(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
