"""Case work through the HTML forms: the issue's marker table for every demo user on every page
they can reach, withdrawal and emergency access, the forms, and IDOR across agencies."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.demo import DEMO_PERSONS, DEMO_USERS
from app.extensions import db
from audit.models import AuditEvent
from cases.accounts.models import Agency, User
from cases.casework.models import Case, CaseNote, ClosureRequest, Consent, EmergencyAccess
from cases.persons import services as persons
from tests.cases.test_casework import MARKER_RE, MARKERS
from tests.clock import work_day
from tests.helpers import b32_secret, post, reauthenticate, sign_in

LINK_RE = re.compile(r'href="(/(?:cases|persons)/[0-9a-f-]{36})"')
CODES = [code for _m, _g, _s, _b, code, _u, _gu in DEMO_PERSONS]


def signed_in(app: Flask, accounts: dict[str, dict[str, str]], username: str) -> FlaskClient:
    client = app.test_client()
    account = accounts[username]
    response = sign_in(client, username, account["password"], b32_secret(account["totp_secret"]))
    assert response.status_code == 302, username
    # Emergency access needs a password entered on the re-authentication page (issue 9).
    reauthenticate(client, account["password"])
    return client


def reachable_text(client: FlaskClient) -> str:
    """Everything the user can reach: my cases, every case and person linked, every search."""
    pages = [client.get("/"), client.get("/cases/")]
    seen: set[str] = set()
    queue = [m for p in pages for m in LINK_RE.findall(p.text)]
    for code in CODES:
        result = post(client, "/persons/", {"by": "code", "code-identity_code": code})
        pages.append(result)
        queue += LINK_RE.findall(result.text)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url)
        pages.append(page)
        if page.status_code == 200:
            queue += LINK_RE.findall(page.text)
    return "\n".join(p.text for p in pages)


@pytest.mark.parametrize(("username", "agency"), [(u, a) for u, _n, _r, a in DEMO_USERS])
def test_marker_table_on_every_reachable_page(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str, agency: str
) -> None:
    client = signed_in(demo_app, demo_accounts, username)
    text = reachable_text(client)
    expected = {m for m, agencies in MARKERS.items() if agency in agencies}
    if agency == "tur":
        expected = set()
    assert set(MARKER_RE.findall(text)) == expected
    # An agency with no part in a person's case never sees their name.
    for _m, _given, surname, _b, code, _u, _g in DEMO_PERSONS:
        involved = {
            "140310A1230": {"sos", "nuo", "pol"},
            "020612A2465": {"sos", "ngo"},
            "090909A357W": {"nuo", "pol"},
            "200411A4682": {"pol", "sos"},
        }[code]
        if agency not in involved:
            # The search box shows back what the user typed; nothing else may show the code.
            shown = text.replace(f'value="{code}"', "")
            assert surname not in shown, (username, surname)
            assert code not in shown, (username, code)


def test_police_pages_carry_the_notice(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    client = signed_in(demo_app, demo_accounts, "pekka")
    with demo_app.app_context():
        person = persons.find_by_identity_code(db(), "140310A1230")
        case = db().scalar(select(Case).where(Case.person_id == person.id))  # type: ignore[union-attr]
    page = client.get(f"/cases/{case.id}")  # type: ignore[union-attr]
    assert "Not for criminal investigation." in page.text
    assert "1 note by other agencies is not shared with you." in page.text
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    assert "Not for criminal investigation." not in sanna.get(f"/cases/{case.id}").text  # type: ignore[union-attr]


def _case_id(app: Flask, code: str) -> uuid.UUID:
    with app.app_context():
        person = persons.find_by_identity_code(db(), code)
        assert person is not None
        case = db().scalar(select(Case).where(Case.person_id == person.id))
        assert case is not None
        return case.id


def test_withdrawal_and_emergency_access_through_the_pages(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    case_id = _case_id(demo_app, "140310A1230")
    noora = signed_in(demo_app, demo_accounts, "noora")
    assert "DEMO-P1-SOS-GENERAL" in noora.get(f"/cases/{case_id}").text
    with demo_app.app_context():
        consent = db().scalar(select(Consent).where(Consent.case_id == case_id))
        consent_id = consent.id  # type: ignore[union-attr]
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    withdrawn = post(
        sanna, f"/cases/{case_id}/consents/{consent_id}/withdraw", {"reason": "Eetu asked"}
    )
    assert withdrawn.status_code == 302
    assert "DEMO-P1-SOS-GENERAL" not in noora.get(f"/cases/{case_id}").text
    granted = post(noora, f"/cases/{case_id}/emergency", {"justification": "Eetu is missing"})
    assert granted.status_code == 302, granted.text
    page = noora.get(f"/cases/{case_id}").text
    assert "DEMO-P1-SOS-GENERAL" in page and "shown through emergency access" in page
    helena = signed_in(demo_app, demo_accounts, "helena")
    queue = helena.get("/cases/queue").text
    assert "Noora Nieminen" in queue
    with demo_app.app_context():
        access = db().scalar(select(EmergencyAccess))
        access_id = access.id  # type: ignore[union-attr]
    assert post(noora, f"/cases/emergency/{access_id}/review").status_code == 403
    assert post(helena, f"/cases/emergency/{access_id}/review").status_code == 302
    aino = signed_in(demo_app, demo_accounts, "aino")
    assert "case:emergency:grant" in aino.get("/audit/flagged").text


def test_forms_open_note_consent_disclosure_team_closure(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    created = post(
        sanna,
        "/persons/new",
        {
            "given_names": "Testi",
            "surname": "Nuori",
            "birth_date": "2010-01-01",
            "mother_tongue": "fi",
        },
    )
    person_id = created.location.rsplit("/", 1)[-1]
    assert sanna.get(f"/cases/open/{person_id}").status_code == 200
    assert post(sanna, f"/cases/open/{person_id}", {}).status_code == 400
    opened = post(
        sanna, f"/cases/open/{person_id}", {"concern_codes": ["school_absence", "housing"]}
    )
    assert opened.status_code == 302
    case_id = uuid.UUID(opened.location.rsplit("/", 1)[-1])
    for path in ("notes/new", "consents/new", "disclosures/new", "team", "closure"):
        assert sanna.get(f"/cases/{case_id}/{path}").status_code == 200, path
    assert (
        post(
            sanna,
            f"/cases/{case_id}/notes/new",
            {"category": "general", "sensitivity": "normal", "body": ""},
        ).status_code
        == 400
    )
    assert (
        post(
            sanna,
            f"/cases/{case_id}/notes/new",
            {"category": "general", "sensitivity": "normal", "body": "Hei MARK-1"},
        ).status_code
        == 302
    )
    with demo_app.app_context():
        agencies = {
            a.code: str(a.id)
            for a in db().scalars(
                select(__import__("cases.accounts.models", fromlist=["Agency"]).Agency)
            )
        }
    refused = post(
        sanna, f"/cases/{case_id}/team", {"add": "agency", "agency-agency": agencies["nuo"]}
    )
    assert (
        refused.status_code == 400
        and "No consent or disclosure in effect covers this agency" in refused.text
    )
    consent = post(
        sanna,
        f"/cases/{case_id}/consents/new",
        {
            "given_by": "both",
            "recipients": [agencies["sos"], agencies["nuo"]],
            "categories": ["general"],
            "purpose": "Tuki",
            "how_recorded": "written",
            "young_person_view": "Haluaa apua",
        },
    )
    assert consent.status_code == 302, consent.text
    assert (
        post(
            sanna, f"/cases/{case_id}/team", {"add": "agency", "agency-agency": agencies["nuo"]}
        ).status_code
        == 302
    )
    disclosure = post(
        sanna,
        f"/cases/{case_id}/disclosures/new",
        {
            "to_agency": agencies["pol"],
            "basis": "act_812_2000_18",
            "categories": ["general"],
            "justification": "Poliisin pyyntö",
            # Issue 9: at most 12 months.
            "expires_on": (work_day() + timedelta(days=60)).isoformat(),
        },
    )
    assert disclosure.status_code == 302, disclosure.text
    page = sanna.get(f"/cases/{case_id}").text
    assert "Act 812/2000 §18 (disclosure to police)" in page and "MARK-1" in page
    assert (
        post(sanna, f"/cases/{case_id}/closure", {"outcome": "no_further_need"}).status_code == 302
    )
    helena = signed_in(demo_app, demo_accounts, "helena")
    with demo_app.app_context():
        request_id = db().scalar(select(ClosureRequest.id).where(ClosureRequest.case_id == case_id))
    assert post(helena, f"/cases/closures/{request_id}", {"decision": "approve"}).status_code == 302
    assert "Closed" in sanna.get(f"/cases/{case_id}").text


def test_ids_from_other_agencies_cases_answer_403_without_personal_data(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1 = _case_id(demo_app, "140310A1230")
    with demo_app.app_context():
        note = db().scalar(select(CaseNote.id).where(CaseNote.case_id == p1))
        consent = db().scalar(select(Consent.id).where(Consent.case_id == p1))
        person = persons.find_by_identity_code(db(), "140310A1230")
        person_id = person.id  # type: ignore[union-attr]
    jari = signed_in(demo_app, demo_accounts, "jari")  # ngo: no part in P1's case
    urls = [
        f"/cases/{p1}",
        f"/cases/{p1}/notes/new",
        f"/cases/{p1}/notes/new?supersedes={note}",
        f"/cases/{p1}/consents/new",
        f"/cases/{p1}/consents/{consent}/withdraw",
        f"/cases/{p1}/disclosures/new",
        f"/cases/{p1}/team",
        f"/cases/{p1}/closure",
        f"/persons/{person_id}",
        f"/persons/{person_id}/history",
        f"/cases/open/{person_id}",
    ]
    for url in urls:
        # 405: the page takes no POST at all, whoever asks.
        for method, response in (
            ("GET", jari.get(url)),
            ("POST", post(jari, url, {"body": "x", "reason": "x"})),
        ):
            allowed = (403, 404, 405) if method == "POST" else (403, 404)
            assert response.status_code in allowed, (method, url, response.status_code)
            assert "Esimerkki" not in response.text and "DEMO-" not in response.text
    with demo_app.app_context():
        denials = (
            db()
            .scalars(select(AuditEvent).where(AuditEvent.action == "policy:access:denied"))
            .all()
        )
    assert len(denials) >= len(urls)


def test_every_route_with_an_id_refuses_another_agencys_ids(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    """Every rule with an id argument, filled with ids from P1's case (ngo has no part in it)."""
    p1 = _case_id(demo_app, "140310A1230")
    noora = signed_in(demo_app, demo_accounts, "noora")
    post(noora, f"/cases/{p1}/emergency", {"justification": "test"})
    post(noora, f"/cases/{p1}/closure", {"outcome": "other"})
    with demo_app.app_context():
        session = db()
        ids = {
            "case_id": p1,
            "person_id": session.scalar(select(Case.person_id).where(Case.id == p1)),
            "consent_id": session.scalar(select(Consent.id).where(Consent.case_id == p1)),
            "request_id": session.scalar(
                select(ClosureRequest.id).where(ClosureRequest.case_id == p1)
            ),
            "access_id": session.scalar(
                select(EmergencyAccess.id).where(EmergencyAccess.case_id == p1)
            ),
        }
    assert all(ids.values())
    outsiders = {
        name: signed_in(demo_app, demo_accounts, name) for name in ("jari", "aino", "admin")
    }
    tried = 0
    for rule in demo_app.url_map.iter_rules():
        arguments = set(rule.arguments)
        if not arguments or not arguments <= set(ids):
            continue
        url = rule.rule
        for name in arguments:
            url = url.replace(f"<uuid:{name}>", str(ids[name]))
        for client in outsiders.values():
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = (
                    client.get(url) if method == "GET" else post(client, url, {"reason": "x"})
                )
                assert response.status_code in (403, 404), (url, method, response.status_code)
                assert "Esimerkki" not in response.text and "DEMO-" not in response.text
                tried += 1
    assert tried >= 30


