"""Work between agencies in a chunk: a referral for every second case (to the case's partner
agency, on its consent or disclosure) and a multi-agency meeting for every twentieth person."""

from __future__ import annotations

from datetime import datetime, timedelta

from audit.events import Action
from cases.generate import texts
from cases.generate.population import Member
from cases.generate.rows import Chunk
from cases.generate.sketch import Sketch, between, fact, on_case
from cases.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    EntryKind,
    InvitedAgency,
    InvitedUser,
    Meeting,
    MeetingStatus,
    MinuteEntry,
)
from cases.policy import Reason
from cases.policy.facts import Category, LegalBasis
from cases.referrals.models import (
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralState,
    Urgency,
)
from cases.statistics.counting import month_of
from cases.statistics.models import FactEvent, StatisticsFact

PERSONS_PER_MEETING = 20
AGENDA_ITEMS = 3
# The demo's four referrals end in these states, one each.
ENDS = (ReferralState.SENT, ReferralState.DECLINED, ReferralState.ACCEPTED, ReferralState.COMPLETED)
_COUNTED = {
    ReferralState.ACCEPTED: FactEvent.REFERRAL_ACCEPTED,
    ReferralState.DECLINED: FactEvent.REFERRAL_DECLINED,
    ReferralState.COMPLETED: FactEvent.REFERRAL_COMPLETED,
}
_RECEIVING = (str(Reason.RECEIVING_AGENCY),)


def referral(chunk: Chunk, sketch: Sketch) -> None:
    """A referral from the lead agency to the partner, ending in one of the demo's states."""
    rng, referral_id = chunk.rng, chunk.new_id()
    sent = between(rng, sketch.opened_at + timedelta(hours=2), sketch.until)
    end = rng.choice(ENDS)
    urgency = rng.choices(list(Urgency), weights=(70, 25, 5))[0].value
    answered = min(sent + timedelta(hours=rng.randint(2, 48)), sketch.until)
    closed = (
        answered + timedelta(days=rng.randint(5, 40)) if end is ReferralState.COMPLETED else None
    )
    if sketch.consent_id is not None:
        basis, legal = f"consent:{sketch.consent_id}", "consent"
    else:
        basis, legal = f"disclosure:{sketch.disclosure_id}", LegalBasis.CHILD_WELFARE_25.value
    chunk.add(
        Referral,
        id=referral_id,
        person_id=sketch.person_id,
        case_id=sketch.case_id,
        from_agency_id=sketch.lead.id,
        from_user_id=sketch.lead_user.id,
        to_agency_id=sketch.partner.id,
        urgency=urgency,
        category=Category.GENERAL.value,
        basis=basis,
        consent_id=sketch.consent_id,
        disclosure_id=sketch.disclosure_id,
        legal_basis=legal,
        attached_note_ids=[],
        youth_act_grounds=[],
        state=end.value,
        sent_at=sent,
        send_token=chunk.new_id(),
        acknowledge_due_at=sent + timedelta(days=1),
        response_due_at=sent + timedelta(days=3 if urgency != Urgency.ROUTINE else 10),
        responded_at=None if end is ReferralState.SENT else answered,
        closed_at=closed or (answered if end is ReferralState.DECLINED else None),
        handler_user_id=None if end is ReferralState.SENT else sketch.partner_user.id,
        decline_reason=DeclineReason.DUPLICATE.value if end is ReferralState.DECLINED else None,
        needs_assessment=False,
        reason=sketch.key.seal(Referral.reason, "referrals", referral_id, texts.reason(rng)),
    )
    _step(chunk, sketch, referral_id, ReferralEventKind.SENT, None, ReferralState.SENT, sent)
    on_case(
        chunk,
        sketch.lead_user,
        Action.REFERRAL_SENT,
        sent,
        sketch,
        "referral",
        referral_id,
        (*_RECEIVING, basis),
        urgency=urgency,
        category=Category.GENERAL.value,
    )
    fact(
        chunk, FactEvent.REFERRAL_SENT, sent, sketch, sending=sketch.lead, receiving=sketch.partner
    )
    if end is ReferralState.SENT:
        return
    first = ReferralState.DECLINED if end is ReferralState.DECLINED else ReferralState.ACCEPTED
    steps = [(first, answered)] + ([(ReferralState.COMPLETED, closed)] if closed else [])
    previous = ReferralState.SENT
    for state, at in steps:
        assert at is not None  # noqa: S101 - a completed referral has its closing moment
        text = texts.reason(rng) if state is not ReferralState.ACCEPTED else None
        _step(chunk, sketch, referral_id, ReferralEventKind(state.value), previous, state, at, text)
        action = {
            ReferralState.ACCEPTED: Action.REFERRAL_ACCEPTED,
            ReferralState.DECLINED: Action.REFERRAL_DECLINED,
            ReferralState.COMPLETED: Action.REFERRAL_COMPLETED,
        }[state]
        on_case(chunk, sketch.partner_user, action, at, sketch, "referral", referral_id, _RECEIVING)
        fact(chunk, _COUNTED[state], at, sketch, sending=sketch.lead, receiving=sketch.partner)
        previous = state


