"""Who reaches which meeting page (issue 12), on the demo's M1 and M2: written from the issue's
rules, not from the policy's tables. A meeting the user may not know of answers 404 like a
missing one, a role without meetings 403, and each refusal is audited."""

from __future__ import annotations

import pytest
from flask import Flask

from app.demo import DEMO_USERS
from tests.app.casework_helpers import case_id_of, signed_in
from tests.app.meetings.helpers import (
    M_MARKER_RE,
    P1_CODE,
    agenda_item_of,
    client_of,
    denials,
    events,
    first_action,
    first_entry,
    meeting_ids,
    send,
    state,
)

OK, NOT_FOUND, FORBIDDEN = 200, 404, 403
NOBODY = {"aino": FORBIDDEN, "timo": FORBIDDEN, "admin": FORBIDDEN}
# M1: sos organises; sanna, helena, noora, pekka, jari invited; sos, nuo, pol, ngo invited (so
# their supervisors nelli and petri see it too).
M1 = {
    "sanna": OK, "helena": OK, "noora": OK, "nelli": OK, "pekka": OK, "petri": OK, "jari": OK,
    **NOBODY,
}  # fmt: skip
# M2: sos and ngo invited; sanna, helena, jari by name.
M2 = {
    "sanna": OK, "helena": OK, "jari": OK,
    "noora": NOT_FOUND, "nelli": NOT_FOUND, "pekka": NOT_FOUND, "petri": NOT_FOUND,
    **NOBODY,
}  # fmt: skip
PRACTITIONER_LISTS = {"/meetings": OK, "/meetings/tasks": OK, "/meetings/review": FORBIDDEN}
SUPERVISOR_LISTS = {"/meetings": OK, "/meetings/tasks": OK, "/meetings/review": OK}
NO_LISTS = {"/meetings": FORBIDDEN, "/meetings/tasks": FORBIDDEN, "/meetings/review": FORBIDDEN}
LISTS = {
    "sanna": PRACTITIONER_LISTS, "noora": PRACTITIONER_LISTS, "pekka": PRACTITIONER_LISTS,
    "jari": PRACTITIONER_LISTS, "helena": SUPERVISOR_LISTS, "nelli": SUPERVISOR_LISTS,
    "petri": SUPERVISOR_LISTS, "aino": NO_LISTS, "timo": NO_LISTS, "admin": NO_LISTS,
}  # fmt: skip
# Who reads P1's minutes in M1: the practitioners of sos, nuo and pol (issue 12, the demo).
READS_P1 = {"sanna", "helena", "noora", "nelli", "pekka", "petri"}
USERNAMES = [u for u, _n, _r, _a in DEMO_USERS]


def test_the_tables_cover_every_demo_user() -> None:
    for table in (M1, M2, LISTS):
        assert set(table) == set(USERNAMES)


