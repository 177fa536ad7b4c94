"""Disclosures without consent (on a basis of `cases.policy.legal_bases`) and emergency access."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency
from cases.casework.holding import hold_open
from cases.casework.models import Case, Disclosure
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules, Category, DisclosureRequest
from cases.policy.legal_bases import BasisEntry, bases_for, basis_entry
from cases.policy.loading import case_facts
from cases.policy.sharing import disclosure_problem, end_of_day, local_day
from cases.records import actor_id, record_about
from core.db import utcnow


def disclosure_bases(session: Session, ctx: AuditContext) -> tuple[BasisEntry, ...]:
    """The bases the actor's agency may disclose under (the form offers only these)."""
    agency = session.get(Agency, ctx.actor.agency_id) if ctx.actor is not None else None
    return bases_for(agency.kind if agency is not None else None)


def disclosure_recipients(session: Session, ctx: AuditContext) -> list[Agency]:
    """Active agencies that some basis open to the actor's agency may disclose to."""
    kinds = {kind for entry in disclosure_bases(session, ctx) for kind in entry.recipient_kinds}
    own = ctx.actor.agency_id if ctx.actor is not None else None
    agencies = session.scalars(select(Agency).where(Agency.active).order_by(Agency.name))
    return [a for a in agencies if a.kind in kinds and a.id != own]


def create_disclosure(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    to_agency: Agency,
    categories: Iterable[str],
    basis: str,
    justification: str,
    expires_on: date,
    granted_at: datetime | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> Disclosure:
    """Release the actor's agency's notes to another agency under a basis that fits both
    agencies' kinds, for at most the maximum term."""
    now = granted_at or utcnow()
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    facts = case_facts(session, case, now, rules)
    decision = authorize(
        ctx.actor, Permission.DISCLOSURE_CREATE, DisclosureRequest(facts, ctx.actor.agency_id), now
    )
    if to_agency.id == ctx.actor.agency_id:
        raise InputError("same_agency", "to_agency")
    problem = disclosure_problem(
        basis,
        facts.agency_kinds.get(ctx.actor.agency_id),
        to_agency.kind,
        local_day(now, rules),
        expires_on,
        rules,
    )
    if problem is not None:
        raise InputError(*problem)
    entry = basis_entry(basis)
    assert entry is not None  # noqa: S101 - checked above
    chosen = sorted(set(categories))
    if entry.releases_notes and (
        not chosen or any(c not in Category.__members__.values() for c in chosen)
    ):
        raise InputError("invalid_choice", "categories")
    text = long_field(justification, "justification")
    disclosure = Disclosure(
        person_id=case.person_id,
        case_id=case.id,
        from_agency_id=ctx.actor.agency_id,
        to_agency_id=to_agency.id,
        categories=chosen if entry.releases_notes else [],
        basis=basis,
        granted_by_user_id=actor_id(ctx),
        granted_at=now,
        expires_at=end_of_day(expires_on, rules),
    )
    hold_open(session, ctx, case, Permission.DISCLOSURE_CREATE)
    session.add(disclosure)
    disclosure.justification = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.DISCLOSURE_CREATED,
        case,
        [*decision.basis, f"legal:{basis}"],
        object_type="disclosure",
        object_id=disclosure.id,
        to_agency=to_agency.code,
        categories=disclosure.categories,
    )
    return disclosure