def _step(
    chunk: Chunk,
    sketch: Sketch,
    referral_id: object,
    kind: ReferralEventKind,
    before: ReferralState | None,
    after: ReferralState,
    at: datetime,
    text: str | None = None,
) -> None:
    by_sender = kind is ReferralEventKind.SENT
    user = sketch.lead_user if by_sender else sketch.partner_user
    event_id = chunk.new_id()
    chunk.add(
        ReferralEvent,
        id=event_id,
        referral_id=referral_id,
        person_id=sketch.person_id,
        kind=kind.value,
        from_state=before.value if before else None,
        to_state=after.value,
        reason_code=DeclineReason.DUPLICATE.value if after is ReferralState.DECLINED else None,
        at=at,
        actor_user_id=user.id,
        actor_agency_id=user.agency_id,
        text=None
        if text is None
        else sketch.key.seal(ReferralEvent.text, "referral_events", event_id, text),
    )


def meeting(chunk: Chunk, agenda: list[Sketch], anchor: datetime) -> None:
    """A meeting of the agenda cases' teams, organised and chaired by the first case's lead."""
    rng, first = chunk.rng, agenda[0]
    chair = first.lead_user
    status = rng.choices(
        (MeetingStatus.APPROVED, MeetingStatus.SUBMITTED, MeetingStatus.PLANNED), (60, 20, 20)
    )[0]
    held = status is not MeetingStatus.PLANNED
    created = min(s.opened_at for s in agenda) + timedelta(days=1)
    starts = between(rng, created, anchor) if held else anchor + timedelta(days=rng.randint(1, 30))
    meeting_id = chunk.new_id()
    reviewer = rng.choice(first.lead.supervisors)
    chunk.add(
        Meeting,
        id=meeting_id,
        title=f"Verkostokokous {meeting_id.hex[:6]}",
        starts_at=starts,
        duration_minutes=60,
        place="Neuvotteluhuone 2",
        video_link="",
        organising_agency_id=first.lead.id,
        chair_user_id=chair.id,
        created_by_user_id=chair.id,
        created_at=created,
        status=status.value,
        held_at=starts if held else None,
        submitted_at=starts + timedelta(hours=3) if held else None,
        reviewed_at=starts + timedelta(days=1) if status is MeetingStatus.APPROVED else None,
        reviewed_by_user_id=reviewer.id if status is MeetingStatus.APPROVED else None,
        review_comment="",
        cancel_reason="",
    )
    users: dict[object, Member] = {reviewer.id: reviewer}
    for sketch in agenda:
        users.update(
            {sketch.lead_user.id: sketch.lead_user, sketch.partner_user.id: sketch.partner_user}
        )
    agencies = sorted({user.agency_id for user in users.values()})
    for agency_id in agencies:
        chunk.add(InvitedAgency, meeting_id=meeting_id, agency_id=agency_id)
    for user in users.values():
        chunk.add(
            InvitedUser,
            meeting_id=meeting_id,
            user_id=user.id,
            agency_id=user.agency_id,
            present=True if held else None,
        )
    invited = (str(Reason.INVITED),)
    chunk.event(
        chair,
        Action.MEETING_CREATED,
        created,
        object_type="meeting",
        object_id=meeting_id,
        bases=invited,
        agencies=len(agencies),
        users=len(users),
    )
    for position, sketch in enumerate(agenda, 1):
        item_id = chunk.add(
            AgendaItem,
            meeting_id=meeting_id,
            case_id=sketch.case_id,
            position=position,
            added_by_user_id=chair.id,
            added_at=created,
        )
        on_case(chunk, chair, Action.AGENDA_ITEM_ADDED, created, sketch, "meeting", meeting_id)
        if held:
            _minutes(chunk, meeting_id, item_id, sketch, chair, starts)
    if not held:
        return
    for action, at, user in (
        (Action.MEETING_HELD, starts, chair),
        (Action.ATTENDANCE_RECORDED, starts, chair),
        (Action.MINUTES_SUBMITTED, starts + timedelta(hours=3), chair),
    ):
        chunk.event(user, action, at, object_type="meeting", object_id=meeting_id, bases=invited)
    if status is MeetingStatus.APPROVED:
        chunk.event(
            reviewer,
            Action.MINUTES_APPROVED,
            starts + timedelta(days=1),
            object_type="meeting",
            object_id=meeting_id,
            bases=(str(Reason.LEAD_SUPERVISOR),),
        )
    chunk.add(
        StatisticsFact,
        month=month_of(starts),
        event=FactEvent.MEETING_HELD.value,
        lead_agency_kind=str(first.lead.kind),
        sending_agency_kind=None,
        receiving_agency_kind=None,
        concern_codes=[],
        age_band=None,
        district=None,
        outcome=None,
        demo=True,
    )


