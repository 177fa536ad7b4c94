"""Sending a referral: from the actor's agency to another agency's inbox, on a basis that
would let the receiving agency read a note of its category by the sending agency."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency, AgencyKind, User
from cases.casework.models import Case, CaseNote, Disclosure
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize, decide
from cases.policy.facts import DEFAULT_RULES, CaseFacts, CaseRules, Category
from cases.policy.loading import case_facts, note_facts
from cases.policy.referrals import ReferralProposal
from cases.policy.sharing import age_on, local_day
from cases.records import actor_id, record_about
from cases.referrals.clocks import DEFAULT_CLOCKS, ClockRules, deadlines
from cases.referrals.models import (
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralState,
    Urgency,
    YouthActGround,
)
from cases.referrals.notifying import notify_sent
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from core.claims import hold_fresh
from core.db import utcnow

ADULT_AGE = 18


@dataclass(frozen=True)
class ReferralInput:
    """What the send form gives; `category` None is a Youth Act §11 referral."""

    to_agency: uuid.UUID
    urgency: str
    category: str | None
    reason: str = ""
    attached_note_ids: tuple[uuid.UUID, ...] = ()
    youth_act_grounds: tuple[str, ...] = ()
    young_person_informed: bool = False
    guardian_informed: bool = False
    # The send form's one-time token: a second send of the same form is refused.
    send_token: uuid.UUID | None = None


def _minor(facts: CaseFacts, now: datetime, rules: CaseRules) -> bool:
    """Under 18 today; a young person without a known birth date counts as a minor."""
    born = facts.person_birth_date
    return born is None or age_on(born, local_day(now, rules)) < ADULT_AGE


def _recipient(session: Session, agency_id: uuid.UUID) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise InputError("invalid_choice", "to_agency")
    return agency


def _attachments(
    session: Session,
    ctx: AuditContext,
    case: Case,
    facts: CaseFacts,
    ids: Sequence[uuid.UUID],
    now: datetime,
) -> list[str]:
    """The attached notes: current notes of this case that the sender reads (a forged id of
    another case's note, or of one the sender may not read, is refused as unknown)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    notes = list(
        session.scalars(
            select(CaseNote).where(CaseNote.id.in_(wanted), CaseNote.case_id == case.id)
        )
    )
    superseded = set(
        session.scalars(select(CaseNote.supersedes_id).where(CaseNote.supersedes_id.in_(wanted)))
    )
    readable = {
        n.id
        for n in notes
        if n.id not in superseded
        and decide(ctx.actor, Permission.NOTE_READ, note_facts(facts, n), now)
    }
    if readable != set(wanted):
        raise InputError("invalid_choice", "attached_note_ids")
    return [str(i) for i in wanted]


def _youth_act(given: ReferralInput, minor: bool) -> None:
    if given.reason.strip():
        # Identification and contact data only: no reason text beyond the grounds.
        raise InputError("not_allowed", "reason")
    if given.attached_note_ids:
        raise InputError("not_allowed", "attached_note_ids")
    if not given.youth_act_grounds or any(
        g not in YouthActGround.__members__.values() for g in given.youth_act_grounds
    ):
        raise InputError("invalid_choice", "youth_act_grounds")
    if not given.young_person_informed:
        raise InputError("required", "young_person_informed")
    if minor and not given.guardian_informed:
        raise InputError("required", "guardian_informed")


def _hold(session: Session, ctx: AuditContext, case: Case, given: ReferralInput) -> None:
    """Hold the case row and the sender's account row for the rest of the send, then decide
    on what is committed now: a send racing a consent withdrawal or the case's closure sees
    its outcome, and of a form sent twice at once (on one case or two) one send goes through
    and the other finds its token used."""
    hold_fresh(session, Case, case.id)
    hold_fresh(session, User, actor_id(ctx))
    if given.send_token is not None and session.scalar(
        select(Referral.id).where(
            Referral.from_user_id == actor_id(ctx), Referral.send_token == given.send_token
        )
    ):
        raise InputError("already_sent", "send_token")


