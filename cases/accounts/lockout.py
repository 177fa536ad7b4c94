"""The one failure counter of every step that checks a secret (issue 9, finding 2).

Password, TOTP, re-authentication and password change all count here. The count is raised in
the database and the lock decided from the value it returns, so simultaneous wrong guesses
each count and the lock is set exactly once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from audit.events import Action, AuditContext, Outcome, record
from cases.accounts.models import User
from cases.accounts.services import AuthSettings, counts_failures


def count_failure(session: Session, user: User) -> int:
    """Add one failed factor to the account in one statement and return the new count.

    `failed_attempts = failed_attempts + 1 ... RETURNING` is atomic on SQLite and PostgreSQL,
    so simultaneous wrong guesses each count and each sees its own number.
    """
    query = (
        update(User)
        .where(User.id == user.id)
        .values(failed_attempts=User.failed_attempts + 1)
        .returning(User.failed_attempts)
        .execution_options(synchronize_session=False)
    )
    count = int(session.execute(query).scalar_one())
    set_committed_value(user, "failed_attempts", count)
    return count


def lock_if_unlocked(session: Session, user: User, until: datetime, now: datetime) -> bool:
    """Lock the account unless it is locked already; True if this call locked it (once under
    concurrency: the condition is checked on the row itself)."""
    query = (
        update(User)
        .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    locked = int(getattr(session.execute(query), "rowcount", 0) or 0) == 1
    if locked:
        set_committed_value(user, "locked_until", until)
    return locked


def record_failure(
    session: Session,
    ctx: AuditContext,
    settings: AuthSettings,
    user: User | None,
    action: Action,
    now: datetime,
    **details: object,
) -> bool:
    """Audit a failed factor and count it against the account; True if that locked it.

    Every step that checks a secret (password, TOTP, re-authentication, password change)
    counts here, in one counter; the lock follows from the count the database returned.
    """
    record(
        session,
        ctx,
        action,
        outcome=Outcome.DENIED,
        object_type="user" if user is not None else None,
        object_id=user.id if user is not None else None,
        extra=details,
    )
    if user is None or not counts_failures(user):
        return False
    if count_failure(session, user) < settings.max_failures:
        return False
    locked = lock_if_unlocked(session, user, now + settings.lockout, now)
    if locked:
        record(
            session,
            ctx,
            Action.LOCKOUT,
            object_type="user",
            object_id=user.id,
            minutes=int(settings.lockout.total_seconds() // 60),
        )
    return locked
