"""Each step of the meeting page through its form (issue 12), on the demo: the step works for
whom the rules allow it, and bad input or a refused step is 400/403/404 and writes nothing."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.app.casework_helpers import agency_ids, user_ids
from tests.app.meetings.helpers import (
    agenda_item_of,
    client_of,
    denials,
    first_action,
    first_entry,
    meeting_ids,
    meeting_status,
    send,
    state,
)
from tests.helpers import csrf_token

Accounts = dict[str, dict[str, str]]
# Every form that changes the minutes (or the meeting) rather than adding an addendum.
EDIT_FORM_RE = re.compile(
    r'<form method="post" action="/meetings/[0-9a-f-]+/'
    r"(items/[0-9a-f-]+/(entries|actions)|attendance|submit|approve|return|cancel|hold)\""
)


def _return_m1(app: Flask, accounts: Accounts) -> uuid.UUID:
    m1 = meeting_ids(app)["M1"]
    helena = client_of(app, "helena")
    response = send(helena, f"/meetings/{m1}/return", "return", {"comment": "Tarkenna päätös"})
    assert response.status_code == 302
    assert meeting_status(app, m1) == "returned"
    return m1


class TestSignOff:
    def test_helena_approves_and_the_edit_forms_are_gone(
        self, demo_app: Flask, demo_accounts: Accounts
    ) -> None:
        m1 = meeting_ids(demo_app)["M1"]
        helena = client_of(demo_app, "helena")
        page = helena.get(f"/meetings/{m1}").text
        assert f"/meetings/{m1}/approve" in page
        response = send(helena, f"/meetings/{m1}/approve", "approve")
        assert response.status_code == 302
        assert meeting_status(demo_app, m1) == "approved"
        sanna = client_of(demo_app, "sanna")
        for client in (helena, sanna):
            page = client.get(f"/meetings/{m1}").text
            assert not EDIT_FORM_RE.search(page), page
            assert "Minutes approved" in page
        entry = first_entry(demo_app, m1)
        assert f"/meetings/{m1}/entries/{entry}/addenda" in sanna.get(f"/meetings/{m1}").text

    def test_approved_minutes_take_addenda_only(
        self, demo_app: Flask, demo_accounts: Accounts
    ) -> None:
        m1 = meeting_ids(demo_app)["M1"]
        helena = client_of(demo_app, "helena")
        assert send(helena, f"/meetings/{m1}/approve", "approve").status_code == 302
        sanna = client_of(demo_app, "sanna")
        item = agenda_item_of(demo_app, m1)
        before = state(demo_app)
        refused = send(
            sanna,
            f"/meetings/{m1}/items/{item}/entries",
            f"entry-{item.hex}",
            {"kind": "decision", "category": "general", "body": "Muutos"},
        )
        assert refused.status_code == 403
        assert state(demo_app) == before
        entry = first_entry(demo_app, m1)
        path = f"/meetings/{m1}/entries/{entry}/addenda"
        prefix = f"addendum-{entry.hex}"
        missing = send(sanna, path, prefix, {"category": "general", "text": ""})
        assert missing.status_code == 400 and "Write the addendum." in missing.text
        assert send(sanna, path, prefix, {"category": "nonsense", "text": "x"}).status_code == 400
        assert state(demo_app) == before
        done = send(sanna, path, prefix, {"category": "general", "text": "Korjaus DEMO-ADD-1"})
        assert done.status_code == 302
        page = sanna.get(f"/meetings/{m1}").text
        assert "Korjaus DEMO-ADD-1" in page and "Addendum" in page
        assert "Sanna Saarinen" in page.split("Korjaus DEMO-ADD-1")[0].rsplit("Addendum", 1)[1]
        action = first_action(demo_app, m1)
        done = send(
            sanna,
            f"/meetings/{m1}/actions/{action}/addenda",
            f"addendum-{action.hex}",
            {"category": "general", "text": "Täsmennys DEMO-ADD-2"},
        )
        assert done.status_code == 302
        jari = client_of(demo_app, "jari")
        assert "DEMO-ADD" not in jari.get(f"/meetings/{m1}").text

    def test_the_chair_may_not_approve(self, demo_app: Flask, demo_accounts: Accounts) -> None:
        m1 = meeting_ids(demo_app)["M1"]
        sanna = client_of(demo_app, "sanna")
        assert f"/meetings/{m1}/approve" not in sanna.get(f"/meetings/{m1}").text
        before, refusals = state(demo_app), denials(demo_app)
        assert send(sanna, f"/meetings/{m1}/approve", "approve").status_code == 403
        assert state(demo_app) == before and denials(demo_app) == refusals + 1
        # A supervisor chairing their own meeting is refused too.
        helena = client_of(demo_app, "helena")
        meeting = _create(demo_app, helena, "helena", invite=("sanna",))
        _hold_and_record(demo_app, helena, meeting, ("helena", "sanna"))
        assert send(helena, f"/meetings/{meeting}/submit", "submit").status_code == 302
        assert f"/meetings/{meeting}/approve" not in helena.get(f"/meetings/{meeting}").text
        assert send(helena, f"/meetings/{meeting}/approve", "approve").status_code == 403
        assert meeting_status(demo_app, meeting) == "submitted"
        assert "you chair this meeting" in helena.get("/meetings/review").text

    def test_returning_needs_a_comment(self, demo_app: Flask, demo_accounts: Accounts) -> None:
        m1 = meeting_ids(demo_app)["M1"]
        helena = client_of(demo_app, "helena")
        before = state(demo_app)
        response = send(helena, f"/meetings/{m1}/return", "return", {"comment": ""})
        assert response.status_code == 400 and "Say what to correct." in response.text
        assert state(demo_app) == before
        _return_m1(demo_app, demo_accounts)
        assert "Tarkenna päätös" in helena.get(f"/meetings/{m1}").text


class TestMinutes:
    def test_entries_and_action_items(self, demo_app: Flask, demo_accounts: Accounts) -> None:
        m1 = _return_m1(demo_app, demo_accounts)
        item = agenda_item_of(demo_app, m1)
        sanna = client_of(demo_app, "sanna")
        page = sanna.get(f"/meetings/{m1}").text
        assert f"/meetings/{m1}/items/{item}/entries" in page
        entries, prefix = f"/meetings/{m1}/items/{item}/entries", f"entry-{item.hex}"
        written = send(
            sanna, entries, prefix, {"kind": "decision", "category": "general", "body": "Uusi X1"}
        )
        assert written.status_code == 302
        assert "Uusi X1" in sanna.get(f"/meetings/{m1}").text
        noora = user_ids(demo_app)["noora"]
        actions, aprefix = f"/meetings/{m1}/items/{item}/actions", f"action-{item.hex}"
        due = _local_start(5 * 24).date().isoformat()
        made = send(
            sanna,
            actions,
            aprefix,
            {"owner": noora, "category": "general", "due_on": due, "description": "Tehtävä X2"},
        )
        assert made.status_code == 302
        assert "Tehtävä X2" in client_of(demo_app, "noora").get("/meetings/tasks").text

    def test_bad_input_writes_nothing(self, demo_app: Flask, demo_accounts: Accounts) -> None:
        m1 = _return_m1(demo_app, demo_accounts)
        ids = meeting_ids(demo_app)
        item = agenda_item_of(demo_app, m1)
        sanna = client_of(demo_app, "sanna")
        users = user_ids(demo_app)
        entries, prefix = f"/meetings/{m1}/items/{item}/entries", f"entry-{item.hex}"
        actions, aprefix = f"/meetings/{m1}/items/{item}/actions", f"action-{item.hex}"
        soon = (_local_start(72)).date().isoformat()
        good = {"owner": users["noora"], "category": "general", "due_on": soon}
        good["description"] = "Tehtävä"
        before = state(demo_app)
        bad_entries = [
            {"kind": "decision", "category": "general", "body": ""},
            {"kind": "decision", "category": "nonsense", "body": "x"},
            {"kind": "verdict", "category": "general", "body": "x"},
            {"kind": "decision", "category": "general", "body": "x\x00y"},
        ]
        for data in bad_entries:
            assert send(sanna, entries, prefix, data).status_code == 400, data
        bad_actions = [
            {**good, "due_on": "2026-13-45"},
            {**good, "due_on": "2000-01-01"},
            {**good, "owner": str(uuid.uuid4())},
            {**good, "owner": "not-an-id"},
            {**good, "owner": users["jari"]},
            {**good, "category": "nonsense"},
            {**good, "description": ""},
        ]
        for data in bad_actions:
            response = send(sanna, actions, aprefix, data)
            assert response.status_code == 400, (data, response.status_code)
        # An agenda item of another meeting in this meeting's address: a probe, audited.
        other = agenda_item_of(demo_app, ids["M2"])
        refusals = denials(demo_app)
        forged = send(
            sanna,
            f"/meetings/{m1}/items/{other}/entries",
            f"entry-{other.hex}",
            {"kind": "decision", "category": "general", "body": "x"},
        )
        assert forged.status_code == 404 and denials(demo_app) == refusals + 1
        # Jari sees the meeting but is not on P1's team: he may know nothing of the item.
        jari = client_of(demo_app, "jari")
        data = {"kind": "decision", "category": "general", "body": "x"}
        assert send(jari, entries, prefix, data).status_code == 404
        assert state(demo_app) == before
        page = send(sanna, entries, prefix, bad_entries[0]).text
        assert "Write the text." in page and "Check the following" in page

    def test_mark_done_from_the_task_list(self, demo_app: Flask, demo_accounts: Accounts) -> None:
        m1 = meeting_ids(demo_app)["M1"]
        action = first_action(demo_app, m1)
        path, prefix = f"/meetings/{m1}/actions/{action}/done", f"done-{action.hex}"
        sanna = client_of(demo_app, "sanna")
        before = state(demo_app)
        # Not her action item: answered as not found (attack on issue 12).
        assert send(sanna, path, prefix).status_code == 404
        assert state(demo_app) == before
        noora = client_of(demo_app, "noora")
        done = send(noora, path, prefix, {"next": "/meetings/tasks"})
        assert done.status_code == 302 and done.location.endswith("/meetings/tasks")
        tasks = noora.get("/meetings/tasks").text
        assert "Done" in tasks and f"/actions/{action}/done" not in tasks
        assert send(noora, path, prefix).status_code == 400


def _local_start(hours: float) -> datetime:
    return datetime.now(ZoneInfo("Europe/Helsinki")) + timedelta(hours=hours)


def _create(
    app: Flask,
    client: FlaskClient,
    chair: str,
    *,
    invite: tuple[str, ...] = (),
    agencies: tuple[str, ...] = (),
    hours: float = -2,
) -> uuid.UUID:
    users, codes = user_ids(app), agency_ids(app)
    start = _local_start(hours)
    data: dict[str, object] = {
        "title": "Verkostokokous testi",
        "day": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration_minutes": "60",
        "place": "Huone 3",
        "video_link": "",
        "chair": users[chair],
        "invited_agencies": [codes[c] for c in agencies],
        "invited_users": [users[u] for u in invite],
    }
    response = _post_new(client, data)
    assert response.status_code == 302, response.text
    return uuid.UUID(response.location.rsplit("/", 1)[1])


def _post_new(client: FlaskClient, data: dict[str, object]) -> TestResponse:
    return client.post("/meetings/new", data={"csrf_token": csrf_token(client), **data})


def _hold_and_record(
    app: Flask, client: FlaskClient, meeting: uuid.UUID, present: tuple[str, ...]
) -> None:
    users = user_ids(app)
    assert send(client, f"/meetings/{meeting}/hold", "hold").status_code == 302
    radios = {f"present-{users[u]}": "present" for u in present}
    response = send(client, f"/meetings/{meeting}/attendance", "attendance", raw=radios)
    assert response.status_code == 302
