"""Planning a meeting: creating it with its invitations, putting cases on its agenda, marking it
held, cancelling it. A meeting row holds no personal data; an agenda item names a case, so its
event is about that case's young person."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.accounts.models import Agency, User
from cases.casework.models import Case
from cases.inputs import InputError, line_field
from cases.meetings.loading import load_meeting, meeting_step
from cases.meetings.models import (
    AGENDA_OPEN,
    AgendaItem,
    InvitedAgency,
    InvitedUser,
    Meeting,
    MeetingStatus,
)
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.loading import case_facts
from cases.policy.meetings import MeetingCase, unshared_agencies
from cases.policy.permissions import PRACTITIONER_ROLES
from cases.policy.scopes import agency_supervisors
from cases.records import actor_id, record_about
from cases.statistics.counting import Counted, count_event
from cases.statistics.models import FactEvent
from core.claims import hold_fresh
from core.db import utcnow

# How far from today a meeting may be dated: minutes of a past meeting are written afterwards;
# a date years away is a typing error.
MAX_PAST = timedelta(days=60)
MAX_AHEAD = timedelta(days=2 * 366)
DURATIONS = range(15, 8 * 60 + 1)


@dataclass(frozen=True)
class MeetingInput:
    title: str
    starts_at: datetime  # timezone-aware
    duration_minutes: int
    place: str
    video_link: str
    chair_user_id: uuid.UUID
    invited_agency_ids: Sequence[uuid.UUID] = field(default_factory=tuple)
    invited_user_ids: Sequence[uuid.UUID] = field(default_factory=tuple)


def _video_link(value: str) -> str:
    link = line_field(value, "video_link", limit=500)
    if not link:
        return ""
    parts = urlsplit(link)
    # Only an https address with a host: the link is shown to every participant as a link.
    if parts.scheme != "https" or not parts.hostname or " " in link:
        raise InputError("invalid_link", "video_link")
    return link


def _when(given: MeetingInput, now: datetime) -> datetime:
    if given.starts_at.tzinfo is None:
        raise InputError("invalid_date", "starts_at")
    if not now - MAX_PAST <= given.starts_at <= now + MAX_AHEAD:
        raise InputError("out_of_range", "starts_at")
    if given.duration_minutes not in DURATIONS:
        raise InputError("out_of_range", "duration_minutes")
    return given.starts_at


def _invitations(
    session: Session, ctx: AuditContext, given: MeetingInput
) -> tuple[list[Agency], list[User]]:
    """The invited agencies (the organising agency always among them) and users (each of an
    invited agency, active and a practitioner; the chair and the creator always among them)."""
    organiser = ctx.actor.agency_id if ctx.actor is not None else None
    agency_ids = {*given.invited_agency_ids, organiser}
    agencies = list(session.scalars(select(Agency).where(Agency.id.in_(agency_ids))))
    if len(agencies) != len(agency_ids) or not all(a.active for a in agencies):
        raise InputError("invalid_choice", "invited_agencies")
    user_ids = {*given.invited_user_ids, given.chair_user_id, actor_id(ctx)}
    users = list(session.scalars(select(User).where(User.id.in_(user_ids))))
    if len(users) != len(user_ids) or not all(
        u.active and u.role in PRACTITIONER_ROLES and u.agency_id in agency_ids for u in users
    ):
        raise InputError("invalid_choice", "invited_users")
    chair = next(u for u in users if u.id == given.chair_user_id)
    if chair.agency_id != organiser:
        raise InputError("chair_not_organiser", "chair")

    return agencies, users


def create_meeting(
    session: Session, ctx: AuditContext, given: MeetingInput, *, now: datetime | None = None
) -> Meeting:
    """A planned meeting organised by the actor's agency, with its invitations."""
    now = now or utcnow()
    authorize(ctx.actor, Permission.MEETING_CREATE, None, now)
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    title = line_field(given.title, "title", required=True)
    place = line_field(given.place, "place")
    link = _video_link(given.video_link)
    if not place and not link:
        raise InputError("place_or_link", "place")
    starts_at = _when(given, now)
    agencies, users = _invitations(session, ctx, given)
    meeting = Meeting(
        title=title,
        starts_at=starts_at,
        duration_minutes=given.duration_minutes,
        place=place,
        video_link=link,
        organising_agency_id=ctx.actor.agency_id,
        chair_user_id=given.chair_user_id,
        created_by_user_id=actor_id(ctx),
        created_at=now,
        status=MeetingStatus.PLANNED,
    )
    session.add(meeting)
    session.flush()
    session.add_all(InvitedAgency(meeting_id=meeting.id, agency_id=a.id) for a in agencies)
    session.add_all(
        InvitedUser(meeting_id=meeting.id, user_id=u.id, agency_id=u.agency_id) for u in users
    )
    session.flush()
    record(
        session,
        ctx,
        Action.MEETING_CREATED,
        object_type="meeting",
        object_id=meeting.id,
        invited_agencies=len(agencies),
        invited_users=len(users),
    )
    return meeting


