"""Moving a referral on: acknowledge, accept, decline, complete, withdraw, reopen, and the
needs-assessment dates. Each step is one conditional UPDATE on the state the policy decided on,
so of two simultaneous requests only one succeeds; the other is refused (`state_changed`) and
writes nothing. Each step is on the referral's history and audited in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.models import Case, TeamAgency, TeamUser
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import case_facts
from cases.policy.referrals import next_state, referral_facts
from cases.policy.sharing import local_day
from cases.records import actor_id, record_about
from cases.referrals.clocks import DEFAULT_CLOCKS, ClockRules, working_day_deadline
from cases.referrals.loading import case_of
from cases.referrals.models import (
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralState,
)
from cases.referrals.notifying import notify_change
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from core.claims import claim, hold_fresh
from core.db import utcnow

ACTIONS = {
    Permission.REFERRAL_ACKNOWLEDGE: (Action.REFERRAL_ACKNOWLEDGED, ReferralEventKind.ACKNOWLEDGED),
    Permission.REFERRAL_ACCEPT: (Action.REFERRAL_ACCEPTED, ReferralEventKind.ACCEPTED),
    Permission.REFERRAL_DECLINE: (Action.REFERRAL_DECLINED, ReferralEventKind.DECLINED),
    Permission.REFERRAL_COMPLETE: (Action.REFERRAL_COMPLETED, ReferralEventKind.COMPLETED),
    Permission.REFERRAL_WITHDRAW: (Action.REFERRAL_WITHDRAWN, ReferralEventKind.WITHDRAWN),
    Permission.REFERRAL_REOPEN: (Action.REFERRAL_REOPENED, ReferralEventKind.REOPENED),
}


def _claim(session: Session, referral: Referral, expected: dict[str, Any], **values: Any) -> None:
    """Change the referral only if it is still as the policy saw it (one statement)."""
    # `column == None` is rendered as IS NULL.
    conditions = [getattr(Referral, name) == value for name, value in expected.items()]
    if not claim(session, referral, *conditions, **values):
        raise InputError("state_changed", "state")


def _history(
    session: Session,
    ctx: AuditContext,
    referral: Referral,
    kind: str,
    from_state: str,
    to_state: str,
    now: datetime,
    *,
    reason_code: str | None = None,
    text: str | None = None,
) -> ReferralEvent:
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    event = ReferralEvent(
        referral_id=referral.id,
        person_id=referral.person_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        reason_code=reason_code,
        at=now,
        actor_user_id=actor_id(ctx),
        actor_agency_id=ctx.actor.agency_id,
    )
    session.add(event)
    if text:
        event.text = text
    return event


# The referral steps the statistics count (issue 13).
COUNTED: dict[str, FactEvent] = {
    ReferralState.ACCEPTED: FactEvent.REFERRAL_ACCEPTED,
    ReferralState.DECLINED: FactEvent.REFERRAL_DECLINED,
    ReferralState.COMPLETED: FactEvent.REFERRAL_COMPLETED,
}


def _step(
    session: Session,
    ctx: AuditContext,
    referral: Referral,
    permission: Permission,
    *,
    values: dict[str, Any] | None = None,
    reason_code: str | None = None,
    text: str | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> tuple[Referral, list[str]]:
    now = utcnow()
    case = case_of(session, referral)
    facts = case_facts(session, case, now, rules)
    current = referral_facts(referral, facts)
    decision = authorize(ctx.actor, permission, current, now)
    to_state = next_state(permission, current)
    changes = dict(values or {})
    changes["state"] = to_state
    if to_state in (ReferralState.DECLINED, ReferralState.COMPLETED, ReferralState.WITHDRAWN):
        changes["closed_at"] = now
    _claim(session, referral, {"state": current.state}, **changes)
    action, kind = ACTIONS[permission]
    _history(
        session,
        ctx,
        referral,
        kind,
        current.state,
        to_state,
        now,
        reason_code=reason_code,
        text=text,
    )
    session.flush()
    record_about(
        session,
        ctx,
        action,
        case,
        decision.basis,
        object_type="referral",
        object_id=referral.id,
        from_state=current.state,
        to_state=to_state,
        reason_code=reason_code or "",
        text=bool(text),
    )
    notify_change(session, referral, kind, actor_id(ctx), now)
    if to_state in COUNTED:
        count_case_event(
            session,
            COUNTED[to_state],
            case,
            now,
            sending_agency=referral.from_agency_id,
            receiving_agency=referral.to_agency_id,
            rules=rules,
        )
    return referral, list(decision.basis)


def acknowledge(session: Session, ctx: AuditContext, referral: Referral) -> Referral:
    """A handler of the receiving agency takes the referral (it is not yet accepted)."""
    now = utcnow()
    return _step(
        session,
        ctx,
        referral,
        Permission.REFERRAL_ACKNOWLEDGE,
        values={"acknowledged_at": now, "handler_user_id": actor_id(ctx)},
    )[0]


def accept(
    session: Session, ctx: AuditContext, referral: Referral, *, rules: CaseRules = DEFAULT_RULES
) -> Referral:
    """Accept: the receiving agency joins the case team (on the basis the policy names) and the
    accepting practitioner is named on it. The case row is held first, as a consent withdrawal
    holds it, so an acceptance never joins on a consent withdrawn a moment before."""
    hold_fresh(session, Case, referral.case_id)
    now = utcnow()
    values = {"responded_at": now, "handler_user_id": actor_id(ctx)}
    if referral.acknowledged_at is None:
        values["acknowledged_at"] = now
    _referral, bases = _step(
        session, ctx, referral, Permission.REFERRAL_ACCEPT, values=values, rules=rules
    )
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - allowed
    facts = case_facts(session, case_of(session, referral), now, rules)
    if ctx.actor.agency_id not in facts.member_agencies:
        session.add(
            TeamAgency(
                case_id=referral.case_id,
                agency_id=ctx.actor.agency_id,
                added_by_user_id=actor_id(ctx),
                basis=bases[0],
                start_at=now,
            )
        )
    if ctx.actor.id not in facts.member_users:
        session.add(TeamUser(case_id=referral.case_id, user_id=ctx.actor.id, start_at=now))
    session.flush()
    return referral


def decline(
    session: Session, ctx: AuditContext, referral: Referral, *, reason_code: str, text: str
) -> Referral:
    """Decline with a reason from the fixed list and a text (both required)."""
    if reason_code not in DeclineReason.__members__.values():
        raise InputError("invalid_choice", "decline_reason")
    cleaned = long_field(text, "decline_text")
    return _step(
        session,
        ctx,
        referral,
        Permission.REFERRAL_DECLINE,
        values={"responded_at": utcnow(), "decline_reason": reason_code},
        reason_code=reason_code,
        text=cleaned,
    )[0]


def complete(session: Session, ctx: AuditContext, referral: Referral, *, outcome: str) -> Referral:
    """Complete an accepted referral with an outcome note for the sender (required)."""
    cleaned = long_field(outcome, "outcome")
    return _step(session, ctx, referral, Permission.REFERRAL_COMPLETE, text=cleaned)[0]


def withdraw(
    session: Session, ctx: AuditContext, referral: Referral, *, reason: str = ""
) -> Referral:
    """The sending side withdraws an open referral (a reason is optional)."""
    cleaned = long_field(reason, "withdraw_reason", required=False)
    return _step(session, ctx, referral, Permission.REFERRAL_WITHDRAW, text=cleaned or None)[0]


def reopen(
    session: Session,
    ctx: AuditContext,
    referral: Referral,
    *,
    reason: str,
    clocks: ClockRules = DEFAULT_CLOCKS,
) -> Referral:
    """A supervisor of the receiving agency reopens a declined or completed referral with a
    reason; a declined one waits for a new answer, due as from now by its urgency."""
    cleaned = long_field(reason, "reopen_reason")
    values: dict[str, Any] = {"closed_at": None}
    if referral.state == ReferralState.DECLINED:
        now = utcnow()
        values.update(
            responded_at=None,
            decline_reason=None,
            # A new deadline: it escalates once in its turn.
            response_escalated_at=None,
            response_due_at=working_day_deadline(
                now, clocks.response_days[referral.urgency], clocks
            ),
        )
    return _step(session, ctx, referral, Permission.REFERRAL_REOPEN, values=values, text=cleaned)[0]


def record_assessment(
    session: Session,
    ctx: AuditContext,
    referral: Referral,
    *,
    started_on: date | None = None,
    completed_on: date | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> Referral:
    """Record when the needs assessment started and was completed (each once): not before the
    referral was sent, not in the future, completion not before the start."""
    now = utcnow()
    case = case_of(session, referral)
    current = referral_facts(referral, case_facts(session, case, now, rules))
    decision = authorize(ctx.actor, Permission.REFERRAL_ASSESSMENT_RECORD, current, now)
    sent_on, today = local_day(referral.sent_at, rules), local_day(now, rules)
    if started_on is None and completed_on is None:
        raise InputError("required", "started_on")
    values: dict[str, Any] = {}
    expected: dict[str, Any] = {"state": current.state}
    for name, day in (("started_on", started_on), ("completed_on", completed_on)):
        if day is None:
            continue
        if day < sent_on:
            raise InputError("before_referral", name)
        if day > today:
            raise InputError("in_future", name)
        if getattr(referral, f"assessment_{name}") is not None:
            raise InputError("already_recorded", name)
        values[f"assessment_{name}"] = day
        expected[f"assessment_{name}"] = None
    start = started_on or referral.assessment_started_on
    if completed_on is not None and (start is None or completed_on < start):
        raise InputError("before_start", "completed_on")
    _claim(session, referral, expected, **values)
    recorded = ReferralEventKind.ASSESSMENT_STARTED
    for name, kind in (
        ("started_on", ReferralEventKind.ASSESSMENT_STARTED),
        ("completed_on", ReferralEventKind.ASSESSMENT_COMPLETED),
    ):
        if f"assessment_{name}" in values:
            _history(session, ctx, referral, kind, current.state, current.state, now)
            recorded = kind
    session.flush()
    record_about(
        session,
        ctx,
        Action.REFERRAL_ASSESSMENT_RECORDED,
        case,
        decision.basis,
        object_type="referral",
        object_id=referral.id,
        recorded=sorted(values),
    )
    notify_change(session, referral, recorded, actor_id(ctx), now)
    return referral
