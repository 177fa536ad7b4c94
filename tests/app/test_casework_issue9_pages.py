"""Issue 9 through the pages: an unreachable case answers like a missing one (finding 12) and
its denial is in the young person's access report (finding 11); closed cases and reopening
(9); the disclosure form's bases (5); the consent form's given-on date and late entry (3)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import config
from app.extensions import db
from audit.models import AuditEvent
from cases.accounts.models import Agency
from cases.casework.models import Case, CaseNote, ClosureRequest, Consent
from cases.persons import services as persons
from tests.app.casework_helpers import signed_in
from tests.clock import work_day
from tests.conftest import AppFactory
from tests.databases import PostgresDatabases, SqliteDatabases
from tests.helpers import post

P1, P2 = "140310A1230", "020612A2465"


def _case(app: Flask, code: str) -> tuple[uuid.UUID, uuid.UUID]:
    with app.app_context():
        person = persons.find_by_identity_code(db(), code)
        assert person is not None
        case = db().scalar(select(Case).where(Case.person_id == person.id))
        assert case is not None
        return case.id, person.id


def _agencies(app: Flask) -> dict[str, str]:
    with app.app_context():
        return {a.code: str(a.id) for a in db().scalars(select(Agency))}


def test_an_unreachable_case_answers_exactly_like_a_missing_one(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1, person_id = _case(demo_app, P1)
    jari = signed_in(demo_app, demo_accounts, "jari")  # ngo: no part in P1's case
    missing = uuid.uuid4()
    for path in ("", "/notes/new", "/consents/new", "/disclosures/new", "/team", "/closure"):
        unreachable, absent = jari.get(f"/cases/{p1}{path}"), jari.get(f"/cases/{missing}{path}")
        assert (unreachable.status_code, absent.status_code) == (404, 404), path
        # The same page: only the address it echoes (the language form's target) differs.
        assert unreachable.text.replace(str(p1), "ID") == absent.text.replace(str(missing), "ID")
    posted = post(jari, f"/cases/{p1}/notes/new", {"body": "x"})
    assert posted.status_code == 404
    with demo_app.app_context():
        denials = (
            db()
            .scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "policy:access:denied", AuditEvent.object_id == str(p1)
                )
            )
            .all()
        )
    # Audited as denials, each naming the young person so it is in their access report.
    assert len(denials) == 7
    assert {d.subject_id for d in denials} == {person_id}
    aino = signed_in(demo_app, demo_accounts, "aino")
    report = aino.get(f"/audit/report?subject={person_id}")
    assert report.status_code == 200 and "policy:access:denied" in report.text


def test_a_closed_case_refuses_new_work_on_its_page_and_a_supervisor_reopens_it(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1, _person = _case(demo_app, P1)
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    helena = signed_in(demo_app, demo_accounts, "helena")
    assert post(sanna, f"/cases/{p1}/closure", {"outcome": "no_further_need"}).status_code == 302
    with demo_app.app_context():
        request_id = db().scalar(select(ClosureRequest.id).where(ClosureRequest.case_id == p1))
    assert post(helena, f"/cases/closures/{request_id}", {"decision": "approve"}).status_code == 302
    page = sanna.get(f"/cases/{p1}").text
    assert "The case is closed." in page and "DEMO-P1-SOS-GENERAL" in page
    assert f"/cases/{p1}/notes/new" not in page and f"/cases/{p1}/reopen" not in page
    refused = post(
        sanna,
        f"/cases/{p1}/notes/new",
        {"category": "general", "sensitivity": "normal", "body": "late note"},
        follow_redirects=True,
    )
    assert "The case is closed." in refused.text and "late note" not in refused.text
    assert "Closed cases" in sanna.get("/cases/").text
    assert sanna.get(f"/cases/{p1}/reopen").status_code == 403
    assert f"/cases/{p1}/reopen" in helena.get(f"/cases/{p1}").text
    assert helena.get(f"/cases/{p1}/reopen").status_code == 200
    assert post(helena, f"/cases/{p1}/reopen", {"reason": ""}).status_code == 400
    reopened = post(helena, f"/cases/{p1}/reopen", {"reason": "Uusi huoli koulusta"})
    assert reopened.status_code == 302
    page = sanna.get(f"/cases/{p1}").text
    assert "Uusi huoli koulusta" in page and f"/cases/{p1}/notes/new" in page


def test_the_disclosure_form_offers_only_bases_for_the_users_agency(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p1, _person = _case(demo_app, P1)
    agencies = _agencies(demo_app)
    sanna = signed_in(demo_app, demo_accounts, "sanna")  # social services
    page = sanna.get(f"/cases/{p1}/disclosures/new").text
    assert 'value="act_812_2000_18"' in page and 'value="youth_act_1285_2016_11"' in page
    assert 'value="child_welfare_417_2007_25"' not in page
    assert f'value="{agencies["ngo"]}"' not in page  # no basis of social services reaches ngo
    pekka = signed_in(demo_app, demo_accounts, "pekka")  # police
    page = pekka.get(f"/cases/{p1}/disclosures/new").text
    assert 'value="child_welfare_417_2007_25"' in page and 'value="act_812_2000_18"' not in page
    unfit = post(
        sanna,
        f"/cases/{p1}/disclosures/new",
        {
            "to_agency": agencies["nuo"],
            "basis": "act_812_2000_18",
            "categories": ["health"],
            "justification": "x",
            "expires_on": (work_day() + timedelta(days=30)).isoformat(),
        },
    )
    assert unfit.status_code == 400
    assert "This legal basis does not allow disclosure to this kind of agency." in unfit.text


def test_a_late_consent_through_the_form_shows_its_reason(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    p2, _person = _case(demo_app, P2)
    agencies = _agencies(demo_app)
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    fields = {
        "given_by": "both",
        "recipients": [agencies["ngo"]],
        "categories": ["general"],
        "purpose": "Tuki",
        "how_recorded": "written",
        "given_on": (work_day() - timedelta(days=40)).isoformat(),
    }
    refused = post(sanna, f"/cases/{p2}/consents/new", fields)
    assert refused.status_code == 400 and "say why it is recorded only now" in refused.text
    recorded = post(
        sanna, f"/cases/{p2}/consents/new", {**fields, "late_entry_reason": "Paperilomake"}
    )
    assert recorded.status_code == 302, recorded.text
    page = sanna.get(f"/cases/{p2}").text
    assert "Late entry" in page and "Paperilomake" in page
    jari = signed_in(demo_app, demo_accounts, "jari")  # on the team, not of the lead agency
    assert jari.get(f"/cases/{p2}/consents/new").status_code == 403
    p1, _ = _case(demo_app, P1)
    with demo_app.app_context():
        other = db().scalar(select(Consent.id).where(Consent.case_id == p1))
    # A consent of another case is not this case's to withdraw.
    assert sanna.get(f"/cases/{p2}/consents/{other}/withdraw").status_code == 404


def test_the_thresholds_come_from_the_configuration(
    make_app: AppFactory,
    databases: SqliteDatabases | PostgresDatabases,
    demo_template: tuple[str, list[dict[str, str]]],
    demo_accounts: dict[str, dict[str, str]],
) -> None:
    app = make_app(
        db_url=databases.new(source=demo_template[0]),
        SILTA_CONSENT_LATE_ENTRY_DAYS=10,
        SILTA_DISCLOSURE_MAX_MONTHS=1,
    )
    p2, _person = _case(app, P2)
    agencies = _agencies(app)
    sanna = signed_in(app, demo_accounts, "sanna")
    late = post(
        sanna,
        f"/cases/{p2}/consents/new",
        {
            "given_by": "both",
            "recipients": [agencies["ngo"]],
            "categories": ["general"],
            "purpose": "Tuki",
            "how_recorded": "written",
            "given_on": (work_day() - timedelta(days=15)).isoformat(),
        },
    )
    assert late.status_code == 400 and "more than 10 days ago" in late.text
    far = post(
        sanna,
        f"/cases/{p2}/disclosures/new",
        {
            "to_agency": agencies["pol"],
            "basis": "act_812_2000_18",
            "categories": ["general"],
            "justification": "x",
            "expires_on": (work_day() + timedelta(days=45)).isoformat(),
        },
    )
    assert far.status_code == 400 and "at most 1 months" in far.text


def test_thresholds_must_be_whole_positive_numbers(tmp_path: Path) -> None:
    for name in ("CONSENT_MAX_YEARS", "CONSENT_LATE_ENTRY_DAYS", "DISCLOSURE_MAX_MONTHS"):
        with pytest.raises(config.ConfigError, match=name):
            config.load(tmp_path, {f"SILTA_{name}": "0"})
    loaded = config.load(tmp_path, {})
    assert (
        loaded["SILTA_CONSENT_MAX_YEARS"],
        loaded["SILTA_CONSENT_LATE_ENTRY_DAYS"],
        loaded["SILTA_DISCLOSURE_MAX_MONTHS"],
    ) == (3, 30, 12)


def test_another_cases_consent_or_note_in_a_url_is_an_audited_404(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    """The re-attack: a consent or note id of another case answered 404 but left no trace."""
    p1, _p1_person = _case(demo_app, P1)
    p2, p2_person = _case(demo_app, P2)
    with demo_app.app_context():
        foreign_consent = db().scalar(select(Consent.id).where(Consent.case_id == p1))
        foreign_note = db().scalar(select(CaseNote.id).where(CaseNote.case_id == p1))
    assert foreign_consent is not None and foreign_note is not None
    sanna = signed_in(demo_app, demo_accounts, "sanna")  # on both teams
    withdraw = f"/cases/{p2}/consents/{foreign_consent}/withdraw"
    assert sanna.get(withdraw).status_code == 404
    assert post(sanna, withdraw, {"reason": "x"}).status_code == 404
    assert sanna.get(f"/cases/{p2}/notes/new?supersedes={foreign_note}").status_code == 404
    with demo_app.app_context():
        denials = db().scalars(
            select(AuditEvent).where(
                AuditEvent.action == "policy:access:denied",
                AuditEvent.object_id.in_([str(foreign_consent), str(foreign_note)]),
            )
        )
        seen = [(d.object_type, d.details["reason"], d.subject_id) for d in denials]
    assert sorted(seen) == [
        ("consent", "not_in_case", p2_person),
        ("consent", "not_in_case", p2_person),
        ("note", "not_in_case", p2_person),
    ]