def test_bad_form_input_answers_400_with_a_message_and_changes_nothing(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p2 = _case_id(demo_app, "020612A2465")
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    with demo_app.app_context():
        agencies = {a.code: str(a.id) for a in db().scalars(select(Agency))}
        users = {u.username: str(u.id) for u in db().scalars(select(User))}
        person_id = db().scalar(select(Case.person_id).where(Case.id == p2))
        consent_id = db().scalar(select(Consent.id).where(Consent.case_id == p2))
        before = db().scalar(select(func.count()).select_from(AuditEvent))
    cases = [
        (f"/cases/open/{person_id}", {"concern_codes": ["nonsense"]}, "is not a valid choice"),
        (
            f"/cases/{p2}/notes/new",
            {"category": "general", "sensitivity": "normal", "body": ""},
            "Write the note.",
        ),
        (
            f"/cases/{p2}/consents/new",
            {
                "given_by": "guardian",
                "recipients": [agencies["ngo"]],
                "categories": ["general"],
                "purpose": "x",
                "how_recorded": "written",
                "valid_from": "2027-02-02",
                "valid_until": "2027-01-01",
            },
            "The end date is before the start date.",
        ),
        (f"/cases/{p2}/consents/new", {"given_by": "guardian"}, "Choose at least one agency."),
        # The attack review's 500s: far-future days overflowed the calendar arithmetic.
        *(
            (
                f"/cases/{p2}/consents/new",
                {
                    "given_by": "guardian",
                    "recipients": [agencies["ngo"]],
                    "categories": ["general"],
                    "purpose": "x",
                    "how_recorded": "written",
                    **dates,
                },
                message,
            )
            for dates, message in (
                ({"given_on": "9998-12-31"}, "cannot be in the future"),
                ({"given_on": "9999-12-31"}, "cannot be in the future"),
                ({"valid_from": "9998-12-31"}, "at most"),
                ({"valid_from": "9999-06-01"}, "at most"),
            )
        ),
        (f"/cases/{p2}/consents/{consent_id}/withdraw", {"reason": ""}, "Describe the withdrawal."),
        (
            f"/cases/{p2}/disclosures/new",
            {
                # Issue 9: §18 reaches police only (ngo is not offered to social services).
                "to_agency": agencies["pol"],
                "basis": "act_812_2000_18",
                "categories": ["general"],
                "justification": "x",
                "expires_on": "2020-01-01",
            },
            "The expiry date must be in the future.",
        ),
        (
            f"/cases/{p2}/disclosures/new",
            {"to_agency": agencies["ngo"]},
            "Write the justification.",
        ),
        (f"/cases/{p2}/emergency", {"justification": ""}, "Write the justification."),
        (f"/cases/{p2}/team", {"add": "user", "user-user": users["noora"]}, "Not a valid choice"),
        (f"/cases/{p2}/team", {"add": "agency", "agency-agency": "nope"}, "Not a valid choice"),
        (f"/cases/{p2}/closure", {"outcome": "vanished"}, "Not a valid choice"),
    ]
    for url, data, message in cases:
        response = post(sanna, url, data)
        assert response.status_code == 400, (url, response.status_code)
        assert message in response.text, (url, message)
    with demo_app.app_context():
        after = db().scalar(select(func.count()).select_from(AuditEvent))
    # Bad input writes nothing but the sign-in's own events (none here: already signed in).
    assert after == before
    bad_note = sanna.get(f"/cases/{p2}/notes/new?supersedes=not-a-uuid")
    assert bad_note.status_code == 404
    assert sanna.get(f"/cases/{p2}/notes/new?supersedes={uuid.uuid4()}").status_code == 404
    assert sanna.get(f"/cases/{uuid.uuid4()}").status_code == 404
    assert sanna.get(f"/cases/open/{uuid.uuid4()}").status_code == 404
    assert sanna.get(f"/cases/{p2}/consents/{uuid.uuid4()}/withdraw").status_code == 404
    assert (
        post(sanna, f"/cases/closures/{uuid.uuid4()}", {"decision": "approve"}).status_code == 404
    )
    assert post(sanna, f"/cases/emergency/{uuid.uuid4()}/review").status_code == 404


def test_queue_decisions_through_the_pages(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p2 = _case_id(demo_app, "020612A2465")
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert post(sanna, f"/cases/{p2}/closure", {"outcome": "no_further_need"}).status_code == 302
    assert post(sanna, f"/cases/{p2}/closure", {"outcome": "no_further_need"}).status_code == 400
    with demo_app.app_context():
        request_id = db().scalar(select(ClosureRequest.id).where(ClosureRequest.case_id == p2))
    assert "Waiting for your decision: 1" in helena.get("/cases/").text
    no_choice = post(helena, f"/cases/closures/{request_id}", {}, follow_redirects=True)
    assert "Choose a decision." in no_choice.text
    no_comment = post(
        helena, f"/cases/closures/{request_id}", {"decision": "return"}, follow_redirects=True
    )
    assert "This field is required." in no_comment.text
    returned = post(
        helena,
        f"/cases/closures/{request_id}",
        {"decision": "return", "comment": "Vielä tapaaminen"},
        follow_redirects=True,
    )
    assert "The decision was saved." in returned.text
    again = post(
        helena, f"/cases/closures/{request_id}", {"decision": "approve"}, follow_redirects=True
    )
    assert "This request has already been decided." in again.text
    assert post(sanna, f"/cases/{p2}/emergency", {"justification": "kiire"}).status_code == 302
    with demo_app.app_context():
        access_id = db().scalar(select(EmergencyAccess.id).where(EmergencyAccess.case_id == p2))
    assert post(helena, f"/cases/emergency/{access_id}/review").status_code == 302
    twice = post(helena, f"/cases/emergency/{access_id}/review", follow_redirects=True)
    assert "This has already been reviewed." in twice.text
    team = post(
        sanna,
        f"/cases/{p2}/team",
        {"add": "agency", "agency-agency": next(iter(_agency_ids(demo_app, "nuo")))},
    )
    assert team.status_code == 400 and "No consent or disclosure" in team.text


def _agency_ids(app: Flask, code: str) -> list[str]:
    with app.app_context():
        return [str(a.id) for a in db().scalars(select(Agency).where(Agency.code == code))]


def test_emergency_access_needs_the_password_again(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    p1 = _case_id(demo_app, "140310A1230")
    noora = signed_in(demo_app, demo_accounts, "noora")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        stale = post(noora, f"/cases/{p1}/emergency", {"justification": "kiire"})
        assert stale.status_code == 302 and stale.location.startswith("/reauthenticate")
        with demo_app.app_context():
            assert db().scalar(select(func.count()).select_from(EmergencyAccess)) == 0


@pytest.mark.parametrize("username", ["timo", "admin"])
def test_a_route_guard_refusal_names_the_young_person_it_concerns(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]], username: str
) -> None:
    """Issue 9, finding 11: refused before any service ran, the denial still shows in the
    person's access report; an id naming no row concerns nobody."""
    p1 = _case_id(demo_app, "140310A1230")
    with demo_app.app_context():
        person = persons.find_by_identity_code(db(), "140310A1230")
        person_id = person.id  # type: ignore[union-attr]
        user_id = db().scalar(select(User.id).where(User.username == username))
    client = signed_in(demo_app, demo_accounts, username)
    for url in (f"/cases/{p1}", f"/persons/{person_id}", f"/cases/{uuid.uuid4()}"):
        assert client.get(url).status_code == 403, url
    with demo_app.app_context():
        subjects = db().scalars(
            select(AuditEvent.subject_id).where(
                AuditEvent.action == "policy:access:denied", AuditEvent.actor_user_id == user_id
            )
        )
        assert sorted(subjects, key=str) == sorted([person_id, person_id, None], key=str)
    report = signed_in(demo_app, demo_accounts, "aino").get(f"/audit/report?subject={person_id}")
    assert report.status_code == 200
    assert len([r for r in report.text.split("<tr") if f"user:{username}" in r]) >= 2
