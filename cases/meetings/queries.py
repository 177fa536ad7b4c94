"""What other areas read about meetings: a case's meeting decisions and action items as the
case page shows them, each under the note policy (a note of its category by its writer's
agency), in two statements however many meetings the case was on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from audit.events import Actor
from cases.meetings.models import ActionItem, ActionStatus, EntryKind, Meeting, MinuteEntry
from cases.policy import Decision, Permission, decide
from cases.policy.facts import CaseFacts
from cases.policy.meetings import minute_note

__all__ = ["CaseMeetingItems", "MeetingDecision", "MeetingTask", "case_meeting_items"]

_DECISIONS = (
    select(MinuteEntry, Meeting.title, Meeting.starts_at, Meeting.status)
    .join(Meeting, Meeting.id == MinuteEntry.meeting_id)
    .where(MinuteEntry.case_id == bindparam("case_id"))
    .order_by(Meeting.starts_at, MinuteEntry.created_at)
)
_TASKS = (
    select(ActionItem, Meeting.title, Meeting.starts_at, Meeting.status)
    .join(Meeting, Meeting.id == ActionItem.meeting_id)
    .where(ActionItem.case_id == bindparam("case_id"))
    .order_by(ActionItem.due_on, ActionItem.created_at)
)


@dataclass(frozen=True)
class MeetingDecision:
    meeting_id: uuid.UUID
    meeting_title: str
    meeting_at: datetime
    meeting_status: str
    category: str
    author_agency_id: uuid.UUID
    body: str


@dataclass(frozen=True)
class MeetingTask:
    id: uuid.UUID
    meeting_id: uuid.UUID
    meeting_title: str
    owner_user_id: uuid.UUID
    category: str
    due_on: date
    done: bool
    description: str


@dataclass(frozen=True)
class CaseMeetingItems:
    decisions: list[MeetingDecision]
    tasks: list[MeetingTask]
    hidden: int  # decisions and action items of other agencies not shared with the reader
    bases: frozenset[str]


def case_meeting_items(
    session: Session, actor: Actor | None, facts: CaseFacts, now: datetime
) -> CaseMeetingItems:
    """The case's meeting decisions (current versions) and action items the actor may read."""
    verdicts: dict[tuple[uuid.UUID, str], Decision] = {}
    bases: set[str] = set()
    hidden = 0

    def readable(author_agency: uuid.UUID, category: str) -> bool:
        nonlocal hidden
        key = (author_agency, category)
        if key not in verdicts:
            note = minute_note(facts, author_agency, category)
            verdicts[key] = decide(actor, Permission.NOTE_READ, note, now)
        verdict = verdicts[key]
        if verdict:
            bases.update(verdict.basis)
        else:
            hidden += 1
        return verdict.allowed

    entries = session.execute(_DECISIONS, {"case_id": facts.id}).all()
    superseded = {row[0].supersedes_id for row in entries if row[0].supersedes_id is not None}
    decisions = [
        MeetingDecision(
            e.meeting_id, title, at, status, e.category, e.author_agency_id, e.body or ""
        )
        for e, title, at, status in entries
        if e.kind == EntryKind.DECISION
        and e.id not in superseded
        and readable(e.author_agency_id, e.category)
    ]
    tasks = [
        MeetingTask(
            a.id,
            a.meeting_id,
            title,
            a.owner_user_id,
            a.category,
            a.due_on,
            a.status == ActionStatus.DONE,
            a.description or "",
        )
        for a, title, _at, _status in session.execute(_TASKS, {"case_id": facts.id})
        if readable(a.author_agency_id, a.category)
    ]
    return CaseMeetingItems(decisions, tasks, hidden, frozenset(bases))
