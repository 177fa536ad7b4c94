"""Headers, CSRF, error pages, health check and bad input that must never become a 500."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.helpers import csrf_token, make_user, open_session, post


def test_security_headers_on_pages(app: Flask) -> None:
    response = app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_no_inline_script_or_style_in_templates(app: Flask) -> None:
    import pathlib
    import re

    root = pathlib.Path(app.root_path) / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text and "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_production_headers_and_cookie(make_app, tmp_path) -> None:
    from app.config import load

    # Serving checks are covered in test_config; here only what production serves matters.
    production = load(tmp_path, {"SILTA_ENV": "production"})
    app = make_app()
    app.config.update(
        SILTA_ENV="production",
        SESSION_COOKIE_NAME=production["SESSION_COOKIE_NAME"],
        SESSION_COOKIE_SECURE=production["SESSION_COOKIE_SECURE"],
    )
    response = app.test_client().get("/login", base_url="https://silta.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Domain" not in cookie


def test_development_cookie_is_unprefixed(app: Flask) -> None:
    cookie = app.test_client().get("/login").headers["Set-Cookie"]
    assert cookie.startswith("silta_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_is_required_on_every_form(app: Flask) -> None:
    make_user(app, "sanna")
    client = app.test_client()
    response = client.post("/login", data={"username": "sanna", "password": "x"})
    assert response.status_code == 400 and "form has expired" in response.text
    open_session(app, client, "sanna")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_health_check_needs_no_login_and_shows_no_data(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_health_check_reports_an_unreachable_database(make_app, tmp_path) -> None:
    app = make_app(db_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json == {"status": "unavailable"}


@pytest.mark.parametrize(
    ("method", "path", "status", "text"),
    [
        ("get", "/no/such/page", 404, "page was not found"),
        ("put", "/login", 405, "not allowed"),
        ("delete", "/logout", 405, "not allowed"),
    ],
)
def test_error_pages(app: Flask, method: str, path: str, status: int, text: str) -> None:
    response = getattr(app.test_client(), method)(path)
    assert response.status_code == status and text in response.text
    assert "Traceback" not in response.text


def test_oversized_body_is_413(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login", data={"csrf_token": token, "username": "x" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413 and "too large" in response.text


def test_overlong_and_missing_fields_are_400(app: Flask) -> None:
    client = app.test_client()
    assert post(client, "/login", {"username": "x" * 65, "password": "y"}).status_code == 400
    missing = post(client, "/login", {})
    assert missing.status_code == 400 and "Enter your username." in missing.text


def test_non_utf8_body_and_wrong_content_type(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    raw = b"csrf_token=" + token.encode() + b"&username=\xff\xfe\xfa&password=\xc3\x28"
    response = client.post("/login", data=raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {400, 401}
    as_json = client.post("/login", json={"username": "a", "password": "b"})
    assert as_json.status_code == 400
    garbage = client.post(
        "/login", data=b"\x00\x01", content_type="multipart/form-data; boundary=zz"
    )
    assert garbage.status_code == 400


def test_unexpected_errors_give_a_plain_500(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("Eetu Esimerkki 140310A1230")

    boom.silta_public = True
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Eetu" not in response.text and "Traceback" not in response.text


def test_language_choice(app: Flask) -> None:
    client = app.test_client()
    response = post(client, "/language", {"lang": "fi", "next": "/login"})
    assert response.location == "/login"
    assert "Kirjaudu" in client.get("/login").text
    assert post(client, "/language", {"lang": "xx", "next": "//evil.example"}).location == "/"
    make_user(app, "sanna")
    open_session(app, client, "sanna")
    post(client, "/language", {"lang": "sv"})
    fresh = app.test_client()
    open_session(app, fresh, "sanna")
    assert 'lang="sv"' in fresh.get("/").text


def test_browser_language_is_used(app: Flask) -> None:
    page = app.test_client().get("/login", headers={"Accept-Language": "fi-FI,fi;q=0.9"})
    assert 'lang="fi"' in page.text and "Kirjaudu" in page.text
    english = app.test_client().get("/login", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.text
