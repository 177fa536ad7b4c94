"""Error pages without tracebacks or personal data, and the application-log side of errors."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.security import audit_denial
from cases.policy import PolicyDenied, Reason

MESSAGES = {
    400: _l("The request could not be understood. Check what you entered and try again."),
    403: _l("You do not have access to this page."),
    404: _l("The page was not found."),
    405: _l("That action is not allowed here."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved. Try again later."),
    503: _l("This page is not ready yet. Try again in a few minutes."),
}
TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    413: _l("Too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Not ready yet"),
}


def render_error(code: int, message: object | None = None) -> tuple[str, int]:
    try:
        page = render_template(
            "error.html",
            code=code,
            title=TITLES.get(code, TITLES[500]),
            message=message or MESSAGES.get(code, MESSAGES[500]),
        )
    except Exception as exc:
        current_app.logger.error("error page failed to render: %s", type(exc).__name__)
        page = f"<!doctype html><title>Silta</title><h1>{code}</h1>"
    return page, code


def _http_error(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    if code in (404, 405, 413, 429):
        # Routing misses and rate limits belong in the application log, not the audit log.
        current_app.logger.info("%s %s answered %d", request.method, request.endpoint, code)
    if code not in MESSAGES:
        code = 400 if 400 <= code < 500 else 500
    return render_error(code)


def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    current_app.logger.info("CSRF failure on %s: %s", request.endpoint, exc.description)
    return render_error(
        400, _l("The form has expired or was not sent from Silta. Reload the page and try again.")
    )


def _unexpected(exc: Exception) -> tuple[str, int]:
    # Only the exception type reaches the log: messages may quote submitted personal data.
    current_app.logger.error("unhandled %s on %s", type(exc).__name__, request.endpoint)
    db().rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(Exception, _unexpected)
    init_policy_errors(app)


def _policy_denied(exc: Exception) -> tuple[str, int]:
    assert isinstance(exc, PolicyDenied)  # noqa: S101 - registered for PolicyDenied only
    audit_denial(
        exc.permission, exc.decision, exc.object_type, exc.object_id, subject=exc.subject_id
    )
    if exc.decision.reason in (Reason.NOT_VISIBLE, Reason.NOT_ON_TEAM):
        # A person the user may not see answers exactly like one that does not exist.
        return render_error(404)
    return render_error(403)


def init_policy_errors(app: Flask) -> None:
    app.register_error_handler(PolicyDenied, _policy_denied)
