"""The auditors' list of legal holds in force (issue 14, point 2): who set which hold on which
case and until when, with the names the page shows; never the reasons (auditors see no
content). Reading it is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency, User
from cases.casework.models import Case
from cases.policy import Permission, authorize
from cases.retention.models import LegalHold, active_on
from cases.retention.rules import DEFAULT_RETENTION, RetentionRules
from core.db import utcnow

__all__ = ["HeldCase", "active_holds"]


@dataclass(frozen=True)
class HeldCase:
    hold_id: uuid.UUID
    case_id: uuid.UUID
    person_id: uuid.UUID
    lead_agency_id: uuid.UUID
    lead_agency_name: str
    set_by_user_id: uuid.UUID | None
    set_by_username: str | None  # None: set by no user, or the user is gone
    set_at: datetime
    ends_on: date | None


def active_holds(
    session: Session,
    ctx: AuditContext,
    *,
    rules: RetentionRules = DEFAULT_RETENTION,
    now: datetime | None = None,
    limit: int = 500,
) -> list[HeldCase]:
    """The holds in force at `now`, newest first, with the lead agency's and the setter's names,
    for an auditor (one statement, one event)."""
    now = now or utcnow()
    authorize(ctx.actor, Permission.AUDIT_HOLDS_READ, None, now)
    today = now.astimezone(ZoneInfo(rules.timezone)).date()
    query = (
        select(LegalHold, Case.lead_agency_id, Agency.name, User.username)
        .join(Case, Case.id == LegalHold.case_id)
        .join(Agency, Agency.id == Case.lead_agency_id)
        .outerjoin(User, User.id == LegalHold.set_by_user_id)
        .where(active_on(today))
        .order_by(LegalHold.set_at.desc(), LegalHold.id)
        .limit(limit)
    )
    held = [
        HeldCase(
            hold_id=hold.id,
            case_id=hold.case_id,
            person_id=hold.person_id,
            lead_agency_id=lead,
            lead_agency_name=agency_name,
            set_by_user_id=hold.set_by_user_id,
            set_by_username=username,
            set_at=hold.set_at,
            ends_on=hold.ends_on,
        )
        for hold, lead, agency_name, username in session.execute(query)
    ]
    record(session, ctx, Action.AUDIT_HOLDS_READ, object_type="legal_hold", holds=len(held))
    return held
