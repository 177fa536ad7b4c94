"""Four-eyes release of practitioners' credentials (issue 9, finding 7).

An admin who creates or resets a caseworker's or supervisor's account never sees a password:
the account gets a credential nobody knows and waits. A supervisor of its agency releases it
and is the only one who sees the temporary password, to hand over in person; where the agency
has no other active supervisor a host operator releases it with `flask users release`. Both
steps are audited and flagged to auditors, and the release changes the credential version.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Role, User
from cases.accounts.passwords import Passwords
from cases.accounts.services import AccountError, SessionEnd, renew_credential
from cases.policy import CliActor, PendingCredential, Permission, authorize
from core.claims import claim
from core.db import utcnow


class Pending:
    """Why a credential waits for release."""

    CREATED = "created"
    RESET = "reset"


def generate_temporary_password() -> str:
    """Return a one-time password to hand over; the user must change it at sign-in."""
    return secrets.token_urlsafe(15)


def hold_for_release(
    session: Session,
    ctx: AuditContext,
    passwords: Passwords,
    user: User,
    why: str,
    now: datetime | None = None,
) -> None:
    """Give the account a credential nobody knows (its secret is dropped at once) and mark it
    as waiting for release; it cannot sign in until then."""
    user.password_hash = passwords.hash(secrets.token_urlsafe(32))
    user.must_change_password = True
    user.credential_pending = why
    user.credential_pending_at = now or utcnow()
    session.flush()
    record(
        session,
        ctx,
        Action.CREDENTIAL_PENDING,
        object_type="user",
        object_id=user.id,
        reason=why,
        role=user.role,
    )


def pending_facts(session: Session, user: User) -> PendingCredential:
    """The facts the policy decides a release on."""
    others = (
        select(func.count())
        .select_from(User)
        .where(
            User.agency_id == user.agency_id,
            User.role == Role.SUPERVISOR,
            User.active,
            User.credential_pending.is_(None),
            User.id != user.id,
        )
    )
    return PendingCredential(user.id, user.agency_id, int(session.scalar(others) or 0))


def list_pending(session: Session, ctx: AuditContext) -> list[User]:
    """Accounts of the supervisor's agency waiting for release (every one for an operator)."""
    authorize(ctx.actor, Permission.CREDENTIAL_PENDING_LIST)
    query = select(User).where(User.credential_pending.is_not(None), User.active)
    actor = ctx.actor
    if not isinstance(actor, CliActor) and actor is not None:
        query = query.where(User.agency_id == actor.agency_id, User.id != actor.id)
    return list(session.scalars(query.order_by(User.credential_pending_at, User.username)))


def release_credential(
    session: Session, ctx: AuditContext, passwords: Passwords, user: User
) -> str:
    """Release a pending credential: return the temporary password, shown to the releaser only."""
    authorize(ctx.actor, Permission.CREDENTIAL_RELEASE, pending_facts(session, user))
    why = user.credential_pending
    if not user.awaiting_release or not user.active or why is None:
        raise AccountError("not_pending")
    # One release per pending credential, even for simultaneous requests: otherwise each would
    # hand out a temporary password and only the last one would work.
    if not claim(
        session,
        user,
        User.credential_pending == why,
        credential_pending=None,
        credential_pending_at=None,
    ):
        raise AccountError("not_pending")
    temporary = generate_temporary_password()
    user.password_hash = passwords.hash(temporary)
    user.must_change_password = True
    ended = renew_credential(session, user, SessionEnd.RELEASED)
    record(
        session,
        ctx,
        Action.CREDENTIAL_RELEASED,
        object_type="user",
        object_id=user.id,
        reason=why or "",
        by_host_operator=isinstance(ctx.actor, CliActor),
        sessions_ended=ended,
    )
    return temporary


def record_seeded_release(session: Session, ctx: AuditContext, user: User) -> None:
    """The demo seed creates its practitioners with known passwords: released by the seed."""
    record(
        session,
        ctx,
        Action.CREDENTIAL_RELEASED,
        object_type="user",
        object_id=user.id,
        reason=Pending.CREATED,
        by_host_operator=True,
        seeded=True,
    )
