"""Administration of agencies and accounts. Each service asks the policy, then audits."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency, AgencyKind, Role, User, UserSession
from cases.accounts.passwords import Passwords, password_problems
from cases.accounts.release import Pending, generate_temporary_password, hold_for_release
from cases.accounts.services import (
    AccountError,
    AuthSettings,
    PasswordRejected,
    SessionEnd,
    end_all_sessions,
    get_agency_by_code,
    get_user_by_username,
    is_locked,
    renew_credential,
)
from cases.inputs import line_field
from cases.policy import Permission, authorize, credential_needs_release
from cases.text import has_visible_text
from core.db import utcnow

__all__ = ["generate_temporary_password"]

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
AGENCY_CODE_RE = re.compile(r"^[a-z][a-z0-9]{1,15}$")


def list_agencies(session: Session, ctx: AuditContext) -> list[Agency]:
    authorize(ctx.actor, Permission.AGENCY_LIST)
    return list(session.scalars(select(Agency).order_by(Agency.code)))


def create_agency(session: Session, ctx: AuditContext, code: str, name: str, kind: str) -> Agency:
    """Create an agency with a short unique code."""
    authorize(ctx.actor, Permission.AGENCY_CREATE)
    code = code.strip().lower()
    if not AGENCY_CODE_RE.match(code):
        raise AccountError("invalid_agency_code", "code")
    if kind not in AgencyKind.__members__.values():
        raise AccountError("invalid_agency_kind", "kind")
    name = line_field(name, "name")
    if not has_visible_text(name):
        raise AccountError("invalid_agency_name", "name")
    if get_agency_by_code(session, code) is not None:
        raise AccountError("agency_code_taken", "code")
    agency = Agency(id=uuid.uuid4(), code=code, name=name.strip(), kind=kind)
    session.add(agency)
    session.flush()
    record(
        session,
        ctx,
        Action.AGENCY_CREATED,
        object_type="agency",
        object_id=agency.id,
        code=code,
        kind=kind,
    )
    return agency


def set_agency_active(session: Session, ctx: AuditContext, agency: Agency, active: bool) -> Agency:
    """Activate or deactivate an agency; a deactivated agency's users cannot sign in."""
    authorize(ctx.actor, Permission.AGENCY_SET_ACTIVE, agency)
    agency.active = active
    ended = 0
    if not active:
        for user in agency.users:
            ended += renew_credential(session, user, SessionEnd.DEACTIVATED)
    session.flush()
    record(
        session,
        ctx,
        Action.AGENCY_ACTIVE_SET,
        object_type="agency",
        object_id=agency.id,
        active=active,
        sessions_ended=ended,
    )
    return agency


def list_users(session: Session, ctx: AuditContext) -> list[User]:
    authorize(ctx.actor, Permission.USER_LIST)
    return list(session.scalars(select(User).order_by(User.username)))


def read_user(session: Session, ctx: AuditContext, user: User) -> User:
    authorize(ctx.actor, Permission.USER_READ, user)
    record(session, ctx, Action.USER_READ, object_type="user", object_id=user.id)
    return user


