"""Start page, language choice, accessibility statement and health check."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.i18n import LANGUAGE_COOKIE, LANGUAGES
from app.security import actor, public, requires, safe_next
from cases.accounts import signin
from cases.policy import Permission, decide
from core.db import database_answers

bp = Blueprint("main", __name__)

#: When the accessibility statement was last reviewed against the service (Act 306/2019
#: asks the statement to say so); change it with the statement.
ACCESSIBILITY_REVIEWED = date(2026, 12, 8)


def may_open(endpoint: str) -> bool:
    """Tell whether the signed-in user may open a page, by its route's permission (a role
    decision, no database work): a breadcrumb links only where it leads somewhere."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    if getattr(view, "silta_public", False):
        return True
    permission = getattr(view, "silta_permission", None)
    if permission is None or not current_user or not current_user.is_authenticated:
        return False
    return decide(actor(), permission).allowed


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"may_open": may_open}


@bp.get("/")
@requires(Permission.DASHBOARD_VIEW)
def index() -> str:
    user = actor()
    may_administer = decide(user, Permission.USER_LIST).allowed
    may_audit = decide(user, Permission.AUDIT_LOG_READ).allowed
    may_use_register = decide(user, Permission.PERSON_SEARCH).allowed
    may_release = decide(user, Permission.CREDENTIAL_PENDING_LIST).allowed
    return render_template(
        "main/index.html",
        user=user,
        may_release=may_release,
        may_administer=may_administer,
        may_audit=may_audit,
        may_use_register=may_use_register,
    )


@bp.get("/accessibility")
@public
def accessibility() -> str:
    """The accessibility statement (issue 16; Act 306/2019): public, no personal data."""
    contact = current_app.config.get("SILTA_ACCESSIBILITY_CONTACT")
    return render_template(
        "main/accessibility.html",
        contact=contact,
        contact_is_mail=bool(contact) and not str(contact).startswith("https://"),
        reviewed=ACCESSIBILITY_REVIEWED,
    )


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """Answer the load balancer: is the database reachable? No login, no data."""
    if not database_answers(db()):
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200


@bp.post("/language")
@public
def language() -> Response:
    choice = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("main.index"))
    response = redirect(target)
    if choice not in LANGUAGES:
        return response
    if current_user.is_authenticated:
        signin.set_locale(db(), actor(), choice)
        db().commit()
    response.set_cookie(
        LANGUAGE_COOKIE,
        choice,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
