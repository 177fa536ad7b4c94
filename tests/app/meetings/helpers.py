"""What the meeting page tests share: the demo meetings by title, posting one of the meeting
page's forms (each has its own field prefix), and what "writes nothing" compares."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.demo.meetings import M1_TITLE, M2_TITLE
from app.extensions import db
from audit.models import AuditEvent
from cases.meetings.models import ActionItem, AgendaItem, Meeting, MinuteEntry
from tests.cases.meetings.scenario import snapshot
from tests.helpers import csrf_token, open_session

M_MARKER_RE = re.compile(r"DEMO-[MA]\d-P\d-[A-Z]+")
P1_CODE = "140310A1230"


def meeting_ids(app: Flask) -> dict[str, uuid.UUID]:
    """The demo meetings M1 and M2."""
    with app.app_context():
        rows = db().execute(select(Meeting.title, Meeting.id))
        by_title = {title: meeting_id for title, meeting_id in rows}
        return {"M1": by_title[M1_TITLE], "M2": by_title[M2_TITLE]}


def agenda_item_of(app: Flask, meeting_id: uuid.UUID) -> uuid.UUID:
    with app.app_context():
        item = db().scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
        assert item is not None
        return item


def first_entry(app: Flask, meeting_id: uuid.UUID) -> uuid.UUID:
    with app.app_context():
        entry = db().scalar(
            select(MinuteEntry.id)
            .where(MinuteEntry.meeting_id == meeting_id)
            .order_by(MinuteEntry.created_at)
        )
        assert entry is not None
        return entry


def first_action(app: Flask, meeting_id: uuid.UUID) -> uuid.UUID:
    with app.app_context():
        action = db().scalar(select(ActionItem.id).where(ActionItem.meeting_id == meeting_id))
        assert action is not None
        return action


def send(
    client: FlaskClient,
    path: str,
    prefix: str,
    data: dict[str, str] | None = None,
    raw: dict[str, str] | None = None,
) -> TestResponse:
    """POST one of the meeting page's forms: `data` under its prefix, `raw` as named."""
    named = (lambda name: f"{prefix}-{name}") if prefix else (lambda name: name)
    fields = {named(name): value for name, value in (data or {}).items()}
    token = csrf_token(client)
    return client.post(path, data={named("csrf_token"): token, **fields, **(raw or {})})


def state(app: Flask) -> tuple[object, ...]:
    """The meeting rows as they are (audit events aside: a refused step audits its refusal
    and a page shown again audits its reading)."""
    with app.app_context():
        return snapshot(db())[:4]


def meeting_status(app: Flask, meeting_id: uuid.UUID) -> str:
    with app.app_context():
        meeting = db().get(Meeting, meeting_id)
        assert meeting is not None
        return meeting.status


def denials(app: Flask) -> int:
    with app.app_context():
        query = select(func.count()).where(AuditEvent.action == "policy:access:denied")
        return int(db().scalar(query) or 0)


def events(app: Flask, action: str) -> int:
    with app.app_context():
        query = select(func.count()).where(AuditEvent.action == action)
        return int(db().scalar(query) or 0)


def client_of(app: Flask, username: str) -> FlaskClient:
    """A client signed in as `username` (a live session, without the sign-in forms: a test may
    need the same user twice, and a TOTP code signs in once)."""
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client
