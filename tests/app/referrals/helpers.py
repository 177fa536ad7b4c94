"""What the referral page tests share: the demo referrals by marker, counting what a request
wrote, and the referrals of the database as they are now."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from audit.models import AuditEvent
from cases.referrals.models import Referral

R_MARKER_RE = re.compile(r"DEMO-R\d-[A-Z]+-[A-Z]+")


def referral_ids(app: Flask) -> dict[str, uuid.UUID]:
    """The demo referrals R1–R4 by the marker in their reason."""
    with app.app_context():
        found = {}
        for referral in db().scalars(select(Referral)):
            markers = R_MARKER_RE.findall(referral.reason or "")
            if markers:
                found[markers[0]] = referral.id
        return found


def denials(app: Flask, username_id: uuid.UUID | str | None = None) -> int:
    """How many access denials were audited (by this user, when named)."""
    with app.app_context():
        query = select(func.count()).where(AuditEvent.action == "policy:access:denied")
        if username_id is not None:
            query = query.where(AuditEvent.actor_user_id == uuid.UUID(str(username_id)))
        return int(db().scalar(query) or 0)


def state_of(app: Flask, referral_id: uuid.UUID) -> str:
    with app.app_context():
        referral = db().get(Referral, referral_id)
        assert referral is not None
        return referral.state


def referral_count(app: Flask) -> int:
    with app.app_context():
        return int(db().scalar(select(func.count()).select_from(Referral)) or 0)
