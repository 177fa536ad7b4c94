"""The register through its pages: forms, visibility (404 for other agencies), search as POST,
duplicate warnings, the auditor's look-up, and no plaintext where it must not go."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from audit.models import AuditEvent
from cases.persons import services as persons
from tests.helpers import make_user, open_session, post

FORM = {
    "given_names": "Salla Maria",
    "surname": "Salaperäinen",
    "birth_date": "2010-03-14",
    "identity_code": "140310A1230",
    "municipality": "Helsinki",
    "postal_code": "00100",
    "phone": "+358 40 765 4321",
    "email": "salla@example.fi",
    "guardian1_name": "Sirpa Salaperäinen",
    "guardian1_contact": "040 111 2222",
    "guardian2_name": "",
    "guardian2_contact": "",
    "mother_tongue": "sv",
}
SECRETS = ["Salaperäinen", "Salla", "140310A1230", "salla@example.fi", "765 4321", "Sirpa"]


@pytest.fixture
def site(app: Flask) -> Flask:
    make_user(app, "sanna", "caseworker", "sos")
    make_user(app, "helena", "supervisor", "sos")
    make_user(app, "noora", "caseworker", "nuo")
    make_user(app, "aino", "auditor", "tur")
    make_user(app, "timo", "analyst", "tur")
    make_user(app, "admin", "admin", "tur")
    return app


def client_for(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username)
    return client


def register(app: Flask, **changes: str) -> str:
    client = client_for(app, "sanna")
    response = post(client, "/persons/new", {**FORM, **changes})
    assert response.status_code == 302, response.text
    return response.location.rsplit("/", 1)[-1]


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db().scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_register_view_edit_and_history(site: Flask) -> None:
    person_id = register(site)
    client = client_for(site, "helena")
    page = client.get(f"/persons/{person_id}")
    assert page.status_code == 200
    for text in [
        "Salaperäinen, Salla Maria",
        "140310A1230",
        "Sirpa Salaperäinen (040 111 2222)",
        "Swedish",
    ]:
        assert text in page.text
    edit = client.get(f"/persons/{person_id}/edit")
    assert 'value="Salaperäinen"' in edit.text
    saved = post(client, f"/persons/{person_id}/edit", {**FORM, "municipality": "Vantaa"})
    assert saved.status_code == 302
    assert "Vantaa" in client.get(f"/persons/{person_id}").text
    history = client.get(f"/persons/{person_id}/history").text
    assert "Municipality" in history and "Registered" in history
    reads = _events(site, "person:read")
    assert {e.details["view"] for e in reads} >= {"details", "history"}
    assert all(e.subject_id == uuid.UUID(person_id) for e in reads)


def _comparable(page: str, person_id: str) -> str:
    # The CSRF token differs per response; everything else must be the same.
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.replace(person_id, "ID"))


def test_other_agencies_get_404_and_the_denial_is_audited(site: Flask) -> None:
    person_id = register(site)
    client = client_for(site, "noora")
    missing_id = str(uuid.uuid4())
    for suffix in ("", "/history", "/edit"):
        response = client.get(f"/persons/{person_id}{suffix}")
        missing = client.get(f"/persons/{missing_id}{suffix}")
        assert response.status_code == missing.status_code == 404
        assert _comparable(response.text, person_id) == _comparable(missing.text, missing_id)
    posted = post(client, f"/persons/{person_id}/edit", {**FORM, "surname": ""})
    assert posted.status_code == 404
    denials = _events(site, "policy:access:denied")
    assert len(denials) == 4 and {d.details["reason"] for d in denials} == {"not_visible"}
    assert {d.object_id for d in denials} == {person_id}


def test_denials_about_a_person_appear_in_their_access_report(site: Flask) -> None:
    person_id = register(site)
    noora = client_for(site, "noora")
    for suffix in ("", "/history", "/edit"):
        assert noora.get(f"/persons/{person_id}{suffix}").status_code == 404
    assert post(noora, f"/persons/{person_id}/edit", FORM).status_code == 404
    missing_id = uuid.uuid4()
    assert noora.get(f"/persons/{missing_id}").status_code == 404
    report = client_for(site, "aino").get(f"/audit/report?subject={person_id}")
    assert report.status_code == 200
    rows = [row for row in report.text.split("<tr") if "policy:access:denied" in row]
    assert len(rows) == 4 and all("user:noora" in row for row in rows)
    denials = _events(site, "policy:access:denied")
    assert {d.subject_id for d in denials} == {uuid.UUID(person_id)}
    assert {(d.object_type, d.object_id) for d in denials} == {("person", person_id)}
    assert {d.details["permission"] for d in denials} == {"person:read", "person:update"}


@pytest.mark.parametrize("username", ["aino", "timo", "admin"])
def test_non_practitioners_have_no_register(site: Flask, username: str) -> None:
    person_id = register(site)
    client = client_for(site, username)
    for url in [
        "/persons/",
        "/persons/new",
        f"/persons/{person_id}",
        f"/persons/{person_id}/history",
    ]:
        assert client.get(url).status_code == 403, url
    assert "Young people" not in client.get("/").text


def test_search_is_a_post_and_sees_only_visible_persons(site: Flask) -> None:
    person_id = register(site)
    sanna, noora = client_for(site, "sanna"), client_for(site, "noora")
    hit = post(sanna, "/persons/", {"by": "code", "code-identity_code": "140310a1230"})
    assert hit.status_code == 200 and f"/persons/{person_id}" in hit.text
    by_name = post(
        sanna,
        "/persons/",
        {"by": "name", "name-surname": "salaperäinen", "name-birth_date": "2010-03-14"},
    )
    assert f"/persons/{person_id}" in by_name.text
    for data in (
        {"by": "code", "code-identity_code": "140310A1230"},
        {"by": "name", "name-surname": "Salaperäinen", "name-birth_date": "2010-03-14"},
    ):
        blind = post(noora, "/persons/", data)
        assert blind.status_code == 200 and "No young person found." in blind.text
        assert person_id not in blind.text
    searches = _events(site, "person:search")
    assert sorted(e.details["hits"] for e in searches) == [0, 0, 1, 1]


def test_an_invalid_code_is_a_field_error_and_changes_nothing(site: Flask) -> None:
    client = client_for(site, "sanna")
    response = post(client, "/persons/new", {**FORM, "identity_code": "140310A1231"})
    assert response.status_code == 400
    assert "This is not a valid personal identity code." in response.text
    mismatch = post(client, "/persons/new", {**FORM, "birth_date": "2010-03-15"})
    assert "does not match the personal identity code" in mismatch.text
    bad_search = post(client, "/persons/", {"by": "code", "code-identity_code": "abc"})
    assert bad_search.status_code == 400 and "not a valid personal identity code" in bad_search.text
    assert _events(site, "person:create") == [] and _events(site, "person:search") == []


def test_duplicate_warning_then_confirmation(site: Flask) -> None:
    first = register(site)
    client = client_for(site, "helena")
    warned = post(client, "/persons/new", {**FORM, "identity_code": ""})
    assert warned.status_code == 409 and "may already be registered" in warned.text
    assert f"/persons/{first}" in warned.text
    confirmed = post(
        client, "/persons/new", {**FORM, "identity_code": "", "confirm_duplicate": "y"}
    )
    assert confirmed.status_code == 302
    # Another agency registers the same code without any warning.
    other = post(client_for(site, "noora"), "/persons/new", FORM)
    assert other.status_code == 302


def test_auditor_finds_a_person_by_code_for_the_access_report(site: Flask) -> None:
    person_id = register(site)
    client = client_for(site, "aino")
    found = post(client, "/audit/report/lookup", {"identity_code": "140310A1230"})
    assert found.status_code == 302 and f"subject={person_id}" in found.location
    assert "140310" not in found.location
    report = client.get(found.location)
    assert report.status_code == 200 and "person:create" in report.text
    unknown = post(
        client, "/audit/report/lookup", {"identity_code": "131052-308T"}, follow_redirects=True
    )
    assert "No person with this identity code is registered." in unknown.text
    invalid = post(client, "/audit/report/lookup", {"identity_code": "nope"})
    assert invalid.status_code == 400
    assert (
        post(
            client_for(site, "sanna"), "/audit/report/lookup", {"identity_code": "140310A1230"}
        ).status_code
        == 403
    )
    assert [e.details["hits"] for e in _events(site, "audit:person:lookup")] == [1, 0]


def test_no_plaintext_in_logs_audit_or_error_pages(
    site: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(site, "sanna")
    # Bad input: the form comes back with the user's own entries (that is the form, not an
    # error page), while logs and the audit log must stay clean.
    provoked = [
        post(client, "/persons/new", {**FORM, "identity_code": "140310A1231"}).status_code,
        post(client, "/persons/", {"by": "code", "code-identity_code": "140310A1230"}).text,
        post(
            client,
            "/persons/",
            {"by": "name", "name-surname": "Salaperäinen", "name-birth_date": "x"},
        ).text,
    ]

    def exploding(*args: object, **kwargs: object) -> None:
        details = args[2]
        raise RuntimeError(f"could not store {details.surname} {details.identity_code}")  # type: ignore[attr-defined]

    monkeypatch.setattr(persons, "register", exploding)
    crashed = post(client, "/persons/new", FORM)
    assert crashed.status_code == 500
    assert provoked[0] == 400
    error_pages = [crashed.text, client.get(f"/persons/{uuid.uuid4()}?q=140310A1230").text]
    with site.app_context():
        audit_text = " ".join(
            repr((e.details, e.object_id, e.bases, e.actor_label))
            for e in db().scalars(select(AuditEvent))
        )
    scanned = caplog.text + audit_text + " ".join(error_pages)
    for secret in SECRETS:
        assert secret not in scanned, secret
        assert secret.lower() not in scanned.lower() or secret.isdigit(), secret
    assert not re.search(r"Traceback", crashed.text)
