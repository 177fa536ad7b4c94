"""The demo in a real browser: Debian's Chromium driven by Playwright against a live server.

Skipped with a reason when Chromium or Playwright is missing; `.ci/run` installs Chromium.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.helpers import b32_secret, code_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed: browser tests skipped"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(demo_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(locale="fi-FI")
        page = context.new_page()
        page.csp_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda m: m.type == "error" and page.csp_errors.append(m.text))  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def _sign_in(page, base: str, account: dict[str, str], username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(account["password"])
    page.get_by_role("button", name="Jatka").click()
    page.get_by_label("Kuusinumeroinen koodi").fill(code_for(b32_secret(account["totp_secret"])))
    page.get_by_role("button", name="Kirjaudu").click()


def test_demo_login_in_finnish_with_totp(
    live_url: str,
    page,
    demo_accounts: dict[str, dict[str, str]],
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(f"{live_url}/login")
    assert page.locator("h1").inner_text() == "Kirjaudu Siltaan"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor")
        != "rgba(0, 0, 0, 0)"
    )
    page.screenshot(path=str(tmp_path / "login.png"))
    _sign_in(page, live_url, demo_accounts["sanna"], "sanna")
    assert "Tervetuloa, Sanna Saarinen" in page.locator("h1").inner_text()
    assert page.csp_errors == []


def test_auditor_verifies_the_log_from_the_integrity_panel(
    live_url: str,
    page,
    demo_accounts: dict[str, dict[str, str]],  # type: ignore[no-untyped-def]
) -> None:
    _sign_in(page, live_url, demo_accounts["aino"], "aino")
    page.get_by_role("link", name="Käyttöloki").first.click()
    table = page.locator("table.events").inner_text()
    assert "cli:demo:seed" in table and "auth:login:succeeded" in table and "user:aino" in table
    page.goto(f"{live_url}/audit/integrity")
    assert "Ei vielä tarkistettu" in page.content()
    page.get_by_role("button", name="Tarkista koko loki nyt").click()
    assert "Loki on eheä" in page.content()
    assert page.csp_errors == []
