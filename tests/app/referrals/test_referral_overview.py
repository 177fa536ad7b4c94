"""The supervisors' overview (issue 11, point 6): its numbers agree with generated referrals,
counted here one by one; its chart is an SVG with no script and no outside URL, shown as an
image so the page keeps its Content-Security-Policy. And the clocks' configuration."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from app.config import ConfigError, load
from app.extensions import db
from app.referrals.settings import clock_rules
from cases.referrals.models import Referral
from core.db import new_uuid, utcnow
from tests.cases.referrals.scenario import Scene, scene
from tests.helpers import open_session

HELSINKI = ZoneInfo("Europe/Helsinki")
STATES = ["sent", "acknowledged", "accepted", "declined", "completed", "withdrawn"]
ROW_RE = re.compile(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td></tr>')


def _generated(s: Scene, number: int) -> list[dict[str, object]]:
    rng = random.Random(20261202)
    now = utcnow()
    agencies = [s.sos.id, s.nuo.id, s.pol.id, s.ngo.id]
    rows: list[dict[str, object]] = []
    for _ in range(number):
        source, target = rng.sample(agencies, 2)
        sent = now - timedelta(hours=rng.randint(0, 24 * 120))
        rows.append(
            {
                "id": new_uuid(),
                "person_id": s.case.person_id,
                "case_id": s.case.id,
                "from_agency_id": source,
                "from_user_id": None,
                "to_agency_id": target,
                "urgency": "routine",
                "category": "general",
                "basis": f"consent:{s.consent.id}",
                "legal_basis": "consent",
                "attached_note_ids": [],
                "youth_act_grounds": [],
                "state": rng.choice(STATES),
                "sent_at": sent,
                # Half of them past their answer's deadline.
                "acknowledge_due_at": sent + timedelta(days=rng.choice([-400, 400])),
                "response_due_at": sent + timedelta(days=rng.choice([-400, 400])),
                "needs_assessment": False,
            }
        )
    s.session.execute(insert(Referral), rows)
    return rows


def _monday(moment: datetime) -> date:
    day = moment.astimezone(HELSINKI).date()
    return day - timedelta(days=day.weekday())


@pytest.fixture
def generated(app: Flask) -> tuple[Scene, list[dict[str, object]]]:
    with app.app_context():
        s = scene(db())
        rows = _generated(s, 600)
        db().commit()
        return s, rows


def _nelli(app: Flask) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, "nelli", reauthenticated=False)
    return client


def test_the_overview_agrees_with_the_referrals(
    app: Flask, generated: tuple[Scene, list[dict[str, object]]]
) -> None:
    s, rows = generated
    nuo = s.nuo.id
    page = _nelli(app).get("/referrals/overview")
    assert page.status_code == 200
    found = ROW_RE.findall(page.text)
    labels = {
        "New": "sent",
        "Acknowledged": "acknowledged",
        "Accepted": "accepted",
        "Declined": "declined",
        "Completed": "completed",
        "Withdrawn": "withdrawn",
    }
    by_state = {labels[name]: (int(a), int(b)) for name, a, b in found if name in labels}
    received = Counter(r["state"] for r in rows if r["to_agency_id"] == nuo)
    sent = Counter(r["state"] for r in rows if r["from_agency_id"] == nuo)
    assert by_state == {state: (received[state], sent[state]) for state in STATES}
    # The weekly flow: this week and the eleven before it, Monday to Sunday in Helsinki.
    this_week = _monday(utcnow())
    weeks = [this_week - timedelta(weeks=n) for n in range(11, -1, -1)]
    flow = [(int(a), int(b)) for name, a, b in found if name not in labels]
    assert len(flow) == 12
    expected = [
        (
            sum(r["from_agency_id"] == nuo and _monday(r["sent_at"]) == w for r in rows),  # type: ignore[arg-type]
            sum(r["to_agency_id"] == nuo and _monday(r["sent_at"]) == w for r in rows),  # type: ignore[arg-type]
        )
        for w in weeks
    ]
    assert flow == expected
    assert sum(a + b for a, b in flow) > 0
    open_states = {"sent", "acknowledged", "accepted"}
    open_in = sum(1 for r in rows if r["to_agency_id"] == nuo and r["state"] in open_states)
    late_in = sum(
        r["to_agency_id"] == nuo
        and (
            (r["state"] == "sent" and r["acknowledge_due_at"] < utcnow())  # type: ignore[operator]
            or (r["state"] in ("sent", "acknowledged") and r["response_due_at"] < utcnow())  # type: ignore[operator]
        )
        for r in rows
    )
    assert f"Open referrals to your agency: {open_in}, overdue {late_in}." in page.text


def test_the_chart_is_an_image_without_script_or_outside_urls(
    app: Flask, generated: tuple[Scene, list[dict[str, object]]]
) -> None:
    client = _nelli(app)
    page = client.get("/referrals/overview")
    assert '<img src="/referrals/overview/flow.svg"' in page.text
    # The page keeps the site's policy: no inline style or script allowed anywhere.
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    chart = client.get("/referrals/overview/flow.svg")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    svg = chart.text
    assert svg.startswith("<svg") and "<rect" in svg
    assert "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == {"http://www.w3.org/2000/svg"}
    policy = chart.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy


class TestClockConfiguration:
    NAMES = (
        "REFERRAL_ACKNOWLEDGE_DAYS",
        "REFERRAL_RESPONSE_DAYS_IMMEDIATE",
        "REFERRAL_RESPONSE_DAYS_URGENT",
        "REFERRAL_RESPONSE_DAYS_ROUTINE",
        "REFERRAL_ASSESSMENT_START_DAYS",
        "REFERRAL_ASSESSMENT_MONTHS",
    )

    @pytest.mark.parametrize("name", NAMES)
    @pytest.mark.parametrize("value", ["0", "-2", "three", "1.5"])
    def test_a_clock_must_be_a_positive_whole_number(
        self, tmp_path: Path, name: str, value: str
    ) -> None:
        with pytest.raises(ConfigError, match=f"SILTA_{name}"):
            load(tmp_path, {f"SILTA_{name}": value})

    def test_the_defaults_are_the_issue_s(self, app: Flask) -> None:
        with app.app_context():
            rules = clock_rules()
        assert rules.acknowledge_days == 1
        assert rules.response_days == {"immediate": 1, "urgent": 3, "routine": 10}
        assert (rules.assessment_start_days, rules.assessment_complete_months) == (7, 3)

    def test_the_settings_reach_the_clocks(self, tmp_path: Path) -> None:
        environ = {f"SILTA_{name}": str(n + 2) for n, name in enumerate(self.NAMES)}
        settings = load(tmp_path, environ)
        app = Flask(__name__)
        app.config.update(settings)
        with app.app_context():
            rules = clock_rules()
        assert rules.acknowledge_days == 2
        assert rules.response_days == {"immediate": 3, "urgent": 4, "routine": 5}
        assert (rules.assessment_start_days, rules.assessment_complete_months) == (6, 7)
