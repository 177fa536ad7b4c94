"""The agency part's pages (issue 14, point 4): fresh re-authentication, the release form with no
default choice and the third-party notice, the printable page and the JSON file holding exactly
the released items, bad input answered 400 with nothing produced, the guardian version refused,
and everyone but a supervisor of an agency on the case refused and audited."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from audit.models import AuditEvent
from cases.accounts.models import User
from cases.persons import services as persons
from tests.cases.rights.scene import part_scene
from tests.factories import as_user
from tests.helpers import open_session, post

CHOICE_RE = re.compile(r'name="choice-([^"]+)"')


@pytest.fixture
def scene(app: Flask) -> dict[str, Any]:
    with app.app_context():
        ps = part_scene(db())
        db().commit()
        return {"eetu": ps.eetu.id, "bea": ps.bea.id, "sanna": ps.s.sanna.id}


def _client(app: Flask, username: str, *, fresh: bool = True) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=fresh)
    return client


def _url(person_id: uuid.UUID) -> str:
    return f"/rights/persons/{person_id}/agency-part"


def _events(app: Flask, action: str) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        return int(db().scalar(query) or 0)


def _tokens(client: FlaskClient, person_id: uuid.UUID) -> list[str]:
    page = client.get(_url(person_id))
    assert page.status_code == 200, page.text
    return sorted(set(CHOICE_RE.findall(page.text)))


def _release_all(tokens: list[str], **extra: str) -> dict[str, str]:
    data = {f"choice-{t}": "release" for t in tokens}
    data.update({"recipient": "young_person", "print_page": "1"})
    data.update(extra)
    return data


def test_without_a_fresh_password_the_page_asks_for_it(app: Flask, scene: dict[str, Any]) -> None:
    client = _client(app, "siiri", fresh=False)
    for response in (client.get(_url(scene["eetu"])), post(client, _url(scene["eetu"]), {})):
        assert response.status_code == 302
        assert "/reauthenticate" in response.location
    assert _events(app, "rights:agency-part:prepare") == 0


def test_the_form_shows_own_records_no_default_and_the_third_party_notice(
    app: Flask, scene: dict[str, Any]
) -> None:
    page = _client(app, "siiri").get(_url(scene["eetu"]))
    assert page.status_code == 200
    assert "SOS-GENERAL-A" in page.text and "SOS-SECOND-CASE-A" in page.text
    assert "POL-OFFENCE-A" not in page.text and "NUO-GENERAL-A" not in page.text
    assert "SOS-B" not in page.text
    assert "Third parties’ personal data" in page.text
    assert " checked" not in page.text  # neither recipient nor any item is chosen in advance
    assert _events(app, "rights:agency-part:prepare") == 1


def test_the_printable_page_and_the_json_hold_exactly_the_released_items(
    app: Flask, scene: dict[str, Any]
) -> None:
    client = _client(app, "siiri")
    page = client.get(_url(scene["eetu"])).text
    tokens = _tokens(client, scene["eetu"])
    # The health note's item: the choice field that follows its text on the form.
    health = CHOICE_RE.search(page, page.index("SOS-HEALTH-A"))
    assert health is not None
    withheld = {
        f"choice-{health.group(1)}": "withhold",
        f"reason-{health.group(1)}": "third_party_data",
    }
    printed = post(client, _url(scene["eetu"]), _release_all(tokens, **withheld))
    assert printed.status_code == 200, printed.text
    assert "print.css" in printed.text
    assert "SOS-GENERAL-A" in printed.text and "SOS-HEALTH-A" not in printed.text
    assert "Third party's personal data: 1" in printed.text
    data = _release_all(tokens, **withheld)
    del data["print_page"]
    data["download_json"] = "1"
    download = post(client, _url(scene["eetu"]), data)
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    document = json.loads(download.text)
    text = json.dumps(document, ensure_ascii=False)
    assert "SOS-GENERAL-A" in text and "SOS-HEALTH-A" not in text
    assert health.group(1).split(":")[1] not in text
    assert document["withheld_by_reason"] == {"third_party_data": 1}
    assert len(document["items"]) == len(tokens) - 1
    assert _events(app, "rights:agency-part:produce") == 2


@pytest.mark.parametrize("problem", ["missing", "no_reason", "forged", "no_recipient"])
def test_bad_input_is_a_clear_message_and_produces_nothing(
    app: Flask, scene: dict[str, Any], problem: str
) -> None:
    client = _client(app, "petri")
    tokens = _tokens(client, scene["eetu"])
    data = _release_all(tokens)
    message = "Choose for every item whether to release or withhold it."
    if problem == "missing":
        del data[f"choice-{tokens[0]}"]
    elif problem == "no_reason":
        data[f"choice-{tokens[0]}"] = "withhold"
        message = "A withheld item needs a reason from the list."
    elif problem == "forged":
        # An item of the other young person's part, which petri may produce as well.
        data[f"choice-{_tokens(client, scene['bea'])[0]}"] = "release"
        message = "The form named an item that is not in your agency"
    else:
        del data["recipient"]
        message = "Choose who receives the report."
    response = post(client, _url(scene["eetu"]), data)
    assert response.status_code == 400
    assert message in response.text
    assert "POL-OFFENCE-A" in response.text  # the form again, with the choices to correct
    assert _events(app, "rights:agency-part:produce") == 0


def test_no_guardian_version_for_a_young_person_who_forbids_it(
    app: Flask, scene: dict[str, Any]
) -> None:
    with app.app_context():
        eetu, sanna = persons.get_person(db(), scene["eetu"]), db().get(User, scene["sanna"])
        assert eetu is not None and sanna is not None
        details = persons.current_details(db(), eetu)
        assert details is not None
        forbids = dataclasses.replace(details, forbids_guardian_disclosure=True)
        persons.update(db(), as_user(sanna), eetu, forbids)
        db().commit()
    client = _client(app, "petri")
    tokens = _tokens(client, scene["eetu"])
    response = post(client, _url(scene["eetu"]), _release_all(tokens, recipient="guardian"))
    assert response.status_code == 403
    assert "no guardian version of the report is produced" in response.text
    assert _events(app, "rights:agency-part:produce") == 0
    assert _events(app, "rights:agency-part:refuse") == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("sanna", 403),  # a caseworker
        ("aino", 403),  # the auditor
        ("ylva", 403),  # an admin
        ("timo", 403),  # an analyst
        ("jaana", 404),  # a supervisor of an agency on none of the cases
    ],
)
def test_everyone_else_is_refused_and_audited(
    app: Flask, scene: dict[str, Any], username: str, status: int
) -> None:
    client = _client(app, username)
    denied = _events(app, "policy:access:denied")
    for response in (client.get(_url(scene["eetu"])), post(client, _url(scene["eetu"]), {})):
        assert response.status_code == status
        assert "Virtanen" not in response.text
    assert _events(app, "policy:access:denied") == denied + 2
    assert _events(app, "rights:agency-part:prepare") == 0


def test_the_person_page_links_to_the_part_for_supervisors(
    app: Flask, scene: dict[str, Any]
) -> None:
    link = _url(scene["eetu"])
    assert link in _client(app, "siiri").get(f"/persons/{scene['eetu']}").text
    assert link not in _client(app, "sanna").get(f"/persons/{scene['eetu']}").text
