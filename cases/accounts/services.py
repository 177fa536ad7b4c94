"""Account services: agencies, users, sign-in with lockout, TOTP and server-side sessions.

Services take the session and the acting user, ask the policy first and never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cases.accounts import totp
from cases.accounts.models import Agency, AgencyKind, Role, User, UserSession
from cases.accounts.passwords import PasswordProblem, Passwords, password_problems
from cases.policy import Actor, Permission, authorize
from core.datakeys import decrypt_system_field, encrypt_system_field
from core.db import utcnow
from core.keyring import KeyProvider

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
AGENCY_CODE_RE = re.compile(r"^[a-z][a-z0-9]{1,15}$")


@dataclass(frozen=True)
class AuthSettings:
    """Sign-in and session limits (DESIGN.md §7); the app builds this from its configuration."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle_timeout: timedelta = timedelta(minutes=15)
    absolute_timeout: timedelta = timedelta(hours=10)
    reauth_window: timedelta = timedelta(minutes=10)
    last_seen_resolution: timedelta = timedelta(seconds=30)


class AccountError(Exception):
    """A request about accounts that cannot be carried out; `code` names why."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


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


# --- agencies ---------------------------------------------------------------------------------


def list_agencies(session: Session, actor: Actor) -> list[Agency]:
    authorize(actor, Permission.AGENCY_LIST)
    return list(session.scalars(select(Agency).order_by(Agency.code)))


def get_agency_by_code(session: Session, code: str) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.code == code.strip().lower()))


def create_agency(session: Session, actor: Actor, code: str, name: str, kind: str) -> Agency:
    """Create an agency with a short unique code."""
    authorize(actor, Permission.AGENCY_CREATE)
    code = code.strip().lower()
    if not AGENCY_CODE_RE.match(code):
        raise AccountError("invalid_agency_code", "code")
    if kind not in AgencyKind.__members__.values():
        raise AccountError("invalid_agency_kind", "kind")
    if not name.strip():
        raise AccountError("invalid_agency_name", "name")
    if get_agency_by_code(session, code) is not None:
        raise AccountError("agency_code_taken", "code")
    agency = Agency(code=code, name=name.strip(), kind=kind)
    session.add(agency)
    session.flush()
    return agency


def set_agency_active(session: Session, actor: Actor, agency: Agency, active: bool) -> Agency:
    """Activate or deactivate an agency; a deactivated agency's users cannot sign in."""
    authorize(actor, Permission.AGENCY_SET_ACTIVE, agency)
    agency.active = active
    if not active:
        for user in agency.users:
            end_all_sessions(session, user, SessionEnd.DEACTIVATED)
    session.flush()
    return agency


# --- users ------------------------------------------------------------------------------------


def generate_temporary_password() -> str:
    """Return a one-time password an admin hands over; the user must change it at sign-in."""
    return secrets.token_urlsafe(15)


def list_users(session: Session, actor: Actor) -> list[User]:
    authorize(actor, Permission.USER_LIST)
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, user_id: uuid.UUID) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def read_user(session: Session, actor: Actor, user: User) -> User:
    authorize(actor, Permission.USER_READ, user)
    return user


