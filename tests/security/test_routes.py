"""Deny by default: every route declares a permission or is explicitly public, and needs login."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from tests.helpers import make_user, open_session, post

PUBLIC = {
    "static",
    "auth.login",
    "auth.code",
    "auth.enrol",
    "auth.new_password",
    "main.healthz",
    "main.accessibility",  # the accessibility statement (issue 16): no personal data
    "main.language",
    "operations.metrics",
}


def _url_for_rule(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument].__class__.__name__
        value = str(uuid.uuid4()) if converter == "UUIDConverter" else "x"
        url = url.replace(f"<{rule._converters[argument].__class__.__name__}:{argument}>", value)
        url = url.replace(f"<uuid:{argument}>", value).replace(f"<{argument}>", value)
        url = url.replace(f"<path:{argument}>", value)
    return url


def test_every_route_declares_a_permission_or_is_public(app: Flask) -> None:
    for endpoint, view in app.view_functions.items():
        declared = getattr(view, "silta_permission", None)
        public = getattr(view, "silta_public", False) or endpoint == "static"
        assert declared or public, f"{endpoint} declares no permission"
        assert not (declared and public), f"{endpoint} is both public and protected"
        if public:
            assert endpoint in PUBLIC, f"{endpoint} is public but not on the reviewed list"


def test_every_protected_route_requires_login(app: Flask) -> None:
    client = app.test_client()
    protected = [r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC]
    assert protected
    for rule in protected:
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else post(client, url, {})
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/login"), (method, url)


def test_a_route_without_a_declaration_is_refused_at_run_time(app: Flask) -> None:
    @app.get("/forgotten")
    def forgotten() -> str:
        return "personal data"

    make_user(app, "root", "admin", "tur")
    client = app.test_client()
    open_session(app, client, "root")
    response = client.get("/forgotten")
    assert response.status_code == 403 and "personal data" not in response.text


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "analyst", "auditor"])
def test_admin_pages_are_forbidden_to_other_roles(app: Flask, role: str) -> None:
    target = make_user(app, "target")
    make_user(app, "someone", role, "sos")
    client = app.test_client()
    open_session(app, client, "someone")
    for url in ["/admin/users", "/admin/agencies", f"/admin/users/{target.id}", "/admin/users/new"]:
        assert client.get(url).status_code == 403, url
    for url in [
        f"/admin/users/{target.id}/unlock",
        f"/admin/users/{target.id}/end-sessions",
        f"/admin/users/{target.id}/reset-password",
    ]:
        assert post(client, url).status_code == 403, url
    assert (
        post(client, "/admin/agencies", {"code": "x1", "name": "X", "kind": "ngo"}).status_code
        == 403
    )


def test_state_never_changes_on_get(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static"}:
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        name = rule.endpoint.split(".")[-1]
        if any(
            word in name
            for word in ("logout", "active", "unlock", "reset", "end_sessions", "language")
        ):
            assert methods == {"POST"}, rule
