"""Referrals through the pages (issue 11, point 6): sending, and each step on the referral page.
Bad input is 400 and changes nothing; a decline needs a reason; a step taken by the wrong side
is refused and audited."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.db import utcnow
from tests.app.casework_helpers import agency_ids, case_id_of, signed_in, user_ids
from tests.app.referrals.helpers import denials, referral_count, referral_ids, state_of
from tests.cases.casework_scenario import P1
from tests.helpers import csrf_token

NOTE_RE = re.compile(
    r'name="attached_note_ids" type="checkbox" value="([0-9a-f-]{36})"> <label[^>]*>([^<]*)<'
)


def act(
    client: FlaskClient, path: str, prefix: str, data: dict[str, str] | None = None
) -> TestResponse:
    """POST one of the referral page's forms (each has its own field prefix)."""
    fields = {f"{prefix}-{name}": value for name, value in (data or {}).items()}
    return client.post(path, data={f"{prefix}-csrf_token": csrf_token(client), **fields})


def send(client: FlaskClient, case_id: uuid.UUID, data: dict[str, object]) -> TestResponse:
    """POST the send form as a fresh one (its own one-time token) unless `data` names one."""
    fields = {"csrf_token": csrf_token(client), "send_token": str(uuid.uuid4()), **data}
    return client.post(f"/cases/{case_id}/referrals/new", data=fields)


def _notes(page: str) -> dict[str, str]:
    """The attachable notes offered, by marker."""
    found = {}
    for note, text in NOTE_RE.findall(page):
        marker = re.search(r"DEMO-[A-Z0-9-]+", text)
        assert marker is not None, text
        found[marker.group(0)] = note
    return found


class TestSending:
    def test_sanna_sends_pekka_takes_it_and_sanna_sees_the_state(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        p1 = case_id_of(demo_app, P1)
        agencies = agency_ids(demo_app)
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        form = sanna.get(f"/cases/{p1}/referrals/new")
        assert form.status_code == 200
        notes = _notes(form.text)
        # The sender is told before attaching a restricted note that it stays with sos.
        offered = dict(NOTE_RE.findall(form.text))
        assert "(restricted: only your agency reads it)" in offered[notes["DEMO-P1-SOS-HEALTH"]]
        assert "restricted" not in offered[notes["DEMO-P1-SOS-GENERAL"]]
        # P1's consent covers pol for general and education, not for family or health.
        assert "Family: no consent or disclosure in effect covers it" in form.text
        sent = send(
            sanna,
            p1,
            {
                "to_agency": agencies["pol"],
                "category": "general",
                "urgency": "urgent",
                "reason": "Tarvitsee tukea. TEST-REASON",
                "attached_note_ids": [notes["DEMO-P1-SOS-GENERAL"], notes["DEMO-P1-SOS-HEALTH"]],
            },
        )
        assert sent.status_code == 302, sent.text
        path = sent.location
        pekka = signed_in(demo_app, demo_accounts, "pekka")
        assert path in pekka.get("/referrals/inbox").text
        page = pekka.get(path).text
        assert "TEST-REASON" in page and "DEMO-P1-SOS-GENERAL" in page
        # The restricted health note was attached, but the note policy keeps it from pol.
        assert "DEMO-P1-SOS-HEALTH" not in page and "1 attached note is not shared" in page
        assert act(pekka, f"{path}/acknowledge", "ack").status_code == 302
        assert act(pekka, f"{path}/accept", "accept").status_code == 302
        referral_id = uuid.UUID(path.rsplit("/", 1)[1])
        assert state_of(demo_app, referral_id) == "accepted"
        mine = sanna.get("/referrals/sent").text
        assert path in mine and "Accepted" in mine
        history = sanna.get(path).text
        assert "Acknowledged · Helsingin poliisilaitos" in history

    @pytest.mark.parametrize(
        "change",
        [
            {"reason": ""},  # a reason is required
            {"category": "health"},  # not offered: no basis covers it
            {"to_agency": "tur"},  # not offered: nothing covers it
            {"to_agency": "not-a-uuid"},
            {"urgency": "whenever"},
            {"attached_note_ids": [str(uuid.uuid4())]},  # not a note of this case
            {"category": "youth_act_11"},  # no §11 disclosure: not offered
            {"reason": "x" * 20001},
            {"reason": "bad\x00byte"},
            {"send_token": ""},  # the form's one-time token is required
            {"send_token": "not-a-uuid"},
        ],
    )
    def test_bad_input_is_400_and_sends_nothing(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]], change: dict[str, object]
    ) -> None:
        p1 = case_id_of(demo_app, P1)
        agencies = agency_ids(demo_app)
        data: dict[str, object] = {
            "to_agency": agencies["nuo"],
            "category": "general",
            "urgency": "routine",
            "reason": "Syy.",
        }
        data.update(change)
        if data["to_agency"] == "tur":
            data["to_agency"] = agencies["tur"]
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        before = referral_count(demo_app)
        response = send(sanna, p1, data)
        assert response.status_code == 400, response.text
        assert "Check the following" in response.text
        assert referral_count(demo_app) == before