def _minutes(
    chunk: Chunk, meeting_id: object, item_id: object, sketch: Sketch, chair: Member, at: datetime
) -> None:
    """A decision and an action item for the partner's caseworker, under the person's key."""
    rng = chunk.rng
    entry_id, action_id = chunk.new_id(), chunk.new_id()
    common = {
        "meeting_id": meeting_id,
        "agenda_item_id": item_id,
        "case_id": sketch.case_id,
        "person_id": sketch.person_id,
        "category": Category.GENERAL.value,
        "author_user_id": chair.id,
        "author_agency_id": chair.agency_id,
        "created_at": at,
    }
    chunk.add(
        MinuteEntry,
        id=entry_id,
        kind=EntryKind.DECISION.value,
        supersedes_id=None,
        body=sketch.key.seal(MinuteEntry.body, "meeting_entries", entry_id, texts.minute(rng)),
        **common,
    )
    chunk.add(
        ActionItem,
        id=action_id,
        owner_user_id=sketch.partner_user.id,
        owner_agency_id=sketch.partner.id,
        due_on=(at + timedelta(days=14)).date(),
        status=ActionStatus.OPEN.value,
        description=sketch.key.seal(
            ActionItem.description, "meeting_action_items", action_id, texts.action_item(rng)
        ),
        **common,
    )
    on_case(
        chunk,
        chair,
        Action.MINUTE_ENTRY_WRITTEN,
        at,
        sketch,
        "meeting_entry",
        entry_id,
        kind=EntryKind.DECISION.value,
        category=Category.GENERAL.value,
    )
    on_case(
        chunk,
        chair,
        Action.ACTION_ITEM_ADDED,
        at,
        sketch,
        "meeting_action",
        action_id,
        category=Category.GENERAL.value,
    )
