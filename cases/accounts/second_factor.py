"""The second factor: checking a TOTP code and enrolling an authenticator.

Each time step is usable once, and a pending secret can be confirmed once, even when the same
code arrives in several simultaneous requests: both are claimed with `core.claims.claim`, one
conditional UPDATE that exactly one of the racers wins (issue 9).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts import totp
from cases.accounts.lockout import record_failure
from cases.accounts.models import User
from cases.accounts.services import AuthSettings, may_sign_in, totp_secret
from core.claims import claim
from core.datakeys import decrypt_system_field, encrypt_system_field
from core.db import utcnow
from core.keyring import KeyProvider


def check_totp(
    session: Session,
    ctx: AuditContext,
    keys: KeyProvider,
    settings: AuthSettings,
    user: User,
    code: str,
    now: datetime | None = None,
) -> bool:
    """Second factor: a code of the current step ±1 that this user has not used yet."""
    now = now or utcnow()
    if not may_sign_in(user, now) or user.totp_secret is None:
        return False
    step = totp.matching_step(totp_secret(session, keys, user), code, now, user.totp_last_step)
    if step is None or not _claim_step(session, user, step):
        record_failure(session, ctx, settings, user, Action.TOTP_FAILED, now)
        return False
    return True


def _claim_step(session: Session, user: User, step: int) -> bool:
    """Mark `step` used: of simultaneous requests with the same code exactly one claims it."""
    unused = or_(User.totp_last_step.is_(None), User.totp_last_step < step)
    return claim(session, user, unused, totp_last_step=step)


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
    ctx: AuditContext,
    keys: KeyProvider,
    settings: AuthSettings,
    user: User,
    code: str,
    now: datetime | None = None,
) -> bool:
    """Activate the pending secret once the user proves their authenticator shows its codes.

    Only the request that moves this very pending secret to the active one succeeds: a second
    request with the same code finds the pending secret gone and fails like a wrong code."""
    now = now or utcnow()
    if not may_sign_in(user, now):
        return False
    secret = begin_totp_enrolment(session, keys, user)
    pending = user.totp_pending_secret
    step = totp.matching_step(secret, code, now, None)
    if (
        step is None
        or pending is None
        or not _claim_pending(session, keys, user, pending, secret, step)
    ):
        record_failure(session, ctx, settings, user, Action.TOTP_FAILED, now, enrolment=True)
        return False
    record(
        session,
        replace(ctx, actor=user),
        Action.TOTP_ENROLLED,
        object_type="user",
        object_id=user.id,
    )
    return True


def _claim_pending(
    session: Session, keys: KeyProvider, user: User, pending: bytes, secret: bytes, step: int
) -> bool:
    active = encrypt_system_field(session, keys, "users", "totp_secret", user.id, secret.hex())
    return claim(
        session,
        user,
        User.totp_pending_secret == pending,
        totp_secret=active,
        totp_pending_secret=None,
        totp_last_step=step,
    )
