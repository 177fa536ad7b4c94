"""Query budgets of the referral pages (issue 11): the inbox and the overview send the same
statements with 10,000 closed referrals in the database, and with 1 or 50 open ones."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from app.extensions import db
from cases.referrals.models import Referral
from core.db import new_uuid, utcnow
from tests.budgets.counting import Statements, counting
from tests.cases.referrals.scenario import Scene, scene
from tests.helpers import open_session

CLOSED = 10_000
# Measured on SQLite (24 and 16), written down with a little room: the session and the
# principal, the page's own reads (the referrals, their cases with the facts the policy decides
# on, the persons' current details and data keys, the agencies' names), the audit insert, then
# the audit sequencer after the commit.
INBOX_BUDGET = 26
OVERVIEW_BUDGET = 18


def _bulk(s: Scene, number: int, states: list[str], *, to_nuo: bool = False) -> None:
    """`number` referrals between the scene's agencies in one statement (cheap, no service)."""
    rng = random.Random(number)
    now = utcnow()
    agencies = [s.sos.id, s.nuo.id, s.pol.id, s.ngo.id]
    rows: list[dict[str, object]] = []
    for _ in range(number):
        source, target = (s.sos.id, s.nuo.id) if to_nuo else rng.sample(agencies, 2)
        sent = now - timedelta(days=rng.randint(1, 400))
        rows.append(
            {
                "id": new_uuid(),
                "person_id": s.case.person_id,
                "case_id": s.case.id,
                "from_agency_id": source,
                "from_user_id": s.sanna.id if source == s.sos.id else None,
                "to_agency_id": target,
                "urgency": rng.choice(["routine", "urgent", "immediate"]),
                "category": "general",
                "basis": f"consent:{s.consent.id}",
                "legal_basis": "consent",
                "attached_note_ids": [],
                "youth_act_grounds": [],
                "state": rng.choice(states),
                "sent_at": sent,
                "acknowledge_due_at": sent + timedelta(days=1),
                "response_due_at": sent + timedelta(days=rng.choice([-1, 30])),
                "closed_at": sent + timedelta(days=5),
                "needs_assessment": False,
            }
        )
    s.session.execute(insert(Referral), rows)


@pytest.fixture
def setting(app: Flask) -> Scene:
    with app.app_context():
        s = scene(db())
        s.send()
        db().commit()
        # A send reads everything afresh after holding its rows: load what `_bulk` uses again.
        for row in (s.sos, s.nuo, s.pol, s.ngo, s.sanna, s.case, s.consent):
            db().refresh(row)
        return s


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client


def _statements(app: Flask, client: FlaskClient, path: str) -> Statements:
    client.get(path)  # warm: the first request of a client loads what every request does
    with counting(app.extensions["silta"].engine) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return seen


def _add(app: Flask, setting: Scene, number: int, states: list[str], to_nuo: bool) -> None:
    with app.app_context():
        setting.session = db()  # the scene's rows are there; its ids are all `_bulk` uses
        _bulk(setting, number, states, to_nuo=to_nuo)
        db().commit()


@pytest.mark.parametrize(
    ("path", "username", "budget"),
    [
        ("/referrals/inbox", "noora", INBOX_BUDGET),
        ("/referrals/overview", "nelli", OVERVIEW_BUDGET),
        ("/referrals/sent", "sanna", INBOX_BUDGET),
    ],
)
def test_constant_with_closed_and_open_referrals(
    app: Flask, setting: Scene, path: str, username: str, budget: int
) -> None:
    client = _client(app, username)
    one_open = _statements(app, client, path)
    _add(app, setting, 49, ["sent", "acknowledged", "accepted"], to_nuo=True)
    fifty_open = _statements(app, client, path)
    _add(app, setting, CLOSED, ["declined", "completed", "withdrawn"], to_nuo=False)
    with_closed = _statements(app, client, path)
    assert fifty_open.count == one_open.count, f"{one_open}\n---\n{fifty_open}"
    assert with_closed.count == one_open.count, f"{one_open}\n---\n{with_closed}"
    assert one_open.count <= budget, str(one_open)
