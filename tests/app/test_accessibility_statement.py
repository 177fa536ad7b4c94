"""The accessibility statement (issue 16, point 4; Act 306/2019): public, in fi, sv and en,
naming WCAG 2.1 AA and how to give feedback, and linked from every page's footer."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.config import ConfigError, load
from app.extensions import db
from audit.models import AuditEvent
from tests.conftest import AppFactory
from tests.helpers import open_session

# Written here, not read from the catalogues: a missing or wrong translation fails.
TITLES = {
    "en": "Accessibility statement",
    "fi": "Saavutettavuusseloste",
    "sv": "Tillgänglighetsutlåtande",
}
FEEDBACK = {"en": "Feedback", "fi": "Palaute", "sv": "Respons"}


def _events(app: Flask) -> int:
    with app.app_context():
        return int(db().scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_the_statement_is_public_in_each_language(app: Flask, language: str) -> None:
    before = _events(app)
    page = app.test_client().get("/accessibility", headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert f"<h1>{TITLES[language]}</h1>" in page.text
    assert FEEDBACK[language] in page.text
    assert "WCAG" in page.text and "2.1" in page.text and "AA" in page.text
    assert "306/2019" in page.text
    assert 'href="https://www.saavutettavuusvaatimukset.fi/"' in page.text
    assert _events(app) == before  # nothing personal is read: nothing to audit


@pytest.mark.parametrize("path", ["/login", "/accessibility", "/no-such-page"])
def test_every_page_links_to_it_from_its_footer(app: Flask, path: str) -> None:
    page = app.test_client().get(path, headers={"Accept-Language": "fi"})
    footer = page.text.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
    assert '<a href="/accessibility">Saavutettavuusseloste</a>' in footer


def test_a_signed_in_page_links_to_it_too(demo_app: Flask) -> None:
    client = demo_app.test_client()
    open_session(demo_app, client, "sanna", reauthenticated=False)
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/accessibility"' in page.text.split('<footer class="site-footer">', 1)[1]


def test_without_a_contact_it_names_the_users_administrator(app: Flask) -> None:
    page = app.test_client().get("/accessibility", headers={"Accept-Language": "en"})
    assert "s Silta administrator." in page.text and "Contact your organisation" in page.text
    assert "mailto:" not in page.text


@pytest.mark.parametrize(
    ("contact", "link"),
    [
        ("saavutettavuus@kaupunki.example", 'href="mailto:saavutettavuus@kaupunki.example"'),
        ("https://kaupunki.example/palaute", 'href="https://kaupunki.example/palaute"'),
    ],
)
def test_a_configured_contact_is_a_link(make_app: AppFactory, contact: str, link: str) -> None:
    app = make_app(SILTA_ACCESSIBILITY_CONTACT=contact)
    page = app.test_client().get("/accessibility")
    assert link in page.text


@pytest.mark.parametrize(
    "bad", ["not an address", "javascript:alert(1)", "http://plain.example/form", "@", "a@"]
)
def test_a_contact_that_is_neither_mail_nor_https_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="SILTA_ACCESSIBILITY_CONTACT"):
        load(tmp_path, {"SILTA_ACCESSIBILITY_CONTACT": bad})
