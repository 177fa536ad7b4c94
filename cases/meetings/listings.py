"""Lists of meetings and action items: the meetings a user sees, their own action items, and a
supervisor's review queue (minutes awaiting approval, overdue action items of the agency).

Each action item shown is one the reader may read under the note policy; one the reader may
not read (a supervisor's agency outside the writer's consent, say) is listed without its text.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.casework.models import Case
from cases.meetings.models import ActionItem, ActionStatus, Meeting, MeetingStatus
from cases.persons.queries import PersonDetails, current_details_of
from cases.policy import Permission, authorize, decide
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import cases_facts
from cases.policy.meetings import minute_note
from cases.policy.scopes import visible_meetings
from cases.policy.sharing import local_day
from core.db import utcnow

PAGE_SIZE = 25


@dataclass(frozen=True)
class MeetingPage:
    meetings: list[Meeting]
    page: int
    pages: int


def my_meetings(
    session: Session, ctx: AuditContext, *, page: int = 1, upcoming: bool = True
) -> MeetingPage:
    """The meetings the actor sees: upcoming (soonest first) or past (latest first), paged."""
    now = utcnow()
    authorize(ctx.actor, Permission.MEETING_LIST, None, now)
    scope = visible_meetings(ctx.actor)
    when = Meeting.starts_at >= now if upcoming else Meeting.starts_at < now
    total = session.scalar(select(func.count()).select_from(Meeting).where(scope, when)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    order = Meeting.starts_at.asc() if upcoming else Meeting.starts_at.desc()
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(scope, when)
            .order_by(order, Meeting.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return MeetingPage(meetings, page, pages)


@dataclass(frozen=True)
class TaskRow:
    action: ActionItem
    meeting: Meeting
    person: PersonDetails | None
    description: str | None  # None when the reader may not read it
    overdue: bool


def _task_rows(
    session: Session,
    ctx: AuditContext,
    rows: list[tuple[ActionItem, Meeting, Case]],
    now: datetime,
    rules: CaseRules,
    listing: str,
) -> list[TaskRow]:
    facts = cases_facts(session, [case for _a, _m, case in rows], now, rules)
    today = local_day(now, rules)
    readable = []
    for action, meeting, case in rows:
        note = minute_note(facts[case.id], action.author_agency_id, action.category)
        verdict = decide(ctx.actor, Permission.NOTE_READ, note, now)
        readable.append((action, meeting, verdict))
    people = current_details_of(session, {a.person_id for a, _m, v in readable if v})
    record_events(
        session,
        [
            new_event(
                ctx,
                Action.ACTION_ITEMS_LISTED,
                object_type="action_item",
                object_id=a.id,
                subject=a.person_id,
                bases=v.basis,
                listing=listing,
            )
            for a, _m, v in readable
            if v
        ],
    )
    return [
        TaskRow(
            a,
            m,
            people.get(a.person_id) if v else None,
            _description(a, people) if v else None,
            a.status == ActionStatus.OPEN and a.due_on < today,
        )
        for a, m, v in readable
    ]


def _description(action: ActionItem, people: Mapping[uuid.UUID, PersonDetails | None]) -> str:
    # An erased young person's action items no longer decrypt: nothing is left to show.
    if people.get(action.person_id) is None:
        return ""
    return action.description or ""


def _with_cases(owner_or_agency: ColumnElement[bool]) -> Select[ActionItem, Meeting, Case]:
    return (
        select(ActionItem, Meeting, Case)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .join(Case, Case.id == ActionItem.case_id)
        .where(owner_or_agency)
    )


def my_action_items(
    session: Session, ctx: AuditContext, *, rules: CaseRules = DEFAULT_RULES, limit: int = 200
) -> list[TaskRow]:
    """The actor's own open action items, due first (then the latest done ones)."""
    now = utcnow()
    authorize(ctx.actor, Permission.ACTION_ITEM_LIST, None, now)
    assert ctx.actor is not None  # noqa: S101 - policy
    query = (
        _with_cases(ActionItem.owner_user_id == ctx.actor.id)
        .order_by(
            (ActionItem.status == ActionStatus.DONE).asc(),
            ActionItem.due_on,
            ActionItem.id,
        )
        .limit(limit)
    )
    rows = [(a, m, c) for a, m, c in session.execute(query)]
    return _task_rows(session, ctx, rows, now, rules, "tasks")


@dataclass(frozen=True)
class ReviewQueue:
    awaiting_approval: list[Meeting]
    overdue: list[TaskRow]


def review_queue(
    session: Session, ctx: AuditContext, *, rules: CaseRules = DEFAULT_RULES, limit: int = 200
) -> ReviewQueue:
    """A supervisor's queue: minutes their agency organised awaiting approval, and their
    agency's overdue action items."""
    now = utcnow()
    authorize(ctx.actor, Permission.MEETING_REVIEW_QUEUE, None, now)
    assert ctx.actor is not None  # noqa: S101 - policy
    awaiting = list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.organising_agency_id == ctx.actor.agency_id,
                Meeting.status == MeetingStatus.SUBMITTED,
            )
            .order_by(Meeting.submitted_at, Meeting.id)
            .limit(limit)
        )
    )
    today: date = local_day(now, rules)
    query = (
        _with_cases(ActionItem.owner_agency_id == ctx.actor.agency_id)
        .where(ActionItem.status == ActionStatus.OPEN, ActionItem.due_on < today)
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(limit)
    )
    rows = [(a, m, c) for a, m, c in session.execute(query)]
    return ReviewQueue(awaiting, _task_rows(session, ctx, rows, now, rules, "review_queue"))


def get_action_item(session: Session, action_id: uuid.UUID) -> ActionItem | None:
    return session.get(ActionItem, action_id)
