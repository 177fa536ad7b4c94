"""The request hooks: deny-by-default route permissions, committed audit before any response,
and security headers. They use `app.security` (who is acting) and `app.errors`
(the error page); neither of those imports this module."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, abort, current_app, g, request
from flask_login import current_user

from app.errors import render_error
from app.extensions import db, login_manager
from app.security import actor, audit_denial
from audit.events import RECORDED_FLAG
from cases.policy import decide
from cases.policy.loading import person_concerned

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


# Flask's own static-file view cannot carry attributes; it is public by nature.
PUBLIC_ENDPOINTS = frozenset({"static"})


def _enforce_route_permission() -> Response | None:
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "silta_public", False):
        return None
    permission = getattr(view, "silta_permission", None)
    if permission is None:
        current_app.logger.error("route %s declares no permission; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return cast(Response, login_manager.unauthorized())
    decision = decide(actor(), permission)
    if not decision:
        subject = person_concerned(db(), request.view_args or {})
        audit_denial(permission, decision, subject=subject)
        abort(403)
    return None


def _require_committed_audit(response: Response) -> Response:
    """No audit, no access: a response whose audit events were never committed is not sent."""
    session = g.get("db")
    if session is None or not session.info.get(RECORDED_FLAG):
        return response
    current_app.logger.error("%s recorded audit events but did not commit", request.endpoint)
    session.rollback()
    body, status = render_error(500)
    return current_app.make_response((body, status))


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Flask-WTF's HTTPS referrer check needs the referrer on same-origin posts.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SILTA_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # sessions are server-side records, checked per request
    login_manager.login_message = None
    app.before_request(_enforce_route_permission)
    app.after_request(_security_headers)
    app.after_request(_require_committed_audit)
