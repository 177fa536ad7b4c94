"""Signing in (password, TOTP, enrolment), sessions, password changes and re-authentication.

Unknown, inactive and locked accounts fail exactly like a typo; every outcome is audited.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, Outcome, record
from cases.accounts.lockout import record_failure
from cases.accounts.models import User, UserSession
from cases.accounts.passwords import Passwords, password_problems
from cases.accounts.services import (
    AccountError,
    AuthSettings,
    PasswordRejected,
    SessionEnd,
    end_all_sessions,
    get_user,
    get_user_by_username,
    may_sign_in,
    renew_credential,
)
from core import crypto
from core.db import utcnow
from core.keyring import KeyProvider


def username_pseudonym(keys: KeyProvider, username: str) -> str:
    """A keyed hash of a typed username: failed sign-ins can be correlated, not read."""
    key = crypto.subkey(keys.index_root, "audit/username")
    return crypto.keyed_hash(key, username.strip().lower())[:32]


def _as(ctx: AuditContext, user: User) -> AuditContext:
    return replace(ctx, actor=user)


def check_password(
    session: Session,
    ctx: AuditContext,
    keys: KeyProvider,
    passwords: Passwords,
    settings: AuthSettings,
    username: str,
    password: str,
    now: datetime | None = None,
) -> User | None:
    """First factor. Returns the user only if the password is right and they may sign in."""
    now = now or utcnow()
    user = get_user_by_username(session, username) if len(username) <= 64 else None
    password_ok = passwords.verify(user.password_hash if user else None, password)
    if user is not None and password_ok and may_sign_in(user, now):
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash(password)
            session.flush()
        # The first factor alone opens no session, but someone now knows this password.
        record(
            session,
            _as(ctx, user),
            Action.LOGIN_PASSWORD_ACCEPTED,
            object_type="user",
            object_id=user.id,
            must_change_password=user.must_change_password,
            totp_enrolled=user.totp_enrolled,
        )
        return user
    record_failure(
        session,
        ctx,
        settings,
        user,
        Action.LOGIN_FAILED,
        now,
        username_hash=username_pseudonym(keys, username),
    )
    return None


def resume_pending_sign_in(
    session: Session,
    ctx: AuditContext,
    user_id: uuid.UUID,
    credential_version: object,
    now: datetime | None = None,
) -> User | None:
    """The user of a half-finished sign-in, if it still stands.

    The state after the password step names the credential version it was started under; a
    reset, password change, deactivation, unlock or release since then voids it (audited).
    """
    now = now or utcnow()
    user = get_user(session, user_id)
    if user is None:
        return None
    if credential_version != user.credential_version:
        record(
            session,
            _as(ctx, user),
            Action.SIGN_IN_VOIDED,
            outcome=Outcome.DENIED,
            object_type="user",
            object_id=user.id,
            reason=str(SessionEnd.CREDENTIAL_CHANGED),
        )
        return None
    return user if may_sign_in(user, now) else None


def complete_sign_in(
    session: Session, ctx: AuditContext, user: User, now: datetime | None = None
) -> tuple[str, UserSession]:
    """Both factors passed: reset the failure counter and open a new server-side session."""
    now = now or utcnow()
    user.failed_attempts = 0
    user.locked_until = None
    token = secrets.token_urlsafe(32)
    # Signing in is not a re-authentication: sensitive actions ask for the password again.
    user_session = UserSession(
        token_hash=_token_hash(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        reauthenticated_at=None,
        credential_version=user.credential_version,
    )
    session.add(user_session)
    session.flush()
    record(
        session,
        _as(ctx, user),
        Action.LOGIN_SUCCEEDED,
        object_type="session",
        object_id=user_session.id,
    )
    return token, user_session


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def resume_session(
    session: Session,
    ctx: AuditContext,
    settings: AuthSettings,
    token: str,
    now: datetime | None = None,
) -> UserSession | None:
    """Return the live session for a browser token, ending it (audited) if a timeout has passed
    or the account's credential changed since it was opened."""
    now = now or utcnow()
    query = select(UserSession).where(UserSession.token_hash == _token_hash(token))
    user_session = session.scalar(query)
    if user_session is None or user_session.ended_at is not None:
        return None
    user = user_session.user
    reason = None
    if not (user.active and user.agency.active):
        reason = SessionEnd.DEACTIVATED
    elif user_session.credential_version != user.credential_version:
        reason = SessionEnd.CREDENTIAL_CHANGED
    elif now - user_session.created_at > settings.absolute_timeout:
        reason = SessionEnd.ABSOLUTE
    elif now - user_session.last_seen_at > settings.idle_timeout:
        reason = SessionEnd.IDLE
    if reason is not None:
        user_session.ended_at = now
        user_session.end_reason = reason
        session.flush()
        timed_out = reason in (SessionEnd.IDLE, SessionEnd.ABSOLUTE)
        record(
            session,
            _as(ctx, user),
            Action.SESSION_TIMED_OUT if timed_out else Action.SESSION_VOIDED,
            outcome=Outcome.ALLOWED if timed_out else Outcome.DENIED,
            object_type="session",
            object_id=user_session.id,
            reason=str(reason),
        )
        return None
    if now - user_session.last_seen_at >= settings.last_seen_resolution:
        # Left unflushed: the caller commits it (most requests change nothing and need not).
        user_session.last_seen_at = now
    return user_session


