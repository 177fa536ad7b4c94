"""Closure, reopening and the lead supervisors' queue of case work."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.forms import ClosureDecisionForm, ClosureForm, ReopenForm
from app.casework.messages import case_error
from app.casework.pages import bp, reachable_case, submit_page
from app.extensions import db
from app.security import audit_context, requires
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.inputs import InputError
from cases.policy import Permission


@bp.route("/<uuid:case_id>/closure", methods=["GET", "POST"])
@requires(Permission.CLOSURE_REQUEST)
def closure(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CLOSURE_REQUEST)
    form = ClosureForm()
    return submit_page(
        form,
        lambda: casework.request_closure(db(), audit_context(), case, form.outcome.data),
        _("Closure was requested from the lead agency's supervisors."),
        case,
        title=_("Request closure"),
        fields=["outcome"],
    )


@bp.route("/<uuid:case_id>/reopen", methods=["GET", "POST"])
@requires(Permission.CASE_REOPEN)
def reopen(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CASE_REOPEN)
    form = ReopenForm()
    return submit_page(
        form,
        lambda: casework.reopen_case(db(), audit_context(), case, form.reason.data),
        _("The case was reopened."),
        case,
        title=_("Reopen the case"),
        fields=["reason"],
        hint=_("The team can write in the case again. The reason is kept with the case."),
    )


@bp.get("/queue")
@requires(Permission.CLOSURE_APPROVE)
def queue() -> str:
    ctx = audit_context()
    closures = casework.closure_queue(db(), ctx)
    reviews = casework.emergency_reviews(db(), ctx)
    named = {c.requested_by_user_id for c in closures} | {r.user_id for r in reviews}
    users = accounts.users_by_id(db(), named)
    return render_template(
        "casework/queue.html",
        closures=closures,
        reviews=reviews,
        users=users,
        decision=ClosureDecisionForm(),
        review=ClosureDecisionForm(),
    )


@bp.post("/closures/<uuid:request_id>")
@requires(Permission.CLOSURE_APPROVE)
def decide_closure(request_id: uuid.UUID) -> Response | tuple[str, int]:
    closure_request = casework.get_closure_request(db(), request_id)
    if closure_request is None:
        abort(404)
    reachable_case(closure_request.case_id, Permission.CLOSURE_APPROVE)
    form = ClosureDecisionForm()
    if form.validate_on_submit():
        try:
            casework.decide_closure(
                db(),
                audit_context(),
                closure_request,
                form.decision.data == "approve",
                form.comment.data or "",
            )
        except InputError as exc:
            flash(case_error(exc.code), "error")
            return redirect(url_for("casework.queue"))
        db().commit()
        flash(_("The decision was saved."), "info")
        return redirect(url_for("casework.queue"))
    flash(_("Choose a decision."), "error")
    return redirect(url_for("casework.queue"))


@bp.post("/emergency/<uuid:access_id>/review")
@requires(Permission.EMERGENCY_REVIEW)
def review_emergency(access_id: uuid.UUID) -> Response:
    access = casework.get_emergency_access(db(), access_id)
    if access is None:
        abort(404)
    reachable_case(access.case_id, Permission.EMERGENCY_REVIEW)
    try:
        casework.review_emergency_access(db(), audit_context(), access)
    except InputError as exc:
        flash(case_error(exc.code), "error")
        return redirect(url_for("casework.queue"))
    db().commit()
    flash(_("Marked as reviewed."), "info")
    return redirect(url_for("casework.queue"))
