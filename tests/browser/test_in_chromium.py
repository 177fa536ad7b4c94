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

from app.extensions import db
from cases.casework import services as casework
from cases.persons import services as persons
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


def test_a_referral_from_police_is_acknowledged_and_accepted_by_social_services(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    demo_app: Flask,
    demo_accounts: dict[str, dict[str, str]],
) -> None:
    with demo_app.app_context():
        person = persons.find_by_identity_code(db(), "140310A1230")
        assert person is not None
        case = casework.first_case(db(), person)
        assert case is not None
        case_id = case.id
    # pekka (pol, on P1's team) sends a referral to sos from the case page.
    _sign_in(page, live_url, demo_accounts["pekka"], "pekka")
    page.goto(f"{live_url}/cases/{case_id}")
    page.get_by_role("link", name="Lähetä ohjaus").click()
    page.get_by_label("Vastaanottava organisaatio").select_option(
        label="Helsingin kaupunki, sosiaalipalvelut"
    )
    page.get_by_label("Mitä jaetaan").select_option("general")
    page.get_by_label("Kiireellisyys").select_option("urgent")
    page.get_by_label("Syy", exact=True).fill(
        "Eetu tarvitsee tukea koulunkäyntiin. BROWSER-REFERRAL"
    )
    page.get_by_role("button", name="Lähetä", exact=True).click()
    assert "Ohjaus lähetettiin." in page.content()
    # sanna (sos), in a browser of her own, finds it in her agency's inbox, acknowledges and
    # accepts it.
    context = page.context.browser.new_context(locale="fi-FI")
    sanna = context.new_page()
    _sign_in(sanna, live_url, demo_accounts["sanna"], "sanna")
    sanna.get_by_role("link", name="Saapuneet").first.click()
    sanna.get_by_role("link", name="Esimerkki, Eetu").first.click()
    assert "BROWSER-REFERRAL" in sanna.content()
    sanna.get_by_role("button", name="Kuittaa").click()
    assert "Ohjaus kuitattiin." in sanna.content()
    sanna.get_by_role("button", name="Ota vastaan").click()
    assert "Ohjaus otettiin vastaan." in sanna.content()
    context.close()
    # pekka sees the change among his notifications: the header counts it, the list names it
    # (with no personal data), and it opens the referral in its new state.
    page.goto(f"{live_url}/")
    assert "lukematonta" in page.get_by_role("link", name="Ilmoitukset").inner_text()
    page.get_by_role("link", name="Ilmoitukset").click()
    accepted = page.locator("li.unread", has_text="ohjaus otettiin vastaan")
    assert "Eetu" not in page.locator("ul.notifications").inner_text()
    accepted.get_by_role("button", name="Avaa ohjaus").click()
    assert "Otettu vastaan" in page.content() and "BROWSER-REFERRAL" in page.content()
    assert page.csp_errors == []


def test_helena_approves_m1_and_noora_finds_her_action_item(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    demo_accounts: dict[str, dict[str, str]],
) -> None:
    # helena (sos supervisor, not M1's chair) opens her review queue and reads M1's minutes.
    _sign_in(page, live_url, demo_accounts["helena"], "helena")
    page.get_by_role("link", name="Tarkastusjono").click()
    page.get_by_role("link", name="M1 – Ankkuri-tiimin verkostokokous").first.click()
    minutes = page.content()
    assert "DEMO-M1-P1-GENERAL" in minutes and "DEMO-M1-P1-EDUCATION" in minutes
    assert "DEMO-A1-P1-GENERAL" in minutes
    page.get_by_role("button", name="Hyväksy pöytäkirja").click()
    assert "Pöytäkirja hyväksyttiin." in page.content()
    # The approved minutes offer no edit control of any kind; corrections are addenda.
    for control in (
        "Hyväksy pöytäkirja",
        "Palauta pöytäkirja",
        "Tallenna kirjaus",
        "Lisää toimenpide",
        "Kirjaa läsnäolo",
        "Lähetä pöytäkirja hyväksyttäväksi",
    ):
        assert page.get_by_role("button", name=control).count() == 0, control
    assert "Pöytäkirja hyväksytty" in page.content()
    # noora (nuo) finds the action item the meeting gave her on her task list.
    context = page.context.browser.new_context(locale="fi-FI")
    noora = context.new_page()
    _sign_in(noora, live_url, demo_accounts["noora"], "noora")
    noora.get_by_role("link", name="Omat tehtävät").click()
    assert "DEMO-A1-P1-GENERAL" in noora.content()
    context.close()


