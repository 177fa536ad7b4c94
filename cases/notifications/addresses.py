"""A practitioner's address for the notification mail, set by an administrator or operator."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import User
from cases.inputs import InputError
from cases.policy import Permission, authorize

# A plain address: one @, no spaces or control characters, a dot in the domain; the server
# is the final judge. Only ASCII, so an address cannot hide look-alike letters.
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_LENGTH = 254


def set_email(session: Session, ctx: AuditContext, user: User, address: str | None) -> None:
    """Set (or with None clear) where `user`'s notification mail goes; audited."""
    authorize(ctx.actor, Permission.USER_SET_EMAIL, user)
    cleaned = (address or "").strip() or None
    if cleaned is not None and (len(cleaned) > MAX_LENGTH or not ADDRESS.fullmatch(cleaned)):
        raise InputError("invalid", "email")
    user.email = cleaned
    session.flush()
    record(
        session,
        ctx,
        Action.USER_EMAIL_SET,
        object_type="user",
        object_id=user.id,
        cleared=cleaned is None,
    )
