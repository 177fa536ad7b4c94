"""After approval: addenda that correct the minutes (the minutes themselves never change), and
owners marking their action items done (progress on a task, not a change of the minutes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.models import Case
from cases.inputs import InputError, long_field
from cases.meetings.loading import hold_case_open, load_meeting, superseded
from cases.meetings.models import ActionItem, ActionStatus, Addendum, Meeting, MinuteEntry
from cases.policy import Permission, authorize
from cases.policy.facts import DEFAULT_RULES, CaseRules, Category
from cases.policy.loading import case_facts
from cases.policy.meetings import ActionFacts, MeetingCase
from cases.records import actor_id, record_about
from cases.text import MAX_NOTE
from core.claims import claim
from core.db import utcnow


def add_addendum(
    session: Session,
    ctx: AuditContext,
    meeting: Meeting,
    corrects: MinuteEntry | ActionItem,
    *,
    category: str,
    text: str,
    rules: CaseRules = DEFAULT_RULES,
) -> Addendum:
    """A correction of approved minutes, shown under the entry or action item it corrects and
    read under the policy as a note of its category by its writer's agency."""
    now = utcnow()
    if corrects.meeting_id != meeting.id:
        raise InputError("not_found", "corrects")
    if isinstance(corrects, MinuteEntry) and superseded(session, corrects):
        # An addendum corrects what the approved minutes say: the current version.
        raise InputError("not_correctable", "corrects")
    case = session.get(Case, corrects.case_id)
    assert case is not None  # noqa: S101 - a foreign key
    cfacts = case_facts(session, case, now, rules)
    facts = load_meeting(session, meeting).facts
    decision = authorize(
        ctx.actor, Permission.MEETING_ADDENDUM_WRITE, MeetingCase(facts, cfacts), now
    )
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    if category not in Category.__members__.values():
        raise InputError("invalid_choice", "category")
    body = long_field(text, "text", limit=MAX_NOTE)
    hold_case_open(session, ctx, meeting, case, Permission.MEETING_ADDENDUM_WRITE, rules)
    addendum = Addendum(
        meeting_id=meeting.id,
        agenda_item_id=corrects.agenda_item_id,
        case_id=case.id,
        person_id=case.person_id,
        entry_id=corrects.id if isinstance(corrects, MinuteEntry) else None,
        action_item_id=corrects.id if isinstance(corrects, ActionItem) else None,
        category=category,
        author_user_id=actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        created_at=now,
    )
    session.add(addendum)
    addendum.text = body
    session.flush()
    record_about(
        session,
        ctx,
        Action.ADDENDUM_WRITTEN,
        case,
        decision.basis,
        object_type="meeting_addendum",
        object_id=addendum.id,
        meeting=str(meeting.id),
        category=category,
    )
    return addendum


def mark_action_done(
    session: Session, ctx: AuditContext, action: ActionItem, *, rules: CaseRules = DEFAULT_RULES
) -> ActionItem:
    """The owner, still on the case's team, marks their open action item done (once)."""
    now = utcnow()
    case = session.get(Case, action.case_id)
    assert case is not None  # noqa: S101 - a foreign key
    cfacts = case_facts(session, case, now, rules)
    decision = authorize(
        ctx.actor,
        Permission.ACTION_ITEM_DONE,
        ActionFacts(cfacts, action.owner_user_id, action.id),
        now,
    )
    if not claim(
        session,
        action,
        ActionItem.status == ActionStatus.OPEN,
        status=ActionStatus.DONE,
        done_at=now,
        done_by_user_id=actor_id(ctx),
    ):
        raise InputError("already_done", "action_item")
    record_about(
        session,
        ctx,
        Action.ACTION_ITEM_DONE,
        case,
        decision.basis,
        object_type="action_item",
        object_id=action.id,
    )
    return action
