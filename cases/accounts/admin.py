"""Administration of agencies and accounts. Each service asks the policy, then audits."""

from __future__ import annotations

import re
import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency, AgencyKind, Role, User
from cases.accounts.passwords import Passwords, password_problems
from cases.accounts.services import (
    AccountError,
    PasswordRejected,
    SessionEnd,
    end_all_sessions,
    get_agency_by_code,
    get_user_by_username,
)
from cases.policy import Permission, authorize

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
    if not name.strip():
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
            ended += end_all_sessions(session, user, SessionEnd.DEACTIVATED)
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


def generate_temporary_password() -> str:
    """Return a one-time password an admin hands over; the user must change it at sign-in."""
    return secrets.token_urlsafe(15)


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
    """Create an account; without a password a temporary one is generated and returned."""
    authorize(ctx.actor, Permission.USER_CREATE, agency)
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
    record(
        session,
        ctx,
        Action.USER_CREATED,
        object_type="user",
        object_id=user.id,
        role=role,
        agency=agency.code,
        temporary_password=temporary is not None,
    )
    return user, temporary


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    return int(session.scalar(query) or 0)


def set_user_active(session: Session, ctx: AuditContext, user: User, active: bool) -> User:
    authorize(ctx.actor, Permission.USER_SET_ACTIVE, user)
    if not active and user.active and user.role == Role.ADMIN and count_active_admins(session) <= 1:
        raise AccountError("last_admin")
    user.active = active
    ended = end_all_sessions(session, user, SessionEnd.DEACTIVATED) if not active else 0
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


def reset_password(session: Session, ctx: AuditContext, passwords: Passwords, user: User) -> str:
    """Give the user a temporary password; they must change it and re-enrol TOTP."""
    authorize(ctx.actor, Permission.USER_RESET_PASSWORD, user)
    temporary = generate_temporary_password()
    user.password_hash = passwords.hash(temporary)
    user.must_change_password = True
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.failed_attempts = 0
    user.locked_until = None
    ended = end_all_sessions(session, user, SessionEnd.PASSWORD_RESET)
    session.flush()
    record(
        session,
        ctx,
        Action.USER_PASSWORD_RESET,
        object_type="user",
        object_id=user.id,
        sessions_ended=ended,
        totp_reset=True,
    )
    return temporary


def unlock_user(session: Session, ctx: AuditContext, user: User) -> User:
    authorize(ctx.actor, Permission.USER_UNLOCK, user)
    user.failed_attempts = 0
    user.locked_until = None
    session.flush()
    record(session, ctx, Action.USER_UNLOCKED, object_type="user", object_id=user.id)
    return user


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
