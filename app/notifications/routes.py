"""The notifications page: the user's notifications newest first, each opened with a button
(marking it read, then on to the referral page, which decides for itself what the user may
see), and "mark all as read". Each route names its permission."""

from __future__ import annotations

import re
import uuid
from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.notifications.forms import UNTIL_FORMAT, MarkReadForm, OpenForm
from app.notifications.messages import notification_text
from app.security import actor, audit_context, audit_denial, requires
from cases.inputs import InputError
from cases.notifications import services as notifications
from cases.policy import Decision, Permission, PolicyDenied, Reason

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_RE = re.compile(r"[0-9]{1,5}")
# The referral page (app/referrals, issue 11 point 6) at its documented address.


def unread_notifications() -> int | None:
    """The signed-in user's unread count for the header (None: no notifications link)."""
    if not current_user or not current_user.is_authenticated:
        return None
    return notifications.unread_count(db(), actor())


def _page() -> int | None:
    raw = request.args.get("page", "1")
    return int(raw) if PAGE_RE.fullmatch(raw) and int(raw) > 0 else None


@bp.get("/")
@requires(Permission.NOTIFICATION_LIST)
def index() -> tuple[str, int]:
    page = _page()
    if page is None:
        flash(_("That is not a page number."), "error")
        return render_template("notifications/list.html", listing=None), 400
    listing = notifications.list_page(db(), audit_context(), page)
    # "Mark all as read" covers what the user has seen: up to the newest shown.
    newest = listing.items[0].created_at if listing.items else None
    return render_template(
        "notifications/list.html",
        listing=listing,
        texts={n.id: notification_text(n) for n in listing.items},
        until=newest.astimezone(UTC).strftime(UNTIL_FORMAT) if newest else "",
    ), 200


@bp.post("/read")
@requires(Permission.NOTIFICATION_MARK_READ)
def mark_read() -> Response | tuple[str, int]:
    form = MarkReadForm()
    if not form.validate():
        flash(_("Nothing was marked read: reload the page and try again."), "error")
        return render_template("notifications/list.html", listing=None), 400
    until = form.until.data.replace(tzinfo=UTC)
    marked = notifications.mark_all_read(db(), audit_context(), until=until)
    db().commit()
    flash(_("%(n)d notification(s) marked read.", n=marked), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/<uuid:notification_id>/open")
@requires(Permission.NOTIFICATION_MARK_READ)
def open_one(notification_id: uuid.UUID) -> Response:
    if not OpenForm().validate():
        abort(400)
    try:
        referral_id = notifications.open_notification(db(), audit_context(), notification_id)
    except PolicyDenied as denied:
        audit_denial(denied.permission, denied.decision, "notification", notification_id)
        abort(404)
    except InputError:
        # A missing notification answers exactly like someone else's.
        missing = Decision(False, Reason.NOT_OWN_NOTIFICATION)
        audit_denial(Permission.NOTIFICATION_MARK_READ, missing, "notification", notification_id)
        abort(404)
    db().commit()
    return redirect(url_for("referrals.detail", referral_id=referral_id))
