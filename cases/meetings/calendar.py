"""A meeting as an iCalendar file (RFC 5545, through the `icalendar` library): its title, time
and place only, never its agenda, so the file may sit in anyone's calendar."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.meetings.loading import load_meeting
from cases.meetings.models import Meeting, MeetingStatus
from cases.policy import Permission, authorize
from core.db import utcnow

PRODUCT_ID = "-//Silta//meetings//FI"
UID_DOMAIN = "silta.meetings"


def meeting_calendar(session: Session, ctx: AuditContext, meeting: Meeting) -> bytes:
    """The `.ics` file of a meeting the actor sees (cancelled ones say so)."""
    authorize(ctx.actor, Permission.MEETING_READ, load_meeting(session, meeting).facts)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    event = Event()
    # The meeting's own id is unique; a host name from the request could carry anything.
    event.add("uid", f"{meeting.id}@{UID_DOMAIN}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    location = meeting.place or meeting.video_link
    if location:
        event.add("location", location)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    record(session, ctx, Action.MEETING_CALENDAR, object_type="meeting", object_id=meeting.id)
    return bytes(calendar.to_ical())
