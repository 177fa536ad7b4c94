"""Supervisors release the pending credentials of their agency's practitioners (four eyes)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.accounts.messages import account_error
from app.auth.forms import EmptyForm
from app.extensions import db, silta
from app.security import audit_context, fresh_required, requires
from cases.accounts import release
from cases.accounts import services as accounts
from cases.inputs import InputError
from cases.policy import Permission

bp = Blueprint("release", __name__, url_prefix="/accounts")


@bp.get("/pending")
@requires(Permission.CREDENTIAL_PENDING_LIST)
def pending() -> str:
    listing = release.list_pending(db(), audit_context())
    return render_template("auth/pending.html", accounts=listing, button=EmptyForm())


@bp.post("/pending/<uuid:user_id>/release")
@requires(Permission.CREDENTIAL_RELEASE)
@fresh_required
def release_credential(user_id: uuid.UUID) -> Response | tuple[str, int]:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    target = accounts.get_user(db(), user_id)
    if target is None:
        abort(404)
    try:
        temporary = release.release_credential(db(), audit_context(), silta().passwords, target)
    except InputError as exc:
        flash(account_error(exc.code), "error")
        return redirect(url_for("release.pending"))
    db().commit()
    return render_template("auth/released.html", user=target, password=temporary), 200
