"""Reading a meeting as one participant: the agenda as their agency may see it, the minutes'
entries, action items and addenda their agency may read, one audit event per case shown.

An agenda item about a case not shared with the reader's agency shows nothing of the case: no
name, no identity code, no case id, no entry, no count. The statements a meeting page sends do
not grow with the agenda (one per kind of row, the cases' facts in one batch).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, new_event, record_events
from cases.accounts.models import Agency, User
from cases.meetings.loading import AgendaCase, agenda_cases, load_meeting
from cases.meetings.models import ActionItem, Addendum, Meeting, MeetingStatus, MinuteEntry
from cases.meetings.planning import has_approver
from cases.persons.queries import PersonDetails, current_details_of
from cases.policy import Decision, Permission, authorize, decide
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.meetings import (
    MeetingCase,
    MeetingFacts,
    case_shared_with,
    minute_note,
    unshared_agencies,
)
from core.db import utcnow

# What the meeting page offers, each shown only when the policy allows it.
MEETING_ACTIONS = (
    Permission.MEETING_CANCEL,
    Permission.MEETING_HOLD,
    Permission.MEETING_ATTENDANCE_RECORD,
    Permission.MEETING_MINUTES_SUBMIT,
    Permission.MEETING_MINUTES_APPROVE,
    Permission.MEETING_MINUTES_RETURN,
)

# The states in which the minutes are still to be signed off.
OPEN_FOR_SIGN_OFF = frozenset(
    {MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.RETURNED, MeetingStatus.SUBMITTED}
)

_ENTRIES = (
    select(MinuteEntry)
    .where(MinuteEntry.meeting_id == bindparam("meeting_id"))
    .order_by(MinuteEntry.created_at)
)
_ACTIONS = (
    select(ActionItem)
    .where(ActionItem.meeting_id == bindparam("meeting_id"))
    .order_by(ActionItem.due_on, ActionItem.created_at)
)
_ADDENDA = (
    select(Addendum)
    .where(Addendum.meeting_id == bindparam("meeting_id"))
    .order_by(Addendum.created_at)
)


@dataclass(frozen=True)
class ShownAddendum:
    addendum: Addendum
    text: str


@dataclass(frozen=True)
class ShownEntry:
    entry: MinuteEntry
    body: str
    addenda: list[ShownAddendum]


@dataclass(frozen=True)
class ShownAction:
    action: ActionItem
    description: str
    addenda: list[ShownAddendum]


@dataclass(frozen=True)
class AgendaView:
    """One agenda item as the reader sees it; when not `shared`, nothing but its position."""

    position: int
    shared: bool
    item_id: uuid.UUID
    case_id: uuid.UUID | None = None
    person: PersonDetails | None = None
    entries: list[ShownEntry] = field(default_factory=list)
    actions: list[ShownAction] = field(default_factory=list)
    hidden: int = 0  # entries, action items and addenda of other agencies not readable
    may_write: bool = False  # the reader may write this item's minutes now
    may_add_addendum: bool = False
    owners: list[User] = field(default_factory=list)  # who may own an action item (the team)
    unshared_agencies: frozenset[uuid.UUID] = frozenset()  # the organiser's warning


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    facts: MeetingFacts
    agenda: list[AgendaView]
    participants: list[tuple[User, bool | None]]  # invited users and their attendance
    users: Mapping[uuid.UUID, User]  # everyone the page names
    agencies: Mapping[uuid.UUID, Agency]
    may: frozenset[str]
    # Nobody could approve the minutes (no supervisor of the organising agency but the chair);
    # told to the organising agency's readers only.
    no_approver: bool = False


def _group(rows: list[MinuteEntry] | list[ActionItem] | list[Addendum]) -> dict[uuid.UUID, list]:  # type: ignore[type-arg]
    grouped: dict[uuid.UUID, list] = {}  # type: ignore[type-arg]
    for row in rows:
        grouped.setdefault(row.agenda_item_id, []).append(row)
    return grouped


class _Reader:
    """One request's note-policy decisions on the minutes, made once per case, writing agency
    and category."""

    def __init__(self, ctx: AuditContext, now: datetime) -> None:
        self.ctx, self.now = ctx, now
        self.verdicts: dict[tuple[uuid.UUID, uuid.UUID, str], Decision] = {}

    def may_read(self, agenda: AgendaCase, row: MinuteEntry | ActionItem | Addendum) -> Decision:
        key = (agenda.case.id, row.author_agency_id, row.category)
        verdict = self.verdicts.get(key)
        if verdict is None:
            note = minute_note(agenda.facts, row.author_agency_id, row.category)
            verdict = decide(self.ctx.actor, Permission.NOTE_READ, note, self.now)
            self.verdicts[key] = verdict
        return verdict


def view_meeting(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    *,
    rules: CaseRules = DEFAULT_RULES,
    printing: bool = False,
) -> MeetingView:
    """The meeting as the actor may see it; one audit event per case whose data is shown (and
    one about the meeting when none is), `meeting:print` when printing."""
    now = utcnow()
    loaded = load_meeting(session, meeting)
    permission = Permission.MEETING_PRINT if printing else Permission.MEETING_READ
    authorize(ctx.actor, permission, loaded.facts, now)
    agency = ctx.actor.agency_id if ctx.actor is not None else None
    agenda = agenda_cases(session, meeting, now, rules)
    shared = [a for a in agenda if case_shared_with(agency, a.facts, now)]
    entries = list(session.scalars(_ENTRIES, {"meeting_id": meeting.id}))
    superseded = {e.supersedes_id for e in entries if e.supersedes_id is not None}
    entries_by_item = _group([e for e in entries if e.id not in superseded])
    actions_by_item = _group(list(session.scalars(_ACTIONS, {"meeting_id": meeting.id})))
    addenda_by_item = _group(list(session.scalars(_ADDENDA, {"meeting_id": meeting.id})))
    people = current_details_of(session, {a.case.person_id for a in shared})
    named = {row.user_id for row in loaded.invited} | {meeting.chair_user_id}
    for a in shared:
        named |= a.facts.member_users
    for rows in (
        *entries_by_item.values(),
        *actions_by_item.values(),
        *addenda_by_item.values(),
    ):
        named |= {r.author_user_id for r in rows if r.author_user_id is not None}
        named |= {r.owner_user_id for r in rows if isinstance(r, ActionItem)}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(named)))}
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    reader = _Reader(ctx, now)
    views: list[AgendaView] = []
    bases_by_case: dict[uuid.UUID, set[str]] = {}
    shared_items = {a.item.id for a in shared}
    for a in agenda:
        if a.item.id not in shared_items:
            views.append(AgendaView(a.item.position, False, a.item.id))
            continue
        view, bases = _agenda_view(
            ctx,
            reader,
            loaded.facts,
            a,
            people.get(a.case.person_id),
            users,
            now,
            entries_by_item.get(a.item.id, []),
            actions_by_item.get(a.item.id, []),
            addenda_by_item.get(a.item.id, []),
        )
        views.append(view)
        bases_by_case[a.case.id] = bases
    _record_read(session, ctx, meeting, shared, bases_by_case, printing)
    may = frozenset(str(p) for p in MEETING_ACTIONS if decide(ctx.actor, p, loaded.facts, now))
    participants = [
        (users[row.user_id], row.present) for row in loaded.invited if row.user_id in users
    ]
    organiser = ctx.actor is not None and ctx.actor.agency_id == meeting.organising_agency_id
    no_approver = (
        organiser and meeting.status in OPEN_FOR_SIGN_OFF and not has_approver(session, meeting)
    )
    return MeetingView(
        meeting, loaded.facts, views, participants, users, agencies, may, no_approver
    )


def _agenda_view(
    ctx: AuditContext,
    reader: _Reader,
    meeting: MeetingFacts,
    agenda: AgendaCase,
    person: PersonDetails | None,
    users: Mapping[uuid.UUID, User],
    now: datetime,
    entries: list[MinuteEntry],
    actions: list[ActionItem],
    addenda: list[Addendum],
) -> tuple[AgendaView, set[str]]:
    bases: set[str] = set()
    hidden = 0
    if person is None:
        # An erased young person (a shared case's person is otherwise always read): their
        # minutes items, action items and addenda no longer decrypt, so none is shown.
        entries, actions, addenda = [], [], []

    def readable(row: MinuteEntry | ActionItem | Addendum) -> bool:
        nonlocal hidden
        verdict = reader.may_read(agenda, row)
        if verdict:
            bases.update(verdict.basis)
        else:
            hidden += 1
        return verdict.allowed

    shown_addenda: dict[uuid.UUID, list[ShownAddendum]] = {}
    for addendum in addenda:
        if readable(addendum):
            target = addendum.entry_id or addendum.action_item_id
            assert target is not None  # noqa: S101 - one of the two is always set
            shown_addenda.setdefault(target, []).append(
                ShownAddendum(addendum, addendum.text or "")
            )
    shown_entries = [
        ShownEntry(e, e.body or "", shown_addenda.get(e.id, [])) for e in entries if readable(e)
    ]
    shown_actions = [
        ShownAction(x, x.description or "", shown_addenda.get(x.id, []))
        for x in actions
        if readable(x)
    ]
    # An addendum the reader may read that corrects an item they may not is shown nowhere (it
    # belongs under its item): counted with the hidden ones, so nothing vanishes unsaid.
    shown_items = {e.entry.id for e in shown_entries} | {x.action.id for x in shown_actions}
    hidden += sum(len(rows) for target, rows in shown_addenda.items() if target not in shown_items)
    in_meeting = MeetingCase(meeting, agenda.facts)
    may_write = bool(decide(ctx.actor, Permission.MEETING_MINUTES_WRITE, in_meeting, now))
    view = AgendaView(
        position=agenda.item.position,
        shared=True,
        item_id=agenda.item.id,
        case_id=agenda.case.id,
        person=person,
        entries=shown_entries,
        actions=shown_actions,
        hidden=hidden,
        may_write=may_write,
        may_add_addendum=bool(
            decide(ctx.actor, Permission.MEETING_ADDENDUM_WRITE, in_meeting, now)
        ),
        owners=[users[u] for u in sorted(agenda.facts.member_users, key=str) if u in users]
        if may_write
        else [],
        # The warning is for whoever builds the agenda (the organising agency's people), not a
        # list of other agencies' bases for every participant (attack on issue 12).
        unshared_agencies=unshared_agencies(meeting, agenda.facts, now)
        if ctx.actor is not None and ctx.actor.agency_id == meeting.organising_agency
        else frozenset(),
    )
    return view, bases


def _record_read(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    shared: list[AgendaCase],
    bases_by_case: Mapping[uuid.UUID, set[str]],
    printing: bool,
) -> None:
    action = Action.MEETING_PRINTED if printing else Action.MEETING_READ
    if not shared:
        record_events(
            session, [new_event(ctx, action, object_type="meeting", object_id=meeting.id)]
        )
        return
    record_events(
        session,
        [
            new_event(
                ctx,
                action,
                object_type="meeting",
                object_id=meeting.id,
                subject=a.case.person_id,
                bases=sorted(bases_by_case.get(a.case.id, ())),
                case=str(a.case.id),
            )
            for a in shared
        ],
    )