def send_referral(
    session: Session,
    ctx: AuditContext,
    case: Case,
    given: ReferralInput,
    *,
    rules: CaseRules = DEFAULT_RULES,
    clocks: ClockRules = DEFAULT_CLOCKS,
    sent_at: datetime | None = None,
) -> Referral:
    """Send a referral from the actor's agency; refused (`PolicyDenied`, with the reason) unless
    a consent or disclosure of this case would let the receiver read such a note now.

    `sent_at` is for the demo scenario (a referral sent days ago, whose clocks run from then);
    no form offers it. The policy still decides on the facts of now.
    """
    now = utcnow()
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - checked below
    _hold(session, ctx, case, given)
    facts = case_facts(session, case, now, rules)
    if given.urgency not in Urgency.__members__.values():
        raise InputError("invalid_choice", "urgency")
    if given.category is not None and given.category not in Category.__members__.values():
        raise InputError("invalid_choice", "category")
    to_agency = _recipient(session, given.to_agency)
    proposal = ReferralProposal(facts, ctx.actor.agency_id, to_agency.id, given.category)
    decision = authorize(ctx.actor, Permission.REFERRAL_SEND, proposal, now)
    minor = _minor(facts, now, rules)
    if given.category is None:
        _youth_act(given, minor)
        reason, attached = None, []
    else:
        reason = long_field(given.reason, "reason")
        attached = _attachments(session, ctx, case, facts, given.attached_note_ids, now)
    basis = decision.basis[0]
    kind, _, basis_id = basis.partition(":")
    legal_basis = "consent"
    if kind == "disclosure":
        disclosure = session.get(Disclosure, uuid.UUID(basis_id))
        assert disclosure is not None  # noqa: S101 - the policy named it
        legal_basis = disclosure.basis
    needs_assessment = to_agency.kind == AgencyKind.SOCIAL_SERVICES and minor
    sent = min(sent_at or now, now)
    due = deadlines(sent, given.urgency, clocks, needs_assessment=needs_assessment)
    referral = Referral(
        person_id=case.person_id,
        case_id=case.id,
        from_agency_id=ctx.actor.agency_id,
        from_user_id=actor_id(ctx),
        to_agency_id=to_agency.id,
        urgency=given.urgency,
        category=given.category,
        basis=basis,
        consent_id=uuid.UUID(basis_id) if kind == "consent" else None,
        disclosure_id=uuid.UUID(basis_id) if kind == "disclosure" else None,
        legal_basis=legal_basis,
        attached_note_ids=attached,
        youth_act_grounds=sorted(set(given.youth_act_grounds)) if given.category is None else [],
        young_person_informed=True if given.category is None else None,
        guardian_informed=(given.guardian_informed if minor else None)
        if given.category is None
        else None,
        state=ReferralState.SENT,
        sent_at=sent,
        send_token=given.send_token,
        acknowledge_due_at=due.acknowledge_by,
        response_due_at=due.respond_by,
        needs_assessment=needs_assessment,
        assessment_start_due_at=due.assessment_start_by,
        assessment_complete_due_at=due.assessment_complete_by,
    )
    session.add(referral)
    if reason is not None:
        referral.reason = reason
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            person_id=case.person_id,
            kind=ReferralEventKind.SENT,
            from_state=None,
            to_state=ReferralState.SENT,
            at=sent,
            actor_user_id=actor_id(ctx),
            actor_agency_id=ctx.actor.agency_id,
        )
    )
    session.flush()
    record_about(
        session,
        ctx,
        Action.REFERRAL_SENT,
        case,
        [basis, f"legal:{legal_basis}"],
        object_type="referral",
        object_id=referral.id,
        to_agency=to_agency.code,
        category=given.category or "youth_act_11",
        urgency=given.urgency,
        attachments=len(attached),
        needs_assessment=needs_assessment,
    )
    notify_sent(session, referral, now)
    count_case_event(
        session,
        FactEvent.REFERRAL_SENT,
        case,
        sent,
        sending_agency=referral.from_agency_id,
        receiving_agency=referral.to_agency_id,
        rules=rules,
    )
    return referral
