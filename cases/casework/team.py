"""The case team: member agencies (on a consent or disclosure covering them) and named users."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency, User
from cases.casework.holding import hold_open
from cases.casework.models import (
    Case,
    TeamAgency,
    TeamUser,
)
from cases.inputs import InputError
from cases.policy import (
    Permission,
    authorize,
    works_on_cases,
)
from cases.policy.facts import (
    DEFAULT_RULES,
    CaseFacts,
    CaseRules,
)
from cases.policy.loading import case_facts
from cases.policy.sharing import consent_effective, disclosure_active, disclosure_fits
from cases.records import actor_id, record_about
from core.db import utcnow


def _team_basis(facts: CaseFacts, agency_id: uuid.UUID, now: datetime) -> str | None:
    """What lets an agency join now: an effective consent of this case naming it, or a
    disclosure to it whose basis fits both agencies."""
    for consent in facts.consents:
        if consent_effective(consent, facts, now) and agency_id in consent.recipients:
            return f"consent:{consent.id}"
    for disclosure in facts.disclosures:
        if (
            disclosure_active(disclosure, now, facts.rules)
            and disclosure.to_agency == agency_id
            and disclosure_fits(disclosure, facts)
        ):
            return f"disclosure:{disclosure.id}"
    return None


def add_team_agency(
    session: Session,
    ctx: AuditContext,
    case: Case,
    agency: Agency,
    at: datetime | None = None,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> TeamAgency:
    """Add a member agency; needs a consent or disclosure covering it at that moment."""
    now = at or utcnow()
    facts = case_facts(session, case, now, rules)
    decision = authorize(ctx.actor, Permission.TEAM_ADD, facts, now)
    if agency.id in facts.member_agencies:
        raise InputError("already_member", "agency")
    basis = _team_basis(facts, agency.id, now)
    if basis is None:
        record_about(
            session,
            ctx,
            Action.CASE_TEAM_CHANGED,
            case,
            outcome_code="no_basis",
            agency=agency.code,
        )
        raise InputError("no_basis_for_agency", "agency")
    hold_open(session, ctx, case, Permission.TEAM_ADD)
    member = TeamAgency(
        case_id=case.id,
        agency_id=agency.id,
        added_by_user_id=actor_id(ctx),
        basis=basis,
        start_at=now,
    )
    session.add(member)
    session.flush()
    record_about(
        session,
        ctx,
        Action.CASE_TEAM_CHANGED,
        case,
        [*decision.basis, basis],
        added_agency=agency.code,
    )
    return member


def add_team_user(
    session: Session, ctx: AuditContext, case: Case, user: User, at: datetime | None = None
) -> TeamUser:
    """Name a user of a member agency on the team."""
    now = at or utcnow()
    facts = case_facts(session, case, now)
    decision = authorize(ctx.actor, Permission.TEAM_ADD, facts, now)
    if user.agency_id not in facts.member_agencies:
        raise InputError("agency_not_member", "user")
    if user.id in facts.member_users:
        raise InputError("already_member", "user")
    hold_open(session, ctx, case, Permission.TEAM_ADD)
    member = TeamUser(case_id=case.id, user_id=user.id, start_at=now)
    session.add(member)
    session.flush()
    record_about(
        session, ctx, Action.CASE_TEAM_CHANGED, case, decision.basis, added_user=user.username
    )
    return member


# --- notes ---------------------------------------------------------------------------------


def team_candidates(session: Session, facts: CaseFacts) -> list[User]:
    """Active practitioners of the member agencies not yet named on the team (the team form)."""
    members = session.scalars(
        select(User)
        .where(User.agency_id.in_(facts.member_agencies), User.active)
        .order_by(User.display_name)
    )
    return [u for u in members if u.id not in facts.member_users and works_on_cases(u.role)]
