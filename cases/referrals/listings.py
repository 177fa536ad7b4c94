"""The referral pages' listings: the inbox and the sent list a page at a time, a case's
referrals as the reader may see them, and the supervisors' overview with its weekly flow.
Each costs the same statements however many referrals the database holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.accounts.models import Agency
from cases.casework.models import Case
from cases.policy import Permission, authorize, decide
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import case_facts
from cases.policy.referrals import referral_facts
from cases.policy.sharing import end_of_day, local_day
from cases.referrals.models import OPEN_STATES, Referral
from cases.referrals.reading import (
    LISTING_LIMIT,
    Overview,
    ReferralRow,
    inbox_query,
    listing_rows,
    overdue,
    overdue_first,
    overview,
    sent_query,
)
from core.db import utcnow

PAGE_SIZE = 25
MAX_PAGE = 10_000
FLOW_WEEKS = 12


def agency_names(session: Session, referrals: list[Referral]) -> dict[uuid.UUID, str]:
    """The names of the agencies these referrals are between, in one statement."""
    ids = {r.from_agency_id for r in referrals} | {r.to_agency_id for r in referrals}
    if not ids:
        return {}
    rows = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    return {agency_id: name for agency_id, name in rows}


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralRow]
    page: int
    has_next: bool
    names: dict[uuid.UUID, str]


def _page(
    session: Session,
    ctx: AuditContext,
    query: object,
    page: int,
    per_page: int,
    now: datetime,
    rules: CaseRules,
    listing: str,
) -> ReferralPage:
    page = min(max(page, 1), MAX_PAGE)
    found = list(
        session.scalars(
            query.offset((page - 1) * per_page).limit(per_page + 1)  # type: ignore[attr-defined]
        )
    )
    rows = listing_rows(session, ctx, found[:per_page], now, rules, listing)
    names = agency_names(session, [row.referral for row in rows])
    return ReferralPage(rows, page, len(found) > per_page, names)


def inbox_page(
    session: Session,
    ctx: AuditContext,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    rules: CaseRules = DEFAULT_RULES,
) -> ReferralPage:
    """A page of the actor's agency's inbox: overdue first, then new, then acknowledged."""
    now = utcnow()
    authorize(ctx.actor, Permission.REFERRAL_INBOX, None, now)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    query = inbox_query(ctx.actor.agency_id, now)
    return _page(session, ctx, query, page, per_page, now, rules, "inbox")


def sent_page(
    session: Session,
    ctx: AuditContext,
    *,
    page: int = 1,
    per_page: int = PAGE_SIZE,
    rules: CaseRules = DEFAULT_RULES,
) -> ReferralPage:
    """A page of the referrals the actor sent, newest first, whatever their state."""
    now = utcnow()
    authorize(ctx.actor, Permission.REFERRAL_INBOX, None, now)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    return _page(session, ctx, sent_query(ctx.actor.id), page, per_page, now, rules, "sent")


@dataclass(frozen=True)
class CaseReferral:
    """A referral on the case page's list: `content` False is the status-only view."""

    referral: Referral
    content: bool
    overdue: bool


@dataclass(frozen=True)
class CaseReferrals:
    items: list[CaseReferral]
    names: dict[uuid.UUID, str]


def case_referrals(
    session: Session, ctx: AuditContext, case: Case, *, rules: CaseRules = DEFAULT_RULES
) -> CaseReferrals:
    """The case's referrals the actor may know of, newest first (status only for other team
    agencies); one audit event per referral shown, inserted together."""
    now = utcnow()
    facts = case_facts(session, case, now, rules)
    found = list(
        session.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .order_by(Referral.sent_at.desc(), Referral.id)
            .limit(LISTING_LIMIT)
        )
    )
    shown: list[tuple[CaseReferral, tuple[str, ...]]] = []
    for referral in found:
        current = referral_facts(referral, facts)
        full = decide(ctx.actor, Permission.REFERRAL_READ, current, now)
        decision = full or decide(ctx.actor, Permission.REFERRAL_STATUS_READ, current, now)
        if decision:
            item = CaseReferral(referral, bool(full), overdue(referral, now))
            shown.append((item, decision.basis))
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.REFERRAL_LISTED,
                object_type="referral",
                object_id=item.referral.id,
                subject=case.person_id,
                bases=bases,
                listing="case",
                content=item.content,
            )
            for item, bases in shown
        ],
    )
    items = [item for item, _bases in shown]
    return CaseReferrals(items, agency_names(session, [i.referral for i in items]))


