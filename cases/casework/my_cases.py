"""The "my cases" page (issue 16, point 3): the cases of one status the actor works on,
filtered by lead agency, in the order asked, a page at a time, with the consents that end soon
and the decisions waiting for the actor. Only the young people listed on the page are read
(each a `person:read` of their own); the rest are counted, never named."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.casework.consents import ConsentState, expiring_consents
from cases.casework.models import Case, CaseStatus
from cases.casework.queues import (
    CaseListing,
    closure_queue,
    emergency_reviews,
    listed,
    my_cases_decided,
)
from cases.policy.facts import DEFAULT_RULES, CaseRules

#: Cases a page lists: a caseworker's open cases fit on one; a supervisor's agency's need pages.
PAGE_SIZE = 25


class CaseOrder(StrEnum):
    OLDEST = "oldest"  # opened first at the top: the longest-running work first
    NEWEST = "newest"


@dataclass(frozen=True)
class MyCasesQuery:
    status: CaseStatus = CaseStatus.OPEN
    lead_agency_id: uuid.UUID | None = None  # any lead agency when None
    order: CaseOrder = CaseOrder.OLDEST
    page: int = 1  # from 1; past the last page, the last page


@dataclass(frozen=True)
class MyCasesPage:
    query: MyCasesQuery
    listing: list[CaseListing]  # this page's cases with the young person's name
    total: int  # cases matching the query, on every page
    page: int
    pages: int
    lead_agencies: list[uuid.UUID]  # the lead agencies of the actor's cases of this status
    other_status: int  # how many of the actor's cases have the other status (open / closed)
    expiring: list[tuple[Case, ConsentState]]  # on the actor's open cases, within 30 days
    waiting: int  # closure requests and emergency reviews the actor may decide


def my_cases_page(
    session: Session,
    ctx: AuditContext,
    query: MyCasesQuery,
    *,
    rules: CaseRules = DEFAULT_RULES,
    page_size: int = PAGE_SIZE,
) -> MyCasesPage:
    """One page of the actor's cases as asked, and what the page shows beside them."""
    other = CaseStatus.CLOSED if query.status is CaseStatus.OPEN else CaseStatus.OPEN
    decided = {status: my_cases_decided(session, ctx, status) for status in (query.status, other)}
    mine = decided[query.status]
    chosen = [
        (case, decision)
        for case, decision in mine
        if query.lead_agency_id is None or case.lead_agency_id == query.lead_agency_id
    ]
    # Ties (cases opened in the same instant) by id, so that pages never overlap.
    chosen.sort(
        key=lambda item: (item[0].opened_at, str(item[0].id)),
        reverse=query.order is CaseOrder.NEWEST,
    )
    pages = max(1, -(-len(chosen) // page_size))
    page = min(max(1, query.page), pages)
    open_cases = [case for case, _decision in decided[CaseStatus.OPEN]]
    waiting = closure_queue(session, ctx), emergency_reviews(session, ctx)
    return MyCasesPage(
        query=query,
        listing=listed(session, ctx, chosen[(page - 1) * page_size : page * page_size]),
        total=len(chosen),
        page=page,
        pages=pages,
        lead_agencies=sorted({case.lead_agency_id for case, _d in mine}, key=str),
        other_status=len(decided[other]),
        expiring=expiring_consents(session, ctx, open_cases, rules=rules),
        waiting=sum(len(items) for items in waiting),
    )