def cancel_meeting(
    session: Session, ctx: AuditContext, meeting: Meeting, *, reason: str
) -> Meeting:
    # The policy first: a user who may not take the step learns nothing from its input rules.
    authorize(ctx.actor, Permission.MEETING_CANCEL, load_meeting(session, meeting).facts)
    text = line_field(reason, "reason", required=True)
    return meeting_step(
        session,
        ctx,
        meeting,
        Permission.MEETING_CANCEL,
        Action.MEETING_CANCELLED,
        status=MeetingStatus.CANCELLED,
        cancel_reason=text,
    )


def mark_held(session: Session, ctx: AuditContext, meeting: Meeting) -> Meeting:
    """The meeting took place: its minutes may now be written (not before it began)."""
    now = utcnow()
    authorize(ctx.actor, Permission.MEETING_HOLD, load_meeting(session, meeting).facts, now)
    if meeting.starts_at > now:
        raise InputError("not_yet", "meeting")
    held = meeting_step(
        session,
        ctx,
        meeting,
        Permission.MEETING_HOLD,
        Action.MEETING_HELD,
        status=MeetingStatus.HELD,
        held_at=now,
    )
    organiser = session.get(Agency, meeting.organising_agency_id)
    count_event(
        session,
        Counted(FactEvent.MEETING_HELD, now, lead_kind=organiser.kind if organiser else None),
    )
    return held


@dataclass(frozen=True)
class AgendaAdded:
    item: AgendaItem
    unshared: frozenset[uuid.UUID]  # invited agencies the case is not shared with


def add_agenda_item(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    case: Case,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> AgendaAdded:
    """Put a case on the agenda (a member of its team, on a meeting they see, before the minutes
    are submitted); says which invited agencies will not see it."""
    now = utcnow()
    # Held so that the agenda and the minutes' submission are serialised.
    hold_fresh(session, Meeting, meeting.id)
    facts = load_meeting(session, meeting).facts
    cfacts = case_facts(session, case, now, rules)
    decision = authorize(ctx.actor, Permission.MEETING_AGENDA_ADD, MeetingCase(facts, cfacts), now)
    if meeting.status not in AGENDA_OPEN:  # the policy decided on the same row
        raise InputError("meeting_changed", "meeting")
    existing = session.scalars(
        select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)
    ).all()
    if case.id in existing:
        raise InputError("already_on_agenda", "case")
    position = session.scalar(
        select(func.coalesce(func.max(AgendaItem.position), 0)).where(
            AgendaItem.meeting_id == meeting.id
        )
    )
    item = AgendaItem(
        meeting_id=meeting.id,
        case_id=case.id,
        position=int(position or 0) + 1,
        added_by_user_id=actor_id(ctx),
        added_at=now,
    )
    session.add(item)
    session.flush()
    unshared = unshared_agencies(facts, cfacts, now)
    record_about(
        session,
        ctx,
        Action.AGENDA_ITEM_ADDED,
        case,
        decision.basis,
        object_type="meeting",
        object_id=meeting.id,
        unshared_agencies=len(unshared),
    )
    return AgendaAdded(item, unshared)


def has_approver(session: Session, meeting: Meeting) -> bool:
    """Whether anyone could approve the minutes: an active supervisor of the organising agency
    other than the chair. The meeting page warns when nobody could (attack on issue 12: the
    only supervisor of an agency chairing its meeting), so the chair can be told in time."""
    approvers = select(User.id).where(
        agency_supervisors([meeting.organising_agency_id]), User.id != meeting.chair_user_id
    )
    return session.scalar(approvers.limit(1)) is not None