def test_timo_changes_the_breakdown_and_downloads_the_statistics_csv(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    demo_accounts: dict[str, dict[str, str]],
) -> None:
    # The test app protects a year on its first view (conftest: SILTA_STATISTICS_PROTECT=on_view);
    # on a loaded CI worker that takes longer than Playwright's 30 s default for a navigation.
    page.set_default_timeout(300_000)
    _sign_in(page, live_url, demo_accounts["timo"], "timo")
    # The nav link by its address: its Finnish label ("Tilastot") comes with the translations.
    page.locator('nav a[href="/statistics"]').click()
    assert page.locator("#statistics-table").count() == 1
    # The page opens on the last complete calendar year; the demo's facts cover two.
    last = int(page.locator("#last_year").input_value())
    assert page.locator("#first_year").input_value() == str(last)
    page.fill("#first_year", str(last - 1))
    page.select_option("#breakdown", "concern")
    page.locator("#statistics-show").click()
    assert "breakdown=concern" in page.url and f"first_year={last - 1}" in page.url
    table = page.locator("#statistics-table")
    assert table.locator("caption").count() == 1 and table.locator("tbody tr").count() == 24
    # The chart loads on its own request: wait until the image has decoded with a size.
    chart = page.locator(".statistics-chart img")
    assert chart.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    with page.expect_download() as download_info:
        page.locator("#statistics-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "period,concern,count,suppressed"
    assert page.csp_errors == []


# --- the young person's summary (issue 14, point 5): accessibility and one printed page ------

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
needs_axe = pytest.mark.skipif(
    not AXE.exists(), reason="axe-core is not installed: `make test` installs it with npm"
)
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
  return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}));
}"""
SUMMARY_TITLE = {
    "fi": "Mitä sinusta jaetaan",
    "sv": "Vad som delas om dig",
    "en": "What is shared about you",
}


def _p1_case_id(demo_app: Flask) -> object:
    with demo_app.app_context():
        person = persons.find_by_identity_code(db(), "140310A1230")
        assert person is not None
        case = casework.first_case(db(), person)
        assert case is not None
        return case.id


@needs_axe
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_young_persons_summary_has_no_wcag_violations(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    demo_app: Flask,
    demo_accounts: dict[str, dict[str, str]],
    lang: str,
) -> None:
    case_id = _p1_case_id(demo_app)
    # axe is injected as a script of its own, which the site's CSP rightly forbids: this
    # context alone lets it in (the other tests check that the CSP holds).
    context = page.context.browser.new_context(locale="fi-FI", bypass_csp=True)
    checked = context.new_page()
    _sign_in(checked, live_url, demo_accounts["sanna"], "sanna")
    # The case page links to it; the interface stays Finnish whatever the sheet's language.
    checked.goto(f"{live_url}/cases/{case_id}")
    checked.get_by_role("link", name="Yhteenveto nuorelle").click()
    checked.get_by_label("Yhteenvedon kieli").select_option(lang)
    checked.get_by_role("button", name="Näytä").click()
    assert f"lang={lang}" in checked.url
    sheet = checked.locator("article.youth-summary")
    assert sheet.get_attribute("lang") == lang
    assert checked.locator("h1").inner_text() == SUMMARY_TITLE[lang]
    checked.add_script_tag(path=str(AXE))
    assert checked.evaluate(AXE_RUN) == []
    context.close()


def test_the_summary_prints_on_one_page(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    demo_app: Flask,
    demo_accounts: dict[str, dict[str, str]],
) -> None:
    case_id = _p1_case_id(demo_app)
    _sign_in(page, live_url, demo_accounts["sanna"], "sanna")
    page.goto(f"{live_url}/cases/{case_id}/summary?lang=fi&audience=guardian")
    page.emulate_media(media="print")
    assert page.locator("form.summary-choice").is_hidden()
    assert page.locator(".site-header").is_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    # Each page of the PDF is one "/Type /Page" object (the page tree is "/Type /Pages").
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    assert page.csp_errors == []


# --- the accessibility statement (issue 16, point 4) ------------------------------------------


@needs_axe
@pytest.mark.parametrize("locale", ["fi-FI", "sv-FI", "en-GB"])
def test_the_accessibility_statement_has_no_wcag_violations(
    live_url: str,
    page,  # type: ignore[no-untyped-def]
    locale: str,
) -> None:
    # Reached from the sign-in page's footer, as a user would; bypass_csp for axe alone.
    context = page.context.browser.new_context(locale=locale, bypass_csp=True)
    checked = context.new_page()
    errors: list[str] = []
    checked.on("console", lambda m: m.type == "error" and errors.append(m.text))
    checked.goto(f"{live_url}/login")
    checked.locator("footer.site-footer a").click()
    assert checked.url == f"{live_url}/accessibility"
    assert checked.locator("html").get_attribute("lang") == locale[:2]
    checked.add_script_tag(path=str(AXE))
    assert checked.evaluate(AXE_RUN) == []
    assert errors == []
    context.close()
