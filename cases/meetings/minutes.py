"""Writing and signing off minutes: attendance, discussion records and decisions, action items,
submission by the chair, approval or return by a supervisor of the organising agency.

Every write claims the meeting row in a state that takes it (`_hold_open`), and the sign-off
steps claim it too, so an entry racing the approval either lands before it or is refused as a
write on approved minutes is: approved minutes are never changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import User
from cases.casework.models import Case
from cases.inputs import InputError, line_field, long_field
from cases.meetings.loading import (
    LoadedMeeting,
    hold_case_open,
    load_meeting,
    meeting_step,
    superseded,
)
from cases.meetings.models import (
    MINUTES_OPEN,
    ActionItem,
    ActionStatus,
    AgendaItem,
    EntryKind,
    Meeting,
    MeetingStatus,
    MinuteEntry,
)
from cases.policy import Decision, Permission, authorize, decide, on_team
from cases.policy.facts import DEFAULT_RULES, CaseFacts, CaseRules, Category
from cases.policy.loading import case_facts
from cases.policy.meetings import MeetingCase, minute_note
from cases.policy.sharing import local_day
from cases.records import actor_id, record_about
from cases.text import MAX_NOTE
from core.claims import claim
from core.db import utcnow

MAX_DUE = timedelta(days=2 * 366)


def _hold_open(
    session: Session, ctx: AuditContext, meeting: Meeting, permission: Permission
) -> None:
    """Claim the meeting in its current open state for the rest of the write, or refuse the
    write as the policy does on what another request made of it."""
    if claim(session, meeting, Meeting.status.in_(MINUTES_OPEN), status=meeting.status):
        return
    session.refresh(meeting)
    authorize(ctx.actor, permission, load_meeting(session, meeting).facts)
    raise InputError("meeting_changed", "meeting")


def _case_step(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    item: AgendaItem,
    permission: Permission,
    now: datetime,
    rules: CaseRules,
) -> tuple[Case, CaseFacts, Decision]:
    if item.meeting_id != meeting.id:
        raise InputError("not_found", "agenda_item")
    case = session.get(Case, item.case_id)
    assert case is not None  # noqa: S101 - a foreign key
    cfacts = case_facts(session, case, now, rules)
    facts = load_meeting(session, meeting).facts
    decision = authorize(ctx.actor, permission, MeetingCase(facts, cfacts), now)
    return case, cfacts, decision


def _category(value: str) -> str:
    if value not in Category.__members__.values():
        raise InputError("invalid_choice", "category")
    return value


def write_entry(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    item: AgendaItem,
    *,
    kind: str,
    category: str,
    body: str,
    supersedes: MinuteEntry | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> MinuteEntry:
    """A discussion record or decision under an agenda item, by an invited member of the case's
    team; a change is a new entry that supersedes one of their agency's own."""
    now = utcnow()
    case, _facts, decision = _case_step(
        session, ctx, meeting, item, Permission.MEETING_MINUTES_WRITE, now, rules
    )
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    if kind not in EntryKind.__members__.values():
        raise InputError("invalid_choice", "kind")
    _category(category)
    if supersedes is not None and (
        supersedes.agenda_item_id != item.id or supersedes.author_agency_id != ctx.actor.agency_id
    ):
        raise InputError("not_correctable", "supersedes")
    text = long_field(body, "body", limit=MAX_NOTE)
    _hold_open(session, ctx, meeting, Permission.MEETING_MINUTES_WRITE)
    hold_case_open(session, ctx, meeting, case, Permission.MEETING_MINUTES_WRITE, rules)
    # Checked while the meeting is held, so two changes of one version cannot both land.
    if supersedes is not None and superseded(session, supersedes):
        raise InputError("not_correctable", "supersedes")
    entry = MinuteEntry(
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        case_id=case.id,
        person_id=case.person_id,
        kind=kind,
        category=category,
        author_user_id=actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        created_at=now,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    session.add(entry)
    entry.body = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.MINUTE_ENTRY_WRITTEN,
        case,
        decision.basis,
        object_type="meeting_entry",
        object_id=entry.id,
        meeting=str(meeting.id),
        kind=kind,
        category=category,
        correction=supersedes is not None,
    )
    return entry


