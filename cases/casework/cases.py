"""Opening a case: led by the actor's agency, with the actor on its team."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.models import (
    Case,
    ConcernCode,
    TeamAgency,
    TeamUser,
)
from cases.inputs import InputError
from cases.persons.models import Person
from cases.policy import (
    Decision,
    Permission,
    authorize,
    decide,
)
from cases.policy.facts import DEFAULT_RULES, CaseFacts, CaseRules, DisclosureRequest
from cases.policy.holds import HOLD_PERMISSIONS, HoldFacts
from cases.policy.loading import LoadedCase, load_case_by_id, person_facts
from cases.records import record_about
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from core.db import utcnow


def open_case(
    session: Session,
    ctx: AuditContext,
    person: Person,
    concern_codes: Iterable[str],
    opened_at: datetime | None = None,
) -> Case:
    """Open a case led by the actor's agency, with the actor on its team.

    `opened_at` is for recording a case opened earlier on paper (and for the demo scenario).
    """
    decision = authorize(ctx.actor, Permission.CASE_OPEN, person_facts(session, person))
    assert ctx.actor is not None and ctx.actor.agency_id is not None and ctx.actor.id  # noqa: S101
    codes = sorted(set(concern_codes))
    if not codes:
        raise InputError("required", "concern_codes")
    if any(code not in ConcernCode.__members__.values() for code in codes):
        raise InputError("invalid_choice", "concern_codes")
    if person.erased_at is not None:
        raise InputError("erased", "concern_codes")
    case = Case(
        person_id=person.id,
        lead_agency_id=ctx.actor.agency_id,
        concern_codes=codes,
        opened_by_user_id=ctx.actor.id,
        opened_at=opened_at or utcnow(),
    )
    session.add(case)
    session.flush()
    session.add(
        TeamAgency(
            case_id=case.id,
            agency_id=ctx.actor.agency_id,
            added_by_user_id=ctx.actor.id,
            basis="lead",
            start_at=case.opened_at,
        )
    )
    session.add(TeamUser(case_id=case.id, user_id=ctx.actor.id, start_at=case.opened_at))
    session.flush()
    record_about(session, ctx, Action.CASE_OPENED, case, decision.basis, concerns=codes)
    count_case_event(session, FactEvent.CASE_OPENED, case, case.opened_at)
    return case


def get_case(session: Session, case_id: uuid.UUID) -> Case | None:
    return session.get(Case, case_id)


def has_case(session: Session, person: Person) -> bool:
    """Whether any case, open or closed, was opened for the person."""
    return session.scalar(select(Case.id).where(Case.person_id == person.id).limit(1)) is not None


def first_case(session: Session, person: Person) -> Case | None:
    """The person's earliest case (the demo scenario gives each young person one)."""
    return session.scalar(
        select(Case).where(Case.person_id == person.id).order_by(Case.opened_at, Case.id).limit(1)
    )


@dataclass(frozen=True)
class CaseReach:
    """A case, its facts as of now (with the rows behind them) and the decision on one
    permission over it."""

    case: Case
    loaded: LoadedCase
    decision: Decision

    @property
    def facts(self) -> CaseFacts:
        return self.loaded.facts


def reach_case(
    session: Session,
    ctx: AuditContext,
    case_id: uuid.UUID,
    permission: Permission,
    *,
    rules: CaseRules = DEFAULT_RULES,
    disclosing: bool = False,
) -> CaseReach | None:
    """Decide `permission` on a case before anything of it is shown; None if it does not exist.

    A disclosure (`disclosing`) is asked about as one of the actor's own agency's notes. The
    caller answers a denial (and audits it); the facts serve the rest of its request."""
    loaded = load_case_by_id(session, case_id, rules=rules)
    if loaded is None:
        return None
    case = loaded.case
    actor = ctx.actor
    resource: object = loaded.facts
    if disclosing and actor is not None and actor.agency_id is not None:
        resource = DisclosureRequest(loaded.facts, actor.agency_id)
    if permission in HOLD_PERMISSIONS:
        resource = HoldFacts(loaded.facts)
    return CaseReach(case, loaded, decide(actor, permission, resource))


def person_for_new_case(session: Session, ctx: AuditContext, person_id: uuid.UUID) -> Person | None:
    """The person a case is to be opened for, if the actor may open one (else `PolicyDenied`);
    None if there is no such person."""
    person = session.get(Person, person_id)
    if person is not None:
        authorize(ctx.actor, Permission.CASE_OPEN, person_facts(session, person))
    return person