@dataclass(frozen=True)
class WeekFlow:
    """Referrals the agency sent and received in the week starting on `week` (a Monday)."""

    week: date
    sent: int
    received: int


def _week_starts(now: datetime, weeks: int, rules: CaseRules) -> list[date]:
    today = local_day(now, rules)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _flow(
    session: Session, agency: object, now: datetime, weeks: int, rules: CaseRules
) -> list[WeekFlow]:
    """The last `weeks` weeks (this one included) in one statement: two sums per week."""
    starts = _week_starts(now, weeks, rules)
    # A week runs from the end of the Sunday before its Monday to the end of its Sunday.
    bounds = [end_of_day(day - timedelta(days=1), rules) for day in [*starts]]
    bounds.append(end_of_day(starts[-1] + timedelta(days=6), rules))
    columns = []
    for n in range(weeks):
        in_week = (Referral.sent_at > bounds[n]) & (Referral.sent_at <= bounds[n + 1])
        for side in (Referral.from_agency_id, Referral.to_agency_id):
            columns.append(func.coalesce(func.sum(sql_case((in_week & (side == agency), 1))), 0))
    row = session.execute(
        select(*columns).where(
            (Referral.from_agency_id == agency) | (Referral.to_agency_id == agency),
            Referral.sent_at > bounds[0],
        )
    ).one()
    return [WeekFlow(starts[n], int(row[2 * n]), int(row[2 * n + 1])) for n in range(weeks)]


def weekly_flow(
    session: Session,
    ctx: AuditContext,
    *,
    weeks: int = FLOW_WEEKS,
    rules: CaseRules = DEFAULT_RULES,
) -> list[WeekFlow]:
    """How many referrals the supervisor's agency sent and received each week (counts only)."""
    now = utcnow()
    authorize(ctx.actor, Permission.REFERRAL_OVERVIEW, None, now)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    return _flow(session, ctx.actor.agency_id, now, weeks, rules)


@dataclass(frozen=True)
class SupervisorOverview:
    overview: Overview
    flow: list[WeekFlow]
    overdue_ids: frozenset[uuid.UUID]
    names: dict[uuid.UUID, str]
    # Counted in the database (the lists show at most `LISTING_LIMIT`): open, and overdue.
    open_in: int
    open_out: int
    overdue_in: int
    overdue_out: int


def _open_counts(session: Session, agency: object, now: datetime) -> tuple[int, int, int, int]:
    """Open and overdue referrals to and from `agency`, in one statement."""
    late = overdue_first(now) == 0
    incoming, outgoing = Referral.to_agency_id == agency, Referral.from_agency_id == agency

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            total(incoming), total(outgoing), total(incoming & late), total(outgoing & late)
        ).where(incoming | outgoing, Referral.state.in_(OPEN_STATES))
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def supervisor_overview(
    session: Session, ctx: AuditContext, *, rules: CaseRules = DEFAULT_RULES
) -> SupervisorOverview:
    """The overview page: counts by state, open and overdue referrals, and the weekly flow."""
    summary = overview(session, ctx)
    now = utcnow()
    shown = [*summary.open_in, *summary.open_out]
    late = frozenset(r.id for r in shown if overdue(r, now))
    flow = weekly_flow(session, ctx, rules=rules)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    counts = _open_counts(session, ctx.actor.agency_id, now)
    return SupervisorOverview(summary, flow, late, agency_names(session, shown), *counts)
