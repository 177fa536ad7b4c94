"""Holding a case open for the rest of a write (issue 9 re-attack: notes were stored after the
case they belong to was closed, by requests racing the supervisor's approval).

Every write that the policy allows only on an open case claims the case row in its open state
(`core.claims.claim`) before it writes. The supervisor's approval claims the same row to close
it, so the two are serialised: a write that loses the race is refused exactly as a write on a
closed case is, with the policy's own reason and its audited denial.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.casework.models import Case, CaseStatus
from cases.inputs import InputError
from cases.policy import Permission, authorize
from cases.policy.loading import case_facts
from core.claims import claim


def hold_open(session: Session, ctx: AuditContext, case: Case, permission: Permission) -> None:
    """Claim `case` as open until the transaction ends, or refuse `permission` on it as the
    policy does now that it is closed."""
    if claim(session, case, Case.status == CaseStatus.OPEN, status=CaseStatus.OPEN):
        return
    refuse_as_now(session, ctx, case, permission)


def refuse_as_now(session: Session, ctx: AuditContext, case: Case, permission: Permission) -> None:
    """Another request changed the case first: decide again on the committed row, which raises
    the policy's denial; the input error is for a state the policy would still allow."""
    session.refresh(case)
    authorize(ctx.actor, permission, case_facts(session, case))
    raise InputError("case_changed", "decision")
