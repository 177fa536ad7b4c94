"""The demo's meetings (issue 12, point 6): M1, held three days ago with its minutes submitted
and awaiting helena's approval, and M2, planned for next week. Dates are relative to the
seeding day; each meeting is seeded once (found again by its title)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.demo.casework import local_moment
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case
from cases.meetings import services as meetings
from cases.meetings.models import EntryKind
from cases.persons import services as persons
from cases.policy.facts import DEFAULT_RULES
from cases.policy.sharing import local_day
from core.db import utcnow

M1_TITLE = "M1 – Ankkuri-tiimin verkostokokous"
M2_TITLE = "M2 – Ankkuri-tiimin suunnittelukokous"
MEETING_TEXTS = {
    "DEMO-M1-P1-GENERAL": "Päätettiin, että Eetu aloittaa nuorisotalon läksykerhossa viikoittain.",
    "DEMO-M1-P1-EDUCATION": "Koulu kertoi poissaolojen vähentyneen lokakuusta.",
    "DEMO-A1-P1-GENERAL": "Noora sopii Eetun kanssa läksykerhon aloituspäivän.",
}


def _text(marker: str) -> str:
    return f"{MEETING_TEXTS[marker]} {marker}"


def _seeded(session: Session, title: str) -> bool:
    return meetings.meeting_titled(session, title) is not None


def _case_of(session: Session, identity_code: str) -> Case | None:
    person = persons.find_by_identity_code(session, identity_code)
    return None if person is None else casework.first_case(session, person)


def seed_meetings(session: Session) -> int:
    """M1 and M2, each once."""
    users = accounts.users_by_username(session)
    agencies = accounts.agencies_by_code(session)
    today = local_day(utcnow(), DEFAULT_RULES)

    def as_(username: str) -> AuditContext:
        return AuditContext(users[username], request_id="demo-seed")

    created = 0
    p1 = _case_of(session, "140310A1230")
    if p1 is not None and not _seeded(session, M1_TITLE):
        m1 = meetings.create_meeting(
            session,
            as_("sanna"),
            meetings.MeetingInput(
                title=M1_TITLE,
                starts_at=local_moment(today - timedelta(days=3), 13),
                duration_minutes=90,
                place="Sosiaalitoimisto, neuvotteluhuone 2",
                video_link="",
                chair_user_id=users["sanna"].id,
                invited_agency_ids=[agencies[c].id for c in ("sos", "nuo", "pol", "ngo")],
                invited_user_ids=[
                    users[u].id for u in ("sanna", "helena", "noora", "pekka", "jari")
                ],
            ),
        )
        item = meetings.add_agenda_item(session, as_("sanna"), m1, p1).item
        meetings.mark_held(session, as_("sanna"), m1)
        meetings.record_attendance(
            session,
            as_("sanna"),
            m1,
            {users[u].id: True for u in ("sanna", "helena", "noora", "pekka", "jari")},
        )
        meetings.write_entry(
            session,
            as_("sanna"),
            m1,
            item,
            kind=EntryKind.DECISION,
            category="general",
            body=_text("DEMO-M1-P1-GENERAL"),
        )
        meetings.write_entry(
            session,
            as_("sanna"),
            m1,
            item,
            kind=EntryKind.DISCUSSION,
            category="education",
            body=_text("DEMO-M1-P1-EDUCATION"),
        )
        meetings.add_action_item(
            session,
            as_("sanna"),
            m1,
            item,
            owner_id=users["noora"].id,
            category="general",
            due_on=today + timedelta(days=7),
            description=_text("DEMO-A1-P1-GENERAL"),
        )
        meetings.submit_minutes(session, as_("sanna"), m1)
        created += 1
    p2 = _case_of(session, "020612A2465")
    if p2 is not None and not _seeded(session, M2_TITLE):
        m2 = meetings.create_meeting(
            session,
            as_("helena"),
            meetings.MeetingInput(
                title=M2_TITLE,
                starts_at=local_moment(today + timedelta(days=7), 10),
                duration_minutes=60,
                place="",
                video_link="https://meet.example.fi/ankkuri-m2",
                chair_user_id=users["helena"].id,
                invited_agency_ids=[agencies[c].id for c in ("sos", "ngo")],
                invited_user_ids=[users[u].id for u in ("sanna", "helena", "jari")],
            ),
        )
        meetings.add_agenda_item(session, as_("helena"), m2, p2)
        created += 1
    return created