def create_user(
    session: Session,
    ctx: AuditContext,
    passwords: Passwords,
    *,
    username: str,
    display_name: str,
    agency: Agency,
    role: str,
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create an account; without a password a temporary one is generated and returned.

    A caseworker or supervisor created without a password gets a pending credential instead
    (`release`): nothing is returned, and a supervisor of the agency releases it.
    """
    authorize(ctx.actor, Permission.USER_CREATE, agency)
    username = line_field(username, "username").lower()
    if not USERNAME_RE.match(username):
        raise AccountError("invalid_username", "username")
    if role not in Role.__members__.values():
        raise AccountError("invalid_role", "role")
    display_name = line_field(display_name, "display_name")
    if not has_visible_text(display_name):
        raise AccountError("invalid_display_name", "display_name")
    if not agency.active:
        raise AccountError("agency_inactive", "agency")
    if get_user_by_username(session, username) is not None:
        raise AccountError("username_taken", "username")
    temporary = None
    pending = password is None and credential_needs_release(role)
    if password is None:
        temporary = password = generate_temporary_password()
    else:
        problems = password_problems(password, username)
        if problems:
            raise PasswordRejected(problems)
    user = User(
        id=uuid.uuid4(),
        username=username,
        display_name=display_name,
        agency=agency,
        role=role,
        password_hash=passwords.hash(password),
        must_change_password=temporary is not None,
    )
    session.add(user)
    session.flush()
    record(
        session,
        ctx,
        Action.USER_CREATED,
        object_type="user",
        object_id=user.id,
        role=role,
        agency=agency.code,
        temporary_password=temporary is not None,
        pending_release=pending,
    )
    if pending:
        hold_for_release(session, ctx, passwords, user, Pending.CREATED)
        return user, None
    return user, temporary


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    return int(session.scalar(query) or 0)


def set_user_active(session: Session, ctx: AuditContext, user: User, active: bool) -> User:
    authorize(ctx.actor, Permission.USER_SET_ACTIVE, user)
    if not active and user.active and user.role == Role.ADMIN and count_active_admins(session) <= 1:
        raise AccountError("last_admin")
    user.active = active
    ended = renew_credential(session, user, SessionEnd.DEACTIVATED) if not active else 0
    session.flush()
    record(
        session,
        ctx,
        Action.USER_ACTIVE_SET,
        object_type="user",
        object_id=user.id,
        active=active,
        sessions_ended=ended,
    )
    return user


def reset_password(
    session: Session, ctx: AuditContext, passwords: Passwords, user: User
) -> str | None:
    """Reset the password and TOTP; the user must choose a new password and re-enrol.

    Returns the temporary password, except for a caseworker or supervisor: their credential
    waits for a supervisor's release and nobody sees a password now (None).
    """
    authorize(ctx.actor, Permission.USER_RESET_PASSWORD, user)
    pending = credential_needs_release(user.role)
    temporary = None if pending else generate_temporary_password()
    if temporary is not None:
        user.password_hash = passwords.hash(temporary)
    user.must_change_password = True
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.failed_attempts = 0
    user.locked_until = None
    ended = renew_credential(session, user, SessionEnd.PASSWORD_RESET)
    record(
        session,
        ctx,
        Action.USER_PASSWORD_RESET,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
        totp_reset=True,
        pending_release=pending,
    )
    if pending:
        hold_for_release(session, ctx, passwords, user, Pending.RESET)
    return temporary


def unlock_user(session: Session, ctx: AuditContext, user: User) -> User:
    authorize(ctx.actor, Permission.USER_UNLOCK, user)
    user.failed_attempts = 0
    user.locked_until = None
    ended = renew_credential(session, user, SessionEnd.UNLOCKED)
    record(
        session,
        ctx,
        Action.USER_UNLOCKED,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
    )
    return user


@dataclass(frozen=True)
class UserOverview:
    """What the admin's account page shows."""

    user: User
    live_sessions: int
    locked: bool


def live_session_count(
    session: Session, settings: AuthSettings, user: User, now: datetime | None = None
) -> int:
    """Sessions that would still be honoured: not ended, not timed out (idle or absolute, even
    if no request has noticed yet) and of the current credential version."""
    now = now or utcnow()
    query = (
        select(func.count())
        .select_from(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.credential_version == user.credential_version,
            UserSession.created_at >= now - settings.absolute_timeout,
            UserSession.last_seen_at >= now - settings.idle_timeout,
        )
    )
    return int(session.scalar(query) or 0)


def user_overview(
    session: Session, ctx: AuditContext, settings: AuthSettings, user: User
) -> UserOverview:
    read_user(session, ctx, user)
    now = utcnow()
    return UserOverview(
        user, live_session_count(session, settings, user, now), is_locked(user, now)
    )


def end_user_sessions(session: Session, ctx: AuditContext, user: User) -> int:
    authorize(ctx.actor, Permission.USER_END_SESSIONS, user)
    ended = end_all_sessions(session, user, SessionEnd.ADMIN)
    record(
        session,
        ctx,
        Action.USER_SESSIONS_ENDED,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
    )
    return ended
