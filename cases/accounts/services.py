"""What the account services share: settings, errors, look-ups, lockout state and secrets."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.accounts.models import Agency, User, UserSession
from cases.accounts.passwords import PasswordProblem
from cases.inputs import InputError
from core.datakeys import decrypt_system_field, encrypt_system_field
from core.db import utcnow
from core.keyring import KeyProvider


@dataclass(frozen=True)
class AuthSettings:
    """Sign-in and session limits (DESIGN.md §7); the app builds this from its configuration."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(minutes=15)
    absolute_timeout: timedelta = timedelta(hours=10)
    reauth_window: timedelta = timedelta(minutes=10)
    last_seen_resolution: timedelta = timedelta(seconds=30)


class AccountError(InputError):
    """A request about accounts that cannot be carried out; `code` names why."""


class PasswordRejected(AccountError):
    def __init__(self, problems: list[PasswordProblem]) -> None:
        super().__init__("password_rejected", "new_password")
        self.problems = problems


class SessionEnd(StrEnum):
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    IDLE = "idle_timeout"
    ABSOLUTE = "absolute_timeout"
    ADMIN = "ended_by_admin"
    DEACTIVATED = "deactivated"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a label, not a password
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a label, not a password
    LOCKED = "locked"
    CREDENTIAL_CHANGED = "credential_changed"
    UNLOCKED = "unlocked"
    RELEASED = "credential_released"


def get_user(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def get_agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.code == code.strip().lower()))


def get_agency(session: Session, agency_id: uuid.UUID) -> Agency | None:
    return session.get(Agency, agency_id)


def users_by_id(session: Session, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    """The users a page names (None: nobody), with one statement however many it names."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def demo_users(session: Session) -> list[User]:
    """The demo data set's accounts (`flask demo logins`)."""
    return list(session.scalars(select(User).where(User.is_demo)))


def users_by_username(session: Session) -> dict[str, User]:
    """Every account by username (the demo seed, which names its users)."""
    return {u.username: u for u in session.scalars(select(User))}


def agencies_by_code(session: Session) -> dict[str, Agency]:
    """Every agency by code (the demo seed, which names its agencies)."""
    return {a.code: a for a in session.scalars(select(Agency))}


def active_agencies(session: Session) -> list[Agency]:
    """The agencies a form may name (active ones), by name."""
    return list(session.scalars(select(Agency).where(Agency.active).order_by(Agency.name)))


def agency_codes(session: Session) -> list[str]:
    """Every agency's code, sorted (the auditor's filter lists them)."""
    return list(session.scalars(select(Agency.code).order_by(Agency.code)))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def counts_failures(user: User | None) -> bool:
    """Failures are counted on every active account, locked or not, so that concurrent guesses
    all count; unknown and inactive accounts answer the same but keep no count."""
    return user is not None and user.active and user.agency.active


def may_sign_in(user: User | None, now: datetime) -> bool:
    return (
        counts_failures(user)
        and user is not None
        and not user.awaiting_release
        and not is_locked(user, now)
    )


def renew_credential(
    session: Session, user: User, reason: SessionEnd, keep: UserSession | None = None
) -> int:
    """Change the account's credential version: every half-finished sign-in and session of
    theirs (but `keep`, which moves to the new version) is void. Returns the sessions ended."""
    session.flush()
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(credential_version=User.credential_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(user, ["credential_version"])
    if keep is not None:
        keep.credential_version = user.credential_version
    ended = end_all_sessions(session, user, reason, keep=keep)
    session.flush()
    return ended


def end_all_sessions(
    session: Session, user: User, reason: SessionEnd, keep: UserSession | None = None
) -> int:
    """End every live session of `user` (but `keep`); return how many ended."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=str(reason))
        .execution_options(synchronize_session="fetch")
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def totp_secret(session: Session, keys: KeyProvider, user: User) -> bytes:
    assert user.totp_secret is not None  # noqa: S101 - callers check enrolment first
    value = decrypt_system_field(session, keys, "users", "totp_secret", user.id, user.totp_secret)
    return bytes.fromhex(value)


def enrol_totp_secret(session: Session, keys: KeyProvider, user: User, secret: bytes) -> None:
    """Store a confirmed TOTP secret, encrypted under the system data key."""
    user.totp_secret = encrypt_system_field(
        session, keys, "users", "totp_secret", user.id, secret.hex()
    )
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.flush()


def store_demo_password(session: Session, keys: KeyProvider, user: User, password: str) -> None:
    user.is_demo = True
    user.demo_password = encrypt_system_field(
        session, keys, "users", "demo_password", user.id, password
    )
    session.flush()


def demo_password(session: Session, keys: KeyProvider, user: User) -> str | None:
    if user.demo_password is None:
        return None
    return decrypt_system_field(
        session, keys, "users", "demo_password", user.id, user.demo_password
    )
