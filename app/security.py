"""What routes declare and use: `requires`/`public`, the signed-in principal, re-authentication,
the audit context and the audit of a denial. The hooks that enforce them are `app.guards`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from flask_login import current_user

from app.extensions import db, login_manager, silta
from audit.events import RECORDED_FLAG, Action, AuditContext, Outcome, record
from cases.accounts import signin
from cases.accounts.models import User, UserSession
from cases.policy import Decision, Permission

F = TypeVar("F", bound=Callable[..., Any])
#: Where the request keeps the signed-in account's id for its log line (app.operations.logs).
USER_ID = "silta_user_id"


class SignedInUser:
    """The flask-login principal: a live server-side session and its user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, token: str, user_session: UserSession) -> None:
        self.token = token
        self.session = user_session

    @property
    def user(self) -> User:
        return self.session.user

    def get_id(self) -> str:
        return self.token


def public(view: F) -> F:
    """Mark a view as reachable without signing in (login, health check)."""
    view.silta_public = True  # type: ignore[attr-defined]  # a marker read by the route guard
    return view


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare the permission a route needs; a route without one is refused."""

    def mark(view: F) -> F:
        view.silta_permission = permission  # type: ignore[attr-defined]  # read by the route guard
        return view

    return mark


def fresh_required(view: F) -> F:
    """Ask for the password again unless it was entered on the re-authentication page within
    the window (signing in does not count)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        principal = cast(SignedInUser, current_user)
        if not signin.is_fresh(principal.session, silta().auth):
            # After re-authenticating, a GET comes back to itself; a form post to its page.
            back = request.full_path if request.method == "GET" else _referrer_path()
            return redirect(url_for("auth.reauthenticate", next=back))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def _referrer_path() -> str:
    parts = urlsplit(request.referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def actor() -> User:
    """The signed-in user, as services and the policy expect."""
    return cast(SignedInUser, current_user).user


def audit_context() -> AuditContext:
    """Who is acting in this request, for the audit log."""
    who = actor() if current_user and current_user.is_authenticated else None
    return AuditContext(who, g.get("request_id"), request.remote_addr)


def audit_denial(
    permission: Permission,
    decision: Decision,
    object_type: str | None = None,
    object_id: object = None,
    subject: uuid.UUID | None = None,
) -> None:
    """Record a policy denial in its own transaction, then let the caller answer 403/404.

    `subject` is the person the refused action concerns, so it shows in their access report.
    """
    session = db()
    session.rollback()
    record(
        session,
        audit_context(),
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        permission=str(permission),
        reason=str(decision.reason),
        endpoint=request.endpoint or "",
    )
    session.commit()


def principal() -> SignedInUser:
    return cast(SignedInUser, current_user)


def safe_next(target: str | None, fallback: str) -> str:
    """Return `target` only when it is a path on this site; anything else becomes `fallback`."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@login_manager.user_loader
def _load_principal(token: str) -> SignedInUser | None:
    # No principal yet (this is how it is found): the session's user is named by the service.
    ctx = AuditContext(None, g.get("request_id"), request.remote_addr)
    session = db()
    user_session = signin.resume_session(session, ctx, silta().auth, token)
    # Commit only what resuming wrote (a session ended and audited, or last seen moved on): a
    # request that merely reads keeps its one transaction and its one pooled connection.
    if session.info.get(RECORDED_FLAG) or session.dirty:
        session.commit()
    if user_session is None:
        return None
    setattr(g, USER_ID, str(user_session.user_id))  # for the request's log line
    return SignedInUser(token, user_session)
