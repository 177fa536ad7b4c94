"""Who reaches which referral page (issue 11, points 2 and 6), on the demo's R1–R4: written
from the issue's rules, not from the policy's tables. A page the user may not open answers 404
(a referral they may not know of) or 403 (a role or agency without it), and is audited."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import select

from app.demo import DEMO_USERS
from app.extensions import db
from audit.models import AuditEvent
from cases.referrals.models import Referral
from tests.app.casework_helpers import case_id_of, signed_in, user_ids
from tests.app.referrals.helpers import R_MARKER_RE, denials, referral_ids
from tests.cases.casework_scenario import P1, P4

F, S, NOT_FOUND, FORBIDDEN = "full", "status", 404, 403
NOBODY = {"aino": FORBIDDEN, "timo": FORBIDDEN, "admin": FORBIDDEN}
# R1 and R4: pol → sos about P4, whose team is pol (pekka) and sos (sanna).
POL_SOS = {
    "pekka": F, "petri": F, "sanna": F, "helena": F,
    "noora": NOT_FOUND, "nelli": NOT_FOUND, "jari": NOT_FOUND, **NOBODY,
}  # fmt: skip
EXPECTED = {
    "DEMO-R1-POL-SOS": POL_SOS,
    # sos → nuo about P1, whose team is sos, nuo and pol: pol sees that it exists, its state.
    "DEMO-R2-SOS-NUO": {
        "sanna": F, "helena": F, "noora": F, "nelli": F,
        "pekka": S, "petri": S, "jari": NOT_FOUND, **NOBODY,
    },
    # sos → ngo about P2, whose team is sos and ngo.
    "DEMO-R3-SOS-NGO": {
        "sanna": F, "helena": F, "jari": F,
        "noora": NOT_FOUND, "nelli": NOT_FOUND, "pekka": NOT_FOUND, "petri": NOT_FOUND,
        **NOBODY,
    },
    "DEMO-R4-POL-SOS": POL_SOS,
}  # fmt: skip
CASEWORKER_LISTS = {"inbox": 200, "sent": 200, "overview": 403, "overview/flow.svg": 403}
SUPERVISOR_LISTS = {"inbox": 200, "sent": 200, "overview": 200, "overview/flow.svg": 200}
NO_LISTS = {"inbox": 403, "sent": 403, "overview": 403, "overview/flow.svg": 403}
LISTS = {
    "sanna": CASEWORKER_LISTS, "noora": CASEWORKER_LISTS, "pekka": CASEWORKER_LISTS,
    "jari": CASEWORKER_LISTS, "helena": SUPERVISOR_LISTS, "nelli": SUPERVISOR_LISTS,
    "petri": SUPERVISOR_LISTS, "aino": NO_LISTS, "timo": NO_LISTS, "admin": NO_LISTS,
}  # fmt: skip
USERNAMES = [u for u, _n, _r, _a in DEMO_USERS]


def test_the_tables_cover_every_demo_user() -> None:
    assert set(LISTS) == set(USERNAMES)
    for expected in EXPECTED.values():
        assert set(expected) == set(USERNAMES)


@pytest.mark.parametrize("username", USERNAMES)
def test_referral_pages_by_user(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    ids = referral_ids(demo_app)
    assert set(ids) == set(EXPECTED)
    me = user_ids(demo_app)[username]
    client = signed_in(demo_app, demo_accounts, username)
    refused = 0
    for marker, expected in EXPECTED.items():
        response = client.get(f"/referrals/{ids[marker]}")
        want = expected[username]
        if want in (F, S):
            assert response.status_code == 200, (marker, username)
            assert (marker in response.text) == (want == F), (marker, username)
            # Status only: the agencies and the state, nobody's name, no reason, no history text.
            if want == S:
                assert "Esimerkki" not in response.text and "140310A1230" not in response.text
        else:
            assert response.status_code == want, (marker, username, response.status_code)
            assert not R_MARKER_RE.search(response.text)
            refused += 1
    for path, status in LISTS[username].items():
        response = client.get(f"/referrals/{path}")
        assert response.status_code == status, (path, username)
        refused += status != 200
    assert denials(demo_app, me) == refused


@pytest.mark.parametrize("username", USERNAMES)
def test_navigation_links_follow_the_policy(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    client = signed_in(demo_app, demo_accounts, username)
    page = client.get("/").text
    lists = LISTS[username]
    assert ('href="/referrals/inbox"' in page) == (lists["inbox"] == 200)
    assert ('href="/referrals/sent"' in page) == (lists["sent"] == 200)
    assert ('href="/referrals/overview"' in page) == (lists["overview"] == 200)


def test_the_inbox_and_sent_lists_show_their_agency_s_referrals(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    ids = referral_ids(demo_app)
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    inbox = sanna.get("/referrals/inbox").text
    # Open referrals to sos: R1 (new, overdue); R4 was declined.
    assert str(ids["DEMO-R1-POL-SOS"]) in inbox and str(ids["DEMO-R4-POL-SOS"]) not in inbox
    assert "Laine, Lumi" in inbox and "200411A4682" in inbox and "Overdue" in inbox
    sent = sanna.get("/referrals/sent").text
    assert str(ids["DEMO-R2-SOS-NUO"]) in sent and str(ids["DEMO-R3-SOS-NGO"]) in sent
    assert "Completed" in sent and "Accepted" in sent
    pekka = signed_in(demo_app, demo_accounts, "pekka")
    sent = pekka.get("/referrals/sent").text
    # Always visible to the sender, whatever the state (R4 was declined).
    assert str(ids["DEMO-R1-POL-SOS"]) in sent and str(ids["DEMO-R4-POL-SOS"]) in sent
    assert "Overdue" in sent and "Declined" in sent


def test_a_case_s_referrals_show_other_team_agencies_the_state_only(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    ids = referral_ids(demo_app)
    p1 = case_id_of(demo_app, P1)
    pekka = signed_in(demo_app, demo_accounts, "pekka")
    page = pekka.get(f"/cases/{p1}/referrals")
    assert page.status_code == 200
    assert "Accepted" in page.text and "status only" in page.text
    assert f"/referrals/{ids['DEMO-R2-SOS-NUO']}" not in page.text
    assert not R_MARKER_RE.search(page.text)
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    page = sanna.get(f"/cases/{p1}/referrals")
    assert f"/referrals/{ids['DEMO-R2-SOS-NUO']}" in page.text
    assert "status only" not in page.text
    # The case page links to both, and costs no statement more for it.
    case_page = sanna.get(f"/cases/{p1}").text
    assert f"/cases/{p1}/referrals" in case_page and f"/cases/{p1}/referrals/new" in case_page


@pytest.mark.parametrize("username", ["noora", "jari", "aino"])
def test_a_case_outside_the_team_is_not_found_and_audited(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    p4 = case_id_of(demo_app, P4)
    me = user_ids(demo_app)[username]
    client = signed_in(demo_app, demo_accounts, username)
    before = denials(demo_app, me)
    for path in (f"/cases/{p4}/referrals", f"/cases/{p4}/referrals/new"):
        assert client.get(path).status_code in (403, 404), path
    assert denials(demo_app, me) == before + 2


@pytest.mark.parametrize("username", ["aino", "timo", "admin"])
def test_a_refusal_at_the_gate_names_the_referrals_young_person(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    """Attack on issue 11: these refusals named neither the referral nor the person, so they
    never showed in the young person's access report."""
    r1 = referral_ids(demo_app)["DEMO-R1-POL-SOS"]
    client = signed_in(demo_app, demo_accounts, username)
    assert client.get(f"/referrals/{r1}").status_code == 403
    with demo_app.app_context():
        referral = db().get(Referral, r1)
        assert referral is not None
        subjects = list(
            db().scalars(
                select(AuditEvent.subject_id).where(
                    AuditEvent.action == "policy:access:denied",
                    AuditEvent.actor_user_id == uuid.UUID(user_ids(demo_app)[username]),
                )
            )
        )
    assert str(referral.person_id) in [str(s) for s in subjects]