class TestSteps:
    def test_a_decline_needs_a_reason_and_a_text(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        r1 = referral_ids(demo_app)["DEMO-R1-POL-SOS"]
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        path = f"/referrals/{r1}/decline"
        for data in (
            {"decline_reason": "", "decline_text": "Ei meille."},
            {"decline_reason": "no_capacity", "decline_text": ""},
            {"decline_reason": "because", "decline_text": "Ei meille."},
        ):
            response = act(sanna, path, "decline", data)
            assert response.status_code == 400, data
            assert state_of(demo_app, r1) == "sent"
        done = act(
            sanna, path, "decline", {"decline_reason": "no_capacity", "decline_text": "Ei tilaa."}
        )
        assert done.status_code == 302
        assert state_of(demo_app, r1) == "declined"
        page = sanna.get(f"/referrals/{r1}").text
        assert "No capacity" in page and "Ei tilaa." in page
        # The sender sees the answer too.
        pekka = signed_in(demo_app, demo_accounts, "pekka")
        assert "Ei tilaa." in pekka.get(f"/referrals/{r1}").text

    @pytest.mark.parametrize(
        ("username", "status"), [("pekka", 403), ("petri", 403), ("noora", 404), ("aino", 403)]
    )
    def test_only_the_receiving_agency_acknowledges(
        self,
        demo_app: Flask,
        demo_accounts: dict[str, dict[str, str]],
        username: str,
        status: int,
    ) -> None:
        r1 = referral_ids(demo_app)["DEMO-R1-POL-SOS"]
        me = user_ids(demo_app)[username]
        client = signed_in(demo_app, demo_accounts, username)
        before = denials(demo_app, me)
        for step, prefix in (("acknowledge", "ack"), ("accept", "accept")):
            assert act(client, f"/referrals/{r1}/{step}", prefix).status_code == status
        assert state_of(demo_app, r1) == "sent"
        assert denials(demo_app, me) == before + 2

    def test_the_needs_assessment_dates(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        r1 = referral_ids(demo_app)["DEMO-R1-POL-SOS"]
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        assert act(sanna, f"/referrals/{r1}/acknowledge", "ack").status_code == 302
        page = sanna.get(f"/referrals/{r1}").text
        assert "Needs assessment started on" in page
        today = utcnow().date()
        path = f"/referrals/{r1}/assessment"
        for data in (
            {"started_on": (today + timedelta(days=2)).isoformat()},
            {"started_on": (today - timedelta(days=30)).isoformat()},
            {"started_on": "not a date"},
            {},
        ):
            assert act(sanna, path, "assessment", data).status_code == 400, data
        assert act(sanna, path, "assessment", {"started_on": today.isoformat()}).status_code == 302
        assert "Assessment started" in sanna.get(f"/referrals/{r1}").text

    def test_complete_withdraw_and_reopen(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        ids = referral_ids(demo_app)
        r1, r2, r4 = ids["DEMO-R1-POL-SOS"], ids["DEMO-R2-SOS-NUO"], ids["DEMO-R4-POL-SOS"]
        noora = signed_in(demo_app, demo_accounts, "noora")
        assert (
            act(noora, f"/referrals/{r2}/complete", "complete", {"outcome": ""}).status_code == 400
        )
        done = act(
            noora, f"/referrals/{r2}/complete", "complete", {"outcome": "Aloitti harrastuksen."}
        )
        assert done.status_code == 302 and state_of(demo_app, r2) == "completed"
        pekka = signed_in(demo_app, demo_accounts, "pekka")
        assert act(pekka, f"/referrals/{r1}/withdraw", "withdraw").status_code == 302
        assert state_of(demo_app, r1) == "withdrawn"
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        assert (
            act(sanna, f"/referrals/{r4}/reopen", "reopen", {"reopen_reason": "x"}).status_code
            == 403
        )
        helena = signed_in(demo_app, demo_accounts, "helena")
        assert (
            act(helena, f"/referrals/{r4}/reopen", "reopen", {"reopen_reason": ""}).status_code
            == 400
        )
        assert state_of(demo_app, r4) == "declined"
        reopened = act(
            helena,
            f"/referrals/{r4}/reopen",
            "reopen",
            {"reopen_reason": "Ei ollutkaan kaksoiskappale."},
        )
        assert reopened.status_code == 302 and state_of(demo_app, r4) == "acknowledged"

    def test_a_missing_referral_and_a_bad_page_number(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        assert sanna.get(f"/referrals/{uuid.uuid4()}").status_code == 404
        assert act(sanna, f"/referrals/{uuid.uuid4()}/acknowledge", "ack").status_code == 404
        for query in ("page=abc", "page=0", "page=-3", "page=99999999"):
            assert sanna.get(f"/referrals/inbox?{query}").status_code == 400, query
        assert sanna.get("/referrals/sent?page=2").status_code == 200


SEND_ONCE = {"category": "general", "urgency": "routine", "reason": "Kahdesti. TEST-TWICE"}


class TestSendingTwice:
    """Attack on issue 11: the same send form posted twice made two referrals."""

    def test_the_same_form_sent_again_makes_no_second_referral(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        p1 = case_id_of(demo_app, P1)
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        page = sanna.get(f"/cases/{p1}/referrals/new").text
        token = re.search(r'name="send_token" type="hidden" value="([0-9a-f-]{36})"', page)
        assert token is not None
        form = {**SEND_ONCE, "to_agency": agency_ids(demo_app)["pol"], "send_token": token[1]}
        before = referral_count(demo_app)
        assert send(sanna, p1, form).status_code == 302
        again = send(sanna, p1, form)
        assert again.status_code == 400
        assert "This referral was already sent: the form was submitted twice." in again.text
        assert referral_count(demo_app) == before + 1
        # A new form (a new token) sends a new referral.
        assert send(sanna, p1, {**form, "send_token": str(uuid.uuid4())}).status_code == 302
        assert referral_count(demo_app) == before + 2

    def test_a_fresh_form_gets_a_fresh_token(
        self, demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
    ) -> None:
        p1 = case_id_of(demo_app, P1)
        sanna = signed_in(demo_app, demo_accounts, "sanna")
        tokens = {
            re.findall(
                r'name="send_token" type="hidden" value="([^"]+)"',
                sanna.get(f"/cases/{p1}/referrals/new").text,
            )[0]
            for _ in range(3)
        }
        assert len(tokens) == 3


@pytest.mark.parametrize("page", ["\u0661", "\uff11", "1\u0662", "+1", " 1", "1e3"])
@pytest.mark.parametrize("path", ["/referrals/inbox", "/referrals/sent"])
def test_a_page_number_is_ascii_digits(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], path: str, page: str
) -> None:
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    assert sanna.get(path, query_string={"page": page}).status_code == 400
    assert sanna.get(path, query_string={"page": "1"}).status_code == 200
