"""What the send form offers: for each agency and data category whether a referral is allowed
now, with the policy's reason when it is not, and the notes the sender may attach."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency
from cases.casework.models import Case, CaseNote
from cases.policy import Decision, Permission, PolicyDenied, Reason, decide
from cases.policy.facts import DEFAULT_RULES, CaseFacts, CaseRules, Category
from cases.policy.loading import case_facts, note_facts
from cases.policy.referrals import ReferralProposal
from cases.records import record_about
from core.db import utcnow

# None stands for a Youth Act §11 referral (identification and contact data only).
SEND_CATEGORIES: tuple[str | None, ...] = (*(c.value for c in Category), None)
EXCERPT = 160


@dataclass(frozen=True)
class AgencyOptions:
    """One recipient agency: each category's decision (allowed, or the reason it is not)."""

    agency: Agency
    decisions: dict[str | None, Decision]

    @property
    def allowed(self) -> list[str | None]:
        return [c for c, d in self.decisions.items() if d.allowed]


@dataclass(frozen=True)
class SendOptions:
    agencies: list[AgencyOptions]
    # The case's current notes the sender reads: (note, a short excerpt of its text).
    notes: list[tuple[CaseNote, str]]

    @property
    def recipients(self) -> list[Agency]:
        return [a.agency for a in self.agencies if a.allowed]

    @property
    def categories(self) -> list[str | None]:
        return [c for c in SEND_CATEGORIES if any(c in a.allowed for a in self.agencies)]


def _attachable(
    session: Session, ctx: AuditContext, case: Case, facts: CaseFacts, now: datetime
) -> tuple[list[tuple[CaseNote, str]], set[str]]:
    notes = list(
        session.scalars(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.created_at)
        )
    )
    superseded = {n.supersedes_id for n in notes if n.supersedes_id is not None}
    readable: list[tuple[CaseNote, str]] = []
    bases: set[str] = set()
    for note in notes:
        if note.id in superseded:
            continue
        decision = decide(ctx.actor, Permission.NOTE_READ, note_facts(facts, note), now)
        if decision:
            body = note.body or ""
            readable.append((note, body if len(body) <= EXCERPT else body[:EXCERPT] + "…"))
            bases.update(decision.basis)
    return readable, bases


def send_options(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> SendOptions:
    """Every active agency but the actor's own, each category decided as sending would decide
    it now; `PolicyDenied` when the actor may not send on this case at all. Showing the
    attachable notes' excerpts is a read of the case, audited."""
    now = utcnow()
    facts = case_facts(session, case, now, rules)
    actor = ctx.actor
    own = getattr(actor, "agency_id", None)
    # Asked about the actor's own agency, the policy stops at what concerns the case and the
    # actor (team, role, closed case) before it says "same agency".
    probe = ReferralProposal(facts, own or uuid.UUID(int=0), own or uuid.UUID(int=0), None)
    gate = decide(actor, Permission.REFERRAL_SEND, probe, now)
    if gate.reason != Reason.SAME_AGENCY:
        raise PolicyDenied(Permission.REFERRAL_SEND, gate, probe)
    assert own is not None  # noqa: S101 - the policy allowed a member of an agency
    options = []
    agencies = session.scalars(select(Agency).where(Agency.active).order_by(Agency.name))
    for agency in agencies:
        if agency.id == own or not agency.active:
            continue
        decisions = {
            category: decide(
                actor,
                Permission.REFERRAL_SEND,
                ReferralProposal(facts, own, agency.id, category),
                now,
            )
            for category in SEND_CATEGORIES
        }
        options.append(AgencyOptions(agency, decisions))
    notes, bases = _attachable(session, ctx, case, facts, now)
    record_about(
        session,
        ctx,
        Action.CASE_READ,
        case,
        sorted(bases),
        page="referral_form",
        notes_shown=len(notes),
    )
    return SendOptions(options, notes)