def add_action_item(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    item: AgendaItem,
    *,
    owner_id: uuid.UUID,
    category: str,
    due_on: date,
    description: str,
    rules: CaseRules = DEFAULT_RULES,
) -> ActionItem:
    """A task for a user on the case's team who may read it (an owner who could not read their
    own task is refused), due on or after the meeting's day."""
    now = utcnow()
    case, cfacts, decision = _case_step(
        session, ctx, meeting, item, Permission.MEETING_MINUTES_WRITE, now, rules
    )
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    _category(category)
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or not on_team(owner, cfacts):
        raise InputError("owner_not_on_team", "owner")
    readable = decide(
        owner, Permission.NOTE_READ, minute_note(cfacts, ctx.actor.agency_id, category), now
    )
    if not readable:
        raise InputError("owner_cannot_read", "owner")
    meeting_day = local_day(meeting.starts_at, rules)
    if not meeting_day <= due_on <= meeting_day + MAX_DUE:
        raise InputError("out_of_range", "due_on")
    text = long_field(description, "description")
    _hold_open(session, ctx, meeting, Permission.MEETING_MINUTES_WRITE)
    hold_case_open(session, ctx, meeting, case, Permission.MEETING_MINUTES_WRITE, rules)
    action = ActionItem(
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        case_id=case.id,
        person_id=case.person_id,
        owner_user_id=owner.id,
        owner_agency_id=owner.agency_id,
        category=category,
        due_on=due_on,
        status=ActionStatus.OPEN,
        author_user_id=actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        created_at=now,
    )
    session.add(action)
    action.description = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.ACTION_ITEM_ADDED,
        case,
        decision.basis,
        object_type="action_item",
        object_id=action.id,
        meeting=str(meeting.id),
        category=category,
    )
    return action


def record_attendance(
    session: Session, ctx: AuditContext, meeting: Meeting, present: Mapping[uuid.UUID, bool]
) -> None:
    """Who was present and who absent, for every invited user (the chair records it)."""
    loaded = load_meeting(session, meeting)
    authorize(ctx.actor, Permission.MEETING_ATTENDANCE_RECORD, loaded.facts)
    if set(present) != {row.user_id for row in loaded.invited}:
        raise InputError("attendance_incomplete", "attendance")
    _hold_open(session, ctx, meeting, Permission.MEETING_ATTENDANCE_RECORD)
    for row in loaded.invited:
        row.present = bool(present[row.user_id])
    session.flush()
    record(
        session,
        ctx,
        Action.ATTENDANCE_RECORDED,
        object_type="meeting",
        object_id=meeting.id,
        present=sum(1 for v in present.values() if v),
        absent=sum(1 for v in present.values() if not v),
    )


def _attendance_recorded(loaded: LoadedMeeting) -> None:
    if any(row.present is None for row in loaded.invited):
        raise InputError("attendance_missing", "attendance")


def submit_minutes(session: Session, ctx: AuditContext, meeting: Meeting) -> Meeting:
    """The chair hands the minutes to the organising agency's supervisors (attendance first)."""
    return meeting_step(
        session,
        ctx,
        meeting,
        Permission.MEETING_MINUTES_SUBMIT,
        Action.MINUTES_SUBMITTED,
        check=_attendance_recorded,
        status=MeetingStatus.SUBMITTED,
        submitted_at=utcnow(),
    )


def approve_minutes(session: Session, ctx: AuditContext, meeting: Meeting) -> Meeting:
    """A supervisor of the organising agency who is not the chair signs the minutes off: from
    now on they take only addenda."""
    return meeting_step(
        session,
        ctx,
        meeting,
        Permission.MEETING_MINUTES_APPROVE,
        Action.MINUTES_APPROVED,
        status=MeetingStatus.APPROVED,
        reviewed_at=utcnow(),
        reviewed_by_user_id=actor_id(ctx),
    )


def return_minutes(
    session: Session, ctx: AuditContext, meeting: Meeting, *, comment: str
) -> Meeting:
    """Back to the chair for correction, with a comment (one line, no personal data)."""
    authorize(ctx.actor, Permission.MEETING_MINUTES_RETURN, load_meeting(session, meeting).facts)
    text = line_field(comment, "comment", required=True)
    return meeting_step(
        session,
        ctx,
        meeting,
        Permission.MEETING_MINUTES_RETURN,
        Action.MINUTES_RETURNED,
        status=MeetingStatus.RETURNED,
        reviewed_at=utcnow(),
        reviewed_by_user_id=actor_id(ctx),
        review_comment=text,
    )
