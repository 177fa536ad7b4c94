"""A small meeting scenario on a plain session (issue 12).

Social services (sos) organise; sanna chairs (a caseworker), sakari is another invited sos
caseworker, siiri a sos supervisor not invited by name. Youth work (nuo): noora invited, nuutti
on the case's team but not invited, nelli a supervisor. Police (pol): pekka invited, petri a
supervisor. An NGO (ngo): jari invited, his agency not on the case's team. Another agency (oth)
is not invited at all: olli (caseworker), oona (supervisor).

The case is led by sos; its team is sos (sanna, sakari), nuo (noora, nuutti) and pol (pekka);
its consent covers nuo and pol for general and education notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts.models import Agency, User
from cases.casework.models import Case, Consent, TeamAgency
from cases.meetings import services as meetings
from cases.meetings.models import (
    ActionItem,
    Addendum,
    AgendaItem,
    InvitedAgency,
    InvitedUser,
    Meeting,
    MinuteEntry,
)
from core.db import utcnow
from tests.clock import work_day
from tests.factories import Builders, as_user


def ctx(user: User) -> AuditContext:
    return as_user(user)


@dataclass
class Scene:
    session: Session
    build: Builders
    users: dict[str, User]
    agencies: dict[str, Agency]
    case: Case
    consent: Consent
    counter: int = field(default=0)

    def __getattr__(self, name: str) -> User:
        users: dict[str, User] = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def meeting(
        self,
        by: str = "sanna",
        *,
        chair: str | None = None,
        agencies: tuple[str, ...] = ("sos", "nuo", "pol", "ngo"),
        invited: tuple[str, ...] = ("sanna", "sakari", "noora", "pekka", "jari"),
        starts_at: datetime | None = None,
        **given: object,
    ) -> Meeting:
        """A planned meeting (two hours ago by default, so it may be marked held)."""
        self.counter += 1
        fields: dict[str, Any] = {
            "title": f"Verkostokokous {self.counter}",
            "starts_at": starts_at or utcnow() - timedelta(hours=2),
            "duration_minutes": 60,
            "place": "Neuvotteluhuone 2",
            "video_link": "",
            "chair_user_id": self.users[chair or by].id,
            "invited_agency_ids": [self.agencies[c].id for c in agencies],
            "invited_user_ids": [self.users[u].id for u in invited],
        }
        fields.update(given)
        return meetings.create_meeting(
            self.session,
            ctx(self.users[by]),
            meetings.MeetingInput(**fields),
        )

    def agenda(self, meeting: Meeting, case: Case | None = None, by: str = "sanna") -> AgendaItem:
        return meetings.add_agenda_item(
            self.session, ctx(self.users[by]), meeting, case or self.case
        ).item

    def held(self, meeting: Meeting, by: str | None = None) -> Meeting:
        """Mark held and record everyone present (as the chair)."""
        chair = self.session.get(User, meeting.chair_user_id)
        assert chair is not None
        meetings.mark_held(self.session, ctx(self.users.get(by or "", chair)), meeting)
        invited = self.session.scalars(
            select(InvitedUser.user_id).where(InvitedUser.meeting_id == meeting.id)
        )
        meetings.record_attendance(self.session, ctx(chair), meeting, {u: True for u in invited})
        return meeting

    def entry(
        self,
        meeting: Meeting,
        item: AgendaItem,
        *,
        by: str = "sanna",
        kind: str = "decision",
        category: str = "general",
        body: str = "Päätettiin jatkaa. DEMO-TEST-ENTRY",
    ) -> MinuteEntry:
        return meetings.write_entry(
            self.session,
            ctx(self.users[by]),
            meeting,
            item,
            kind=kind,
            category=category,
            body=body,
        )

    def action(
        self,
        meeting: Meeting,
        item: AgendaItem,
        *,
        by: str = "sanna",
        owner: str = "noora",
        category: str = "general",
        due_on: date | None = None,
        description: str = "Soita koululle. DEMO-TEST-ACTION",
    ) -> ActionItem:
        return meetings.add_action_item(
            self.session,
            ctx(self.users[by]),
            meeting,
            item,
            owner_id=self.users[owner].id,
            category=category,
            due_on=due_on or work_day() + timedelta(days=7),
            description=description,
        )

    def submit(self, meeting: Meeting) -> Meeting:
        chair = self.session.get(User, meeting.chair_user_id)
        assert chair is not None
        return meetings.submit_minutes(self.session, ctx(chair), meeting)

    def approve(self, meeting: Meeting, by: str = "siiri") -> Meeting:
        return meetings.approve_minutes(self.session, ctx(self.users[by]), meeting)

    def with_minutes(self) -> tuple[Meeting, AgendaItem, MinuteEntry, ActionItem]:
        """A held meeting with the case on its agenda, one decision and one action item."""
        meeting = self.meeting()
        item = self.agenda(meeting)
        self.held(meeting)
        return meeting, item, self.entry(meeting, item), self.action(meeting, item)

    def approved(self) -> tuple[Meeting, AgendaItem, MinuteEntry, ActionItem]:
        meeting, item, entry, action = self.with_minutes()
        self.submit(meeting)
        self.approve(meeting)
        return meeting, item, entry, action


PEOPLE = {
    "sanna": ("sos", "caseworker"),
    "sakari": ("sos", "caseworker"),
    "siiri": ("sos", "supervisor"),
    "saara": ("sos", "supervisor"),
    "noora": ("nuo", "caseworker"),
    "nuutti": ("nuo", "caseworker"),
    "nelli": ("nuo", "supervisor"),
    "pekka": ("pol", "caseworker"),
    "petri": ("pol", "supervisor"),
    "jari": ("ngo", "caseworker"),
    "jaana": ("ngo", "supervisor"),
    "olli": ("oth", "caseworker"),
    "oona": ("oth", "supervisor"),
    "timo": ("tur", "analyst"),
    "aino": ("tur", "auditor"),
    "ylva": ("tur", "admin"),
}


def scene(session: Session, *, categories: tuple[str, ...] = ("general", "education")) -> Scene:
    build = Builders(session)
    users = {name: build.user(name, agency=a, role=r) for name, (a, r) in PEOPLE.items()}
    agencies = {u.agency.code: u.agency for u in users.values()}
    sanna = users["sanna"]
    case = build.case(sanna, build.person(sanna, surname="Virtanen", given_names="Eetu"))
    consent = build.consent(
        case, sanna, recipients=[agencies["nuo"], agencies["pol"]], categories=categories
    )
    for name in ("sakari", "noora", "nuutti", "pekka"):
        build.member(case, sanna, users[name])
    return Scene(session, build, users, agencies, case, consent)


MEETING_TABLES = (
    Meeting,
    InvitedAgency,
    InvitedUser,
    AgendaItem,
    MinuteEntry,
    ActionItem,
    Addendum,
)


def snapshot(session: Session) -> tuple[object, ...]:
    """Every meeting row count, the meetings' states and attendance, the action items' states,
    and the number of audit events: what "writes nothing" compares."""
    session.flush()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model)) for model in MEETING_TABLES
    )
    states = tuple(session.execute(select(Meeting.id, Meeting.status).order_by(Meeting.id)))
    present = tuple(
        session.execute(select(InvitedUser.id, InvitedUser.present).order_by(InvitedUser.id))
    )
    actions = tuple(
        session.execute(select(ActionItem.id, ActionItem.status).order_by(ActionItem.id))
    )
    audit = session.scalar(select(func.count()).select_from(AuditEvent))
    return counts, states, present, actions, audit


def events(session: Session, action: str, object_id: object = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return int(session.scalar(query) or 0)


def rows(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def leave_team(s: Scene, agency: str) -> None:
    """The agency's membership of the case ended a second ago (written directly: no service
    ends a membership yet)."""
    s.session.execute(
        update(TeamAgency)
        .where(TeamAgency.case_id == s.case.id, TeamAgency.agency_id == s.agencies[agency].id)
        .values(end_at=utcnow() - timedelta(seconds=1))
    )
    s.session.expire_all()