def logout(session: Session, ctx: AuditContext, user_session: UserSession) -> None:
    user_session.ended_at = utcnow()
    user_session.end_reason = SessionEnd.LOGOUT
    session.flush()
    record(session, ctx, Action.LOGOUT, object_type="session", object_id=user_session.id)


def logout_everywhere(session: Session, ctx: AuditContext, user: User) -> int:
    ended = end_all_sessions(session, user, SessionEnd.LOGOUT_EVERYWHERE)
    record(
        session,
        ctx,
        Action.LOGOUT_EVERYWHERE,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
    )
    return ended


def change_password(
    session: Session,
    ctx: AuditContext,
    passwords: Passwords,
    settings: AuthSettings,
    user: User,
    current: str,
    new: str,
    keep_session: UserSession | None = None,
    now: datetime | None = None,
) -> None:
    """Change the user's own password; every other session of theirs ends.

    A wrong current password is a failed factor like a wrong sign-in: audited, counted toward
    the lockout, and a lock ends every session of the user, this one too.
    """
    now = now or utcnow()
    if not (passwords.verify(user.password_hash, current) and may_sign_in(user, now)):
        if record_failure(session, ctx, settings, user, Action.PASSWORD_CHANGE_FAILED, now):
            end_all_sessions(session, user, SessionEnd.LOCKED)
        raise AccountError("wrong_password", "current_password")
    _set_password(session, ctx, passwords, user, new, keep_session)


def replace_temporary_password(
    session: Session, ctx: AuditContext, passwords: Passwords, user: User, new: str
) -> None:
    """Set the password of a user signing in with a temporary one (their credential version
    changes; the caller carries the new one on in the half-finished sign-in)."""
    if not user.must_change_password:
        raise AccountError("not_required")
    _set_password(session, _as(ctx, user), passwords, user, new, None)


def _set_password(
    session: Session,
    ctx: AuditContext,
    passwords: Passwords,
    user: User,
    new: str,
    keep: UserSession | None,
) -> None:
    problems = password_problems(new, user.username)
    if problems:
        raise PasswordRejected(problems)
    if passwords.verify(user.password_hash, new):
        raise AccountError("password_unchanged", "new_password")
    was_temporary = user.must_change_password
    user.password_hash = passwords.hash(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    ended = renew_credential(session, user, SessionEnd.PASSWORD_CHANGED, keep=keep)
    record(
        session,
        ctx,
        Action.PASSWORD_CHANGED,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
        replaced_temporary=was_temporary,
    )


def is_fresh(
    user_session: UserSession, settings: AuthSettings, now: datetime | None = None
) -> bool:
    """True when the user entered their password on the re-authentication page within the
    window; signing in does not count (a stolen sign-in must not reach sensitive actions)."""
    now = now or utcnow()
    moment = user_session.reauthenticated_at
    return moment is not None and now - moment <= settings.reauth_window


def reauthenticate(
    session: Session,
    ctx: AuditContext,
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
        record(
            session, ctx, Action.REAUTHENTICATED, object_type="session", object_id=user_session.id
        )
        return True
    if record_failure(session, ctx, settings, user, Action.REAUTHENTICATION_FAILED, now):
        end_all_sessions(session, user, SessionEnd.LOCKED)
    return False


def set_locale(session: Session, user: User, locale: str | None) -> None:
    user.locale = locale
    session.flush()