@pytest.mark.parametrize("username", USERNAMES)
def test_meeting_pages_by_user(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    ids = meeting_ids(demo_app)
    client = signed_in(demo_app, demo_accounts, username)
    for name, expected in (("M1", M1), ("M2", M2)):
        want = expected[username]
        for suffix in ("", "/print", ".ics"):
            before = denials(demo_app)
            response = client.get(f"/meetings/{ids[name]}{suffix}")
            assert response.status_code == want, (name, suffix, username, response.status_code)
            if want != OK:
                assert denials(demo_app) == before + 1, (name, suffix, username)
                assert not M_MARKER_RE.search(response.text)
    for path, want in LISTS[username].items():
        assert client.get(path).status_code == want, (path, username)


@pytest.mark.parametrize("username", USERNAMES)
def test_m1_minutes_are_read_as_notes(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    if M1[username] != OK:
        pytest.skip("does not see M1")
    ids = meeting_ids(demo_app)
    client = signed_in(demo_app, demo_accounts, username)
    for suffix in ("", "/print"):
        text = client.get(f"/meetings/{ids['M1']}{suffix}").text
        for marker in ("DEMO-M1-P1-GENERAL", "DEMO-M1-P1-EDUCATION", "DEMO-A1-P1-GENERAL"):
            assert (marker in text) == (username in READS_P1), (marker, suffix, username)


def test_jari_sees_m1_without_p1(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    ids = meeting_ids(demo_app)
    case_id = str(case_id_of(demo_app, P1_CODE))
    client = signed_in(demo_app, demo_accounts, "jari")
    pages = [
        client.get(f"/meetings/{ids['M1']}"),
        client.get(f"/meetings/{ids['M1']}/print"),
        client.get(f"/meetings/{ids['M1']}.ics"),
        client.get("/meetings/tasks"),
        client.get("/meetings?tab=past"),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in ("Esimerkki", "Eetu", P1_CODE, case_id, "DEMO-M1", "DEMO-A1"):
            assert secret not in text, (response.request.path, secret)
    assert "Item 1: a case not shared with your agency" in pages[0].text
    assert "Item 1: a case not shared with your agency" in pages[1].text
    assert "M1 – Ankkuri" in pages[4].text


def test_the_meeting_page_names_the_case_for_its_team(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    ids = meeting_ids(demo_app)
    case_id = case_id_of(demo_app, P1_CODE)
    warning = "will see this item only as a case not shared with them"
    noora = signed_in(demo_app, demo_accounts, "noora").get(f"/meetings/{ids['M1']}").text
    assert "Esimerkki, Eetu" in noora and f"/cases/{case_id}" in noora
    # The warning is the organiser's: another participant is not told other agencies' bases.
    assert warning not in noora
    # The NGO is invited but not on P1's team: the organising agency's warning names it.
    sanna = signed_in(demo_app, demo_accounts, "sanna").get(f"/meetings/{ids['M1']}").text
    assert warning in sanna and "Nuorten Tuki ry" in sanna


def test_the_calendar_file(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    ids = meeting_ids(demo_app)
    client = signed_in(demo_app, demo_accounts, "sanna")
    before = events(demo_app, "meeting:calendar")
    response = client.get(f"/meetings/{ids['M1']}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = response.get_data(as_text=True)
    assert "BEGIN:VCALENDAR" in body and f"UID:{ids['M1']}@silta.meetings" in body
    assert "Esimerkki" not in body and "DEMO-" not in body
    assert events(demo_app, "meeting:calendar") == before + 1


def test_printing_is_audited(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    ids = meeting_ids(demo_app)
    client = signed_in(demo_app, demo_accounts, "helena")
    before = events(demo_app, "meeting:print")
    response = client.get(f"/meetings/{ids['M1']}/print")
    assert response.status_code == 200
    assert (
        "print.css" in response.text
        and '<form method="post" action="/meetings' not in response.text
    )
    assert events(demo_app, "meeting:print") == before + 1


def test_tasks_and_review(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    ids = meeting_ids(demo_app)
    noora = signed_in(demo_app, demo_accounts, "noora")
    tasks = noora.get("/meetings/tasks").text
    assert "DEMO-A1-P1-GENERAL" in tasks and "Mark done" in tasks
    action_id = first_action(demo_app, ids["M1"])
    assert f"/meetings/{ids['M1']}/actions/{action_id}/done" in tasks
    helena = signed_in(demo_app, demo_accounts, "helena")
    review = helena.get("/meetings/review").text
    assert "M1 – Ankkuri" in review
    assert "you chair this meeting" not in review
    assert "Review queue" in review and "My tasks" in review
    sanna_nav = signed_in(demo_app, demo_accounts, "sanna").get("/meetings").text
    assert "My tasks" in sanna_nav and "Review queue" not in sanna_nav


@pytest.mark.parametrize("username", ["aino", "timo", "admin"])
def test_no_step_for_roles_without_meetings(demo_app: Flask, username: str) -> None:
    ids = meeting_ids(demo_app)
    m1 = ids["M1"]
    item, entry, action = (
        agenda_item_of(demo_app, m1),
        first_entry(demo_app, m1),
        first_action(demo_app, m1),
    )
    client = client_of(demo_app, username)
    before = state(demo_app)
    steps = [
        "cancel", "hold", "attendance", "submit", "approve", "return",
        f"items/{item}/entries", f"items/{item}/actions",
        f"entries/{entry}/addenda", f"actions/{action}/addenda", f"actions/{action}/done",
    ]  # fmt: skip
    for step in steps:
        response = send(client, f"/meetings/{m1}/{step}", "x", {"comment": "x", "reason": "x"})
        assert response.status_code == FORBIDDEN, (step, username)
        assert not M_MARKER_RE.search(response.text)
    case_id = case_id_of(demo_app, P1_CODE)
    added = send(client, f"/cases/{case_id}/meetings", "", raw={"meeting": str(m1)})
    assert added.status_code == FORBIDDEN
    assert state(demo_app) == before
