"""Planning a meeting through its pages (issue 12): the new-meeting form, putting a case on an
agenda from the case, marking held, attendance, submitting, cancelling, and the list's tabs."""

from __future__ import annotations

import uuid

from flask import Flask

from tests.app.casework_helpers import agency_ids, case_id_of, user_ids
from tests.app.meetings.helpers import (
    P1_CODE,
    client_of,
    denials,
    meeting_ids,
    meeting_status,
    send,
    state,
)
from tests.app.meetings.test_meeting_steps import _create, _local_start, _post_new


def _form(app: Flask, **given: object) -> dict[str, object]:
    users, codes = user_ids(app), agency_ids(app)
    start = _local_start(24)
    data: dict[str, object] = {
        "title": "Verkostokokous",
        "day": start.date().isoformat(),
        "time": start.strftime("%H:%M"),
        "duration_minutes": "60",
        "place": "Huone 3",
        "video_link": "",
        "chair": users["sanna"],
        "invited_agencies": [codes["ngo"]],
        "invited_users": [users["jari"]],
    }
    data.update(given)
    return data


class TestNewMeeting:
    def test_the_form_shows_the_hint_and_the_choices(self, demo_app: Flask) -> None:
        page = client_of(demo_app, "sanna").get("/meetings/new").text
        assert "No personal data in the title" in page
        assert "Jari Järvinen" in page and "Helena Heikkilä" in page
        assert 'name="invited_users"' in page and 'name="invited_agencies"' in page
        # The chair is of the organising agency: only sos practitioners are offered.
        chair = page.split('name="chair"')[1].split("</select>")[0]
        assert "Helena Heikkilä" in chair and "Jari Järvinen" not in chair

    def test_create(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        response = _post_new(sanna, _form(demo_app))
        assert response.status_code == 302
        meeting = uuid.UUID(response.location.rsplit("/", 1)[1])
        page = sanna.get(f"/meetings/{meeting}").text
        assert "Verkostokokous" in page and "Jari Järvinen" in page and "Planned" in page
        assert "Verkostokokous" in client_of(demo_app, "jari").get("/meetings").text

    def test_bad_input_creates_nothing(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        users = user_ids(demo_app)
        before = state(demo_app)
        bad = [
            {"title": ""},
            {"day": "2026-02-31"},
            {"time": "25:99"},
            {"day": "1999-01-01"},
            {"duration_minutes": "5"},
            {"duration_minutes": "abc"},
            {"place": "", "video_link": ""},
            {"video_link": "http://meet.example.fi/x"},
            {"video_link": "javascript:alert(1)"},
            {"chair": users["jari"]},
            {"chair": str(uuid.uuid4())},
            {"invited_users": [str(uuid.uuid4())]},
            {"invited_users": [users["timo"]]},
            {"invited_users": [users["noora"]]},  # her agency is not invited
            {"invited_agencies": [str(uuid.uuid4())]},
            {"title": "Kokous\nrivinvaihto"},
        ]
        for given in bad:
            response = _post_new(sanna, _form(demo_app, **given))
            assert response.status_code == 400, (given, response.status_code)
            assert "Check the following" in response.text, given
        assert state(demo_app) == before

    def test_roles_without_meetings(self, demo_app: Flask) -> None:
        for username in ("aino", "timo", "admin"):
            client = client_of(demo_app, username)
            assert client.get("/meetings/new").status_code == 403
            assert _post_new(client, _form(demo_app)).status_code == 403


class TestAgenda:
    def test_put_a_case_on_an_agenda(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        meeting = _create(demo_app, sanna, "sanna", invite=("jari",), agencies=("ngo",), hours=24)
        case_id = case_id_of(demo_app, P1_CODE)
        page = sanna.get(f"/cases/{case_id}/meetings").text
        ids = meeting_ids(demo_app)
        assert str(meeting) in page
        assert str(ids["M1"]) not in page  # its minutes are submitted: the agenda is closed
        response = send(sanna, f"/cases/{case_id}/meetings", "", raw={"meeting": str(meeting)})
        assert response.status_code == 302
        shown = sanna.get(response.location).text
        assert "The case was put on the agenda." in shown
        assert "only as a case not shared with them: Nuorten Tuki ry" in shown
        assert "Esimerkki, Eetu" in shown
        again = send(sanna, f"/cases/{case_id}/meetings", "", raw={"meeting": str(meeting)})
        assert again.status_code == 400 and "already on the meeting" in again.text
        jari_page = client_of(demo_app, "jari").get(f"/meetings/{meeting}").text
        assert "a case not shared with your agency" in jari_page and "Esimerkki" not in jari_page

    def test_meetings_the_user_does_not_see_are_not_offered(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        hidden = _create(demo_app, sanna, "sanna", hours=24)  # noora is not invited
        noora = client_of(demo_app, "noora")
        case_id = case_id_of(demo_app, P1_CODE)
        page = noora.get(f"/cases/{case_id}/meetings").text
        assert str(hidden) not in page and "Verkostokokous testi" not in page
        before = state(demo_app)
        response = send(noora, f"/cases/{case_id}/meetings", "", raw={"meeting": str(hidden)})
        assert response.status_code == 400
        assert state(demo_app) == before

    def test_outside_the_case_team(self, demo_app: Flask) -> None:
        case_id = case_id_of(demo_app, P1_CODE)
        refusals = denials(demo_app)
        assert client_of(demo_app, "jari").get(f"/cases/{case_id}/meetings").status_code == 404
        assert denials(demo_app) == refusals + 1
        assert client_of(demo_app, "aino").get(f"/cases/{case_id}/meetings").status_code == 403


class TestPlanningSteps:
    def test_hold_attendance_submit(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        users = user_ids(demo_app)
        meeting = _create(demo_app, sanna, "sanna", invite=("helena",))
        page = sanna.get(f"/meetings/{meeting}").text
        assert f"/meetings/{meeting}/hold" in page and f"/meetings/{meeting}/cancel" in page
        assert send(sanna, f"/meetings/{meeting}/hold", "hold").status_code == 302
        page = sanna.get(f"/meetings/{meeting}").text
        assert f'name="present-{users["helena"]}"' in page
        before = state(demo_app)
        # Submitting before the attendance is recorded, half an attendance, a bad value.
        assert send(sanna, f"/meetings/{meeting}/submit", "submit").status_code == 400
        half = {f"present-{users['sanna']}": "present"}
        assert (
            send(sanna, f"/meetings/{meeting}/attendance", "attendance", raw=half).status_code
            == 400
        )
        odd = {**half, f"present-{users['helena']}": "maybe"}
        assert (
            send(sanna, f"/meetings/{meeting}/attendance", "attendance", raw=odd).status_code == 400
        )
        forged = {**half, f"present-{users['helena']}": "absent", "present-x": "present"}
        assert (
            send(sanna, f"/meetings/{meeting}/attendance", "attendance", raw=forged).status_code
            == 400
        )
        assert state(demo_app) == before
        full = {**half, f"present-{users['helena']}": "absent"}
        assert (
            send(sanna, f"/meetings/{meeting}/attendance", "attendance", raw=full).status_code
            == 302
        )
        assert "Absent" in sanna.get(f"/meetings/{meeting}").text
        assert send(sanna, f"/meetings/{meeting}/submit", "submit").status_code == 302
        assert meeting_status(demo_app, meeting) == "submitted"
        assert "Verkostokokous testi" in client_of(demo_app, "helena").get("/meetings/review").text

    def test_a_future_meeting_is_not_held_yet(self, demo_app: Flask) -> None:
        m2 = meeting_ids(demo_app)["M2"]
        helena = client_of(demo_app, "helena")
        response = send(helena, f"/meetings/{m2}/hold", "hold")
        assert response.status_code == 400 and "has not begun yet" in response.text
        assert meeting_status(demo_app, m2) == "planned"

    def test_cancel(self, demo_app: Flask) -> None:
        m2 = meeting_ids(demo_app)["M2"]
        helena = client_of(demo_app, "helena")
        sanna = client_of(demo_app, "sanna")  # invited, but neither chair nor supervisor
        assert send(sanna, f"/meetings/{m2}/cancel", "cancel", {"reason": "x"}).status_code == 403
        missing = send(helena, f"/meetings/{m2}/cancel", "cancel", {"reason": ""})
        assert missing.status_code == 400 and "Say why it is cancelled." in missing.text
        assert meeting_status(demo_app, m2) == "planned"
        done = send(helena, f"/meetings/{m2}/cancel", "cancel", {"reason": "Siirretään"})
        assert done.status_code == 302
        assert meeting_status(demo_app, m2) == "cancelled"
        page = helena.get(f"/meetings/{m2}").text
        assert "Siirretään" in page and f"/meetings/{m2}/cancel" not in page
        assert "CANCELLED" in helena.get(f"/meetings/{m2}.ics").text
        outsider = client_of(demo_app, "noora")
        assert (
            send(outsider, f"/meetings/{m2}/cancel", "cancel", {"reason": "x"}).status_code == 404
        )


class TestLists:
    def test_tabs_and_pages(self, demo_app: Flask) -> None:
        sanna = client_of(demo_app, "sanna")
        upcoming = sanna.get("/meetings").text
        assert "M2 – Ankkuri" in upcoming and "M1 – Ankkuri" not in upcoming
        assert "New meeting" in upcoming
        past = sanna.get("/meetings?tab=past").text
        assert "M1 – Ankkuri" in past and "M2 – Ankkuri" not in past
        assert sanna.get("/meetings?page=x").status_code == 400
        assert sanna.get("/meetings?tab=nonsense").status_code == 400
        assert sanna.get("/meetings?page=99").status_code == 200
