"""What other areas read about meetings: a case's meeting decisions and action items as the
case page shows them, each under the note policy (a note of its category by its writer's
agency), in two statements however many meetings the case was on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from audit.events import Actor
from cases.meetings.models import (
    ActionItem,
    ActionStatus,
    Addendum,
    EntryKind,
    Meeting,
    MinuteEntry,
)
from cases.policy import Decision, Permission, decide
from cases.policy.facts import CaseFacts
from cases.policy.meetings import minute_note
from core.datakeys import person_owner

__all__ = [
    "CaseMeetingItems",
    "MeetingAddendum",
    "MeetingDecision",
    "MeetingTask",
    "case_meeting_items",
]

# One statement for both kinds (the case page pays one round trip, however many meetings):
# the decisions and the action items of the case, with their meeting's title, time and status.
_ENTRY_ROWS = (
    select(
        literal("entry").label("row_kind"),
        MinuteEntry.id,
        MinuteEntry.meeting_id,
        Meeting.title,
        Meeting.starts_at,
        Meeting.status,
        MinuteEntry.kind,
        MinuteEntry.category,
        MinuteEntry.author_agency_id,
        MinuteEntry.supersedes_id,
        cast(null(), ActionItem.owner_user_id.type).label("owner_user_id"),
        cast(null(), ActionItem.due_on.type).label("due_on"),
        cast(null(), ActionItem.status.type).label("action_status"),
        MinuteEntry.person_id,
        MinuteEntry.body_ct.label("text_ct"),
        MinuteEntry.created_at,
    )
    .join(Meeting, Meeting.id == MinuteEntry.meeting_id)
    .where(MinuteEntry.case_id == bindparam("case_id"))
)
_ACTION_ROWS = (
    select(
        literal("action").label("row_kind"),
        ActionItem.id,
        ActionItem.meeting_id,
        Meeting.title,
        Meeting.starts_at,
        Meeting.status,
        cast(null(), MinuteEntry.kind.type).label("kind"),
        ActionItem.category,
        ActionItem.author_agency_id,
        cast(null(), MinuteEntry.supersedes_id.type).label("supersedes_id"),
        ActionItem.owner_user_id,
        ActionItem.due_on,
        ActionItem.status.label("action_status"),
        ActionItem.person_id,
        ActionItem.description_ct.label("text_ct"),
        ActionItem.created_at,
    )
    .join(Meeting, Meeting.id == ActionItem.meeting_id)
    .where(ActionItem.case_id == bindparam("case_id"))
)
# An addendum carries the id of what it corrects in `supersedes_id`'s place.
_ADDENDUM_ROWS = (
    select(
        literal("addendum").label("row_kind"),
        Addendum.id,
        Addendum.meeting_id,
        Meeting.title,
        Meeting.starts_at,
        Meeting.status,
        cast(null(), MinuteEntry.kind.type).label("kind"),
        Addendum.category,
        Addendum.author_agency_id,
        func.coalesce(Addendum.entry_id, Addendum.action_item_id).label("supersedes_id"),
        cast(null(), ActionItem.owner_user_id.type).label("owner_user_id"),
        cast(null(), ActionItem.due_on.type).label("due_on"),
        cast(null(), ActionItem.status.type).label("action_status"),
        Addendum.person_id,
        Addendum.text_ct.label("text_ct"),
        Addendum.created_at,
    )
    .join(Meeting, Meeting.id == Addendum.meeting_id)
    .where(Addendum.case_id == bindparam("case_id"))
)
_ITEMS_OF_CASE: CompoundSelect[Any] = union_all(_ENTRY_ROWS, _ACTION_ROWS, _ADDENDUM_ROWS)
_TEXTS = {
    "entry": (MinuteEntry.body, MinuteEntry.__tablename__),
    "action": (ActionItem.description, ActionItem.__tablename__),
    "addendum": (Addendum.text, Addendum.__tablename__),
}


@dataclass(frozen=True)
class MeetingAddendum:
    category: str
    author_agency_id: uuid.UUID
    created_at: datetime
    text: str


@dataclass(frozen=True)
class MeetingDecision:
    meeting_id: uuid.UUID
    meeting_title: str
    meeting_at: datetime
    meeting_status: str
    category: str
    author_agency_id: uuid.UUID
    body: str
    addenda: list[MeetingAddendum]


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
    addenda: list[MeetingAddendum]


@dataclass(frozen=True)
class CaseMeetingItems:
    decisions: list[MeetingDecision]
    tasks: list[MeetingTask]
    hidden: int  # decisions, action items and addenda of other agencies not shown to the reader
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

    rows = session.execute(_ITEMS_OF_CASE, {"case_id": facts.id}).all()
    superseded = {r.supersedes_id for r in rows if r.row_kind == "entry" and r.supersedes_id}
    addenda: dict[uuid.UUID, list[MeetingAddendum]] = {}
    for row in sorted(rows, key=lambda r: r.created_at):
        if row.row_kind == "addendum" and readable(row.author_agency_id, row.category):
            addenda.setdefault(row.supersedes_id, []).append(
                MeetingAddendum(
                    row.category, row.author_agency_id, row.created_at, _decrypt(session, row)
                )
            )
    decisions: list[MeetingDecision] = []
    tasks: list[MeetingTask] = []
    denied: set[uuid.UUID] = set()
    for row in sorted(rows, key=lambda r: (r.starts_at, r.created_at)):
        if row.row_kind == "addendum" or (
            row.row_kind == "entry" and (row.kind != EntryKind.DECISION or row.id in superseded)
        ):
            continue
        if not readable(row.author_agency_id, row.category):
            denied.add(row.id)
            continue
        text, corrections = _decrypt(session, row), addenda.get(row.id, [])
        if row.row_kind == "entry":
            decisions.append(
                MeetingDecision(
                    row.meeting_id,
                    row.title,
                    row.starts_at,
                    row.status,
                    row.category,
                    row.author_agency_id,
                    text,
                    corrections,
                )
            )
        else:
            tasks.append(
                MeetingTask(
                    row.id,
                    row.meeting_id,
                    row.title,
                    row.owner_user_id,
                    row.category,
                    row.due_on,
                    row.action_status == ActionStatus.DONE,
                    text,
                    corrections,
                )
            )
    # A readable addendum to a decision or action item the reader may not read is not shown
    # (it belongs under its item): counted with the hidden ones.
    hidden += sum(len(rows) for target, rows in addenda.items() if target in denied)
    tasks.sort(key=lambda t: (t.done, t.due_on))
    return CaseMeetingItems(decisions, tasks, hidden, frozenset(bases))


def _decrypt(session: Session, row: Any) -> str:
    """The row's text under the young person's data key, as the ORM attribute would read it."""
    if row.text_ct is None:
        return ""
    field, table = _TEXTS[row.row_kind]
    return str(field.decrypt(session, table, row.id, person_owner(row.person_id), row.text_ct))