def create_user(
    session: Session,
    actor: Actor,
    passwords: Passwords,
    *,
    username: str,
    display_name: str,
    agency: Agency,
    role: str,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; without a password a temporary one is generated and returned."""
    authorize(actor, Permission.USER_CREATE, agency)
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError("invalid_username", "username")
    if role not in Role.__members__.values():
        raise AccountError("invalid_role", "role")
    if not display_name.strip():
        raise AccountError("invalid_display_name", "display_name")
    if not agency.active:
        raise AccountError("agency_inactive", "agency")
    if get_user_by_username(session, username) is not None:
        raise AccountError("username_taken", "username")
    temporary = None
    if password is None:
        temporary = password = generate_temporary_password()
    else:
        problems = password_problems(password, username)
        if problems:
            raise PasswordRejected(problems)
    user = User(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name.strip(),
        agency=agency,
        role=role,
        password_hash=passwords.hash(password),
        must_change_password=temporary is not None,
    )
    session.add(user)
    session.flush()
    return user, temporary


def set_user_active(session: Session, actor: Actor, user: User, active: bool) -> User:
    authorize(actor, Permission.USER_SET_ACTIVE, user)
    if not active and user.active and user.role == Role.ADMIN and count_active_admins(session) <= 1:
        raise AccountError("last_admin")
    user.active = active
    if not active:
        end_all_sessions(session, user, SessionEnd.DEACTIVATED)
    session.flush()
    return user


def reset_password(session: Session, actor: Actor, passwords: Passwords, user: User) -> str:
    """Give the user a temporary password; they must change it and re-enrol TOTP."""
    authorize(actor, Permission.USER_RESET_PASSWORD, user)
    temporary = generate_temporary_password()
    user.password_hash = passwords.hash(temporary)
    user.must_change_password = True
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.failed_attempts = 0
    user.locked_until = None
    end_all_sessions(session, user, SessionEnd.PASSWORD_RESET)
    session.flush()
    return temporary


def unlock_user(session: Session, actor: Actor, user: User) -> User:
    authorize(actor, Permission.USER_UNLOCK, user)
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    return user


def end_user_sessions(session: Session, actor: Actor, user: User) -> int:
    authorize(actor, Permission.USER_END_SESSIONS, user)
    return end_all_sessions(session, user, SessionEnd.ADMIN)


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    return int(session.scalar(query) or 0)


# --- sign-in ----------------------------------------------------------------------------------


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def may_sign_in(user: User | None, now: datetime) -> bool:
    return user is not None and user.active and user.agency.active and not is_locked(user, now)


def record_failure(
    session: Session, user: User | None, settings: AuthSettings, now: datetime
) -> bool:
    """Count a failed password or TOTP attempt; return True if it locked the account."""
    if user is None or is_locked(user, now):
        return False
    user.failed_attempts += 1
    locked = user.failed_attempts >= settings.max_failures
    if locked:
        user.failed_attempts = 0
        user.locked_until = now + settings.lockout
    session.flush()
    return locked


def check_password(
    session: Session,
    passwords: Passwords,
    settings: AuthSettings,
    username: str,
    password: str,
    now: datetime | None = None,
) -> User | None:
    """First sign-in factor. Unknown, inactive and locked accounts fail exactly like a typo."""
    now = now or utcnow()
    user = get_user_by_username(session, username) if len(username) <= 64 else None
    password_ok = passwords.verify(user.password_hash if user else None, password)
    if not may_sign_in(user, now):
        return None
    assert user is not None  # noqa: S101 - may_sign_in() returned False for None
    if not password_ok:
        record_failure(session, user, settings, now)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
        session.flush()
    return user


def check_totp(
    session: Session,
    keys: KeyProvider,
    settings: AuthSettings,
    user: User,
    code: str,
    now: datetime | None = None,
) -> bool:
    """Second factor: accept a code of the current step ±1 that this user has not used yet."""
    now = now or utcnow()
    if not may_sign_in(user, now) or user.totp_secret is None:
        return False
    secret = totp_secret(session, keys, user)
    step = totp.matching_step(secret, code, now, user.totp_last_step)
    if step is None:
        record_failure(session, user, settings, now)
        return False
    user.totp_last_step = step
    session.flush()
    return True


def totp_secret(session: Session, keys: KeyProvider, user: User) -> bytes:
    assert user.totp_secret is not None  # noqa: S101 - callers check enrolment first
    value = decrypt_system_field(session, keys, "users", "totp_secret", user.id, user.totp_secret)
    return bytes.fromhex(value)


def begin_totp_enrolment(session: Session, keys: KeyProvider, user: User) -> bytes:
    """Return the pending TOTP secret, creating it once so a reload shows the same QR code."""
    if user.totp_pending_secret is not None:
        value = decrypt_system_field(
            session, keys, "users", "totp_pending_secret", user.id, user.totp_pending_secret
        )
        return bytes.fromhex(value)
    secret = totp.new_secret()
    user.totp_pending_secret = encrypt_system_field(
        session, keys, "users", "totp_pending_secret", user.id, secret.hex()
    )
    session.flush()
    return secret


def confirm_totp_enrolment(
    session: Session,
    keys: KeyProvider,
    settings: AuthSettings,
    user: User,
    code: str,
    now: datetime | None = None,
) -> bool:
    """Activate the pending secret once the user proves their authenticator shows its codes."""
    now = now or utcnow()
    if not may_sign_in(user, now):
        return False
    secret = begin_totp_enrolment(session, keys, user)
    step = totp.matching_step(secret, code, now, None)
    if step is None:
        record_failure(session, user, settings, now)
        return False
    enrol_totp_secret(session, keys, user, secret)
    user.totp_last_step = step
    session.flush()
    return True


def enrol_totp_secret(session: Session, keys: KeyProvider, user: User, secret: bytes) -> None:
    """Store a confirmed TOTP secret, encrypted under the system data key."""
    user.totp_secret = encrypt_system_field(
        session, keys, "users", "totp_secret", user.id, secret.hex()
    )
    user.totp_pending_secret = None
    user.totp_last_step = None
    session.flush()


def change_password(
    session: Session,
    passwords: Passwords,
    user: User,
    current: str,
    new: str,
    keep_session: UserSession | None = None,
) -> None:
    """Change the user's own password; every other session of theirs ends."""
    if not passwords.verify(user.password_hash, current):
        raise AccountError("wrong_password", "current_password")
    _set_password(session, passwords, user, new, keep_session)


def replace_temporary_password(
    session: Session, passwords: Passwords, user: User, new: str
) -> None:
    """Set the password of a user signing in with an admin-issued temporary one."""
    if not user.must_change_password:
        raise AccountError("not_required")
    _set_password(session, passwords, user, new, None)


def _set_password(
    session: Session, passwords: Passwords, user: User, new: str, keep: UserSession | None
) -> None:
    problems = password_problems(new, user.username)
    if problems:
        raise PasswordRejected(problems)
    if passwords.verify(user.password_hash, new):
        raise AccountError("password_unchanged", "new_password")
    user.password_hash = passwords.hash(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    end_all_sessions(session, user, SessionEnd.PASSWORD_CHANGED, keep=keep)
    session.flush()


def complete_sign_in(
    session: Session, user: User, now: datetime | None = None
) -> tuple[str, UserSession]:
    """Both factors passed: reset the failure counter and open a new server-side session."""
    now = now or utcnow()
    user.failed_attempts = 0
    user.locked_until = None
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        token_hash=_token_hash(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        reauthenticated_at=now,
    )
    session.add(user_session)
    session.flush()
    return token, user_session


# --- sessions ---------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resume_session(
    session: Session, settings: AuthSettings, token: str, now: datetime | None = None
) -> UserSession | None:
    """Return the live session for a browser token, ending it if a timeout has passed."""
    now = now or utcnow()
    user_session = session.scalar(
        select(UserSession).where(UserSession.token_hash == _token_hash(token))
    )
    if user_session is None or user_session.ended_at is not None:
        return None
    user = user_session.user
    reason = None
    if not (user.active and user.agency.active):
        reason = SessionEnd.DEACTIVATED
    elif now - user_session.created_at > settings.absolute_timeout:
        reason = SessionEnd.ABSOLUTE
    elif now - user_session.last_seen_at > settings.idle_timeout:
        reason = SessionEnd.IDLE
    if reason is not None:
        _end(user_session, reason, now)
        session.flush()
        return None
    if now - user_session.last_seen_at >= settings.last_seen_resolution:
        user_session.last_seen_at = now
        session.flush()
    return user_session


def _end(user_session: UserSession, reason: SessionEnd, now: datetime) -> None:
    user_session.ended_at = now
    user_session.end_reason = reason


def end_session(session: Session, user_session: UserSession, reason: SessionEnd) -> None:
    _end(user_session, reason, utcnow())
    session.flush()


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


def is_fresh(
    user_session: UserSession, settings: AuthSettings, now: datetime | None = None
) -> bool:
    """True when the user entered their password within the re-authentication window."""
    now = now or utcnow()
    moment = user_session.reauthenticated_at or user_session.created_at
    return now - moment <= settings.reauth_window


def reauthenticate(
    session: Session,
    passwords: Passwords,
    settings: AuthSettings,
    user_session: UserSession,
    password: str,
    now: datetime | None = None,
) -> bool:
    """Confirm the password again before a sensitive action; failures count toward lockout."""
    now = now or utcnow()
    user = user_session.user
    if passwords.verify(user.password_hash, password) and may_sign_in(user, now):
        user_session.reauthenticated_at = now
        user.failed_attempts = 0
        session.flush()
        return True
    if record_failure(session, user, settings, now):
        end_all_sessions(session, user, SessionEnd.LOCKED)
    return False


def set_locale(session: Session, user: User, locale: str | None) -> None:
    user.locale = locale
    session.flush()


# --- demo accounts -----------------------------------------------------------------------------


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
