"""The referral page's actions, each a POST of its own form to its own route: acknowledge,
accept, decline, complete, withdraw, reopen and the needs-assessment dates. Success goes back
to the referral page; a form error or a refused step shows the form again (400) and changes
nothing; a step the policy refuses is audited and answered 403 (404 for an outsider)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.settings import case_rules
from app.extensions import db
from app.forms import SiltaForm
from app.referrals.forms import (
    ActionForm,
    AssessmentForm,
    CompleteForm,
    DeclineForm,
    ReopenForm,
    WithdrawReferralForm,
)
from app.referrals.pages import bp, referral_or_404, show_error
from app.referrals.settings import clock_rules
from app.security import audit_context, requires
from cases.inputs import InputError
from cases.policy import Permission
from cases.referrals import services as referrals
from cases.referrals.models import Referral


def _act(
    referral_id: uuid.UUID,
    form: SiltaForm,
    step: Callable[[Referral], object],
    done: str,
    title: str,
    fields: list[str],
) -> Response | tuple[str, int]:
    referral = referral_or_404(referral_id)
    if form.validate_on_submit():
        try:
            step(referral)
        except InputError as exc:
            db().rollback()
            show_error(form, exc)
        else:
            db().commit()
            flash(done, "info")
            return redirect(url_for("referrals.detail", referral_id=referral_id))
    page = render_template(
        "referrals/form.html", form=form, referral_id=referral_id, title=title, fields=fields
    )
    return page, 400


@bp.post("/referrals/<uuid:referral_id>/acknowledge")
@requires(Permission.REFERRAL_ACKNOWLEDGE)
def acknowledge(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    return _act(
        referral_id,
        ActionForm(prefix="ack"),
        lambda r: referrals.acknowledge(db(), audit_context(), r),
        _("The referral was acknowledged."),
        _("Acknowledge"),
        [],
    )


@bp.post("/referrals/<uuid:referral_id>/accept")
@requires(Permission.REFERRAL_ACCEPT)
def accept(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    return _act(
        referral_id,
        ActionForm(prefix="accept"),
        lambda r: referrals.accept(db(), audit_context(), r, rules=case_rules()),
        _("The referral was accepted. Your agency is now on the case team."),
        _("Accept"),
        [],
    )


@bp.post("/referrals/<uuid:referral_id>/decline")
@requires(Permission.REFERRAL_DECLINE)
def decline(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    form = DeclineForm(prefix="decline")
    return _act(
        referral_id,
        form,
        lambda r: referrals.decline(
            db(),
            audit_context(),
            r,
            reason_code=form.decline_reason.data,
            text=form.decline_text.data,
        ),
        _("The referral was declined."),
        _("Decline"),
        ["decline_reason", "decline_text"],
    )


@bp.post("/referrals/<uuid:referral_id>/complete")
@requires(Permission.REFERRAL_COMPLETE)
def complete(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    form = CompleteForm(prefix="complete")
    return _act(
        referral_id,
        form,
        lambda r: referrals.complete(db(), audit_context(), r, outcome=form.outcome.data),
        _("The referral was completed. The sender sees the outcome."),
        _("Complete"),
        ["outcome"],
    )


@bp.post("/referrals/<uuid:referral_id>/withdraw")
@requires(Permission.REFERRAL_WITHDRAW)
def withdraw(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    form = WithdrawReferralForm(prefix="withdraw")
    return _act(
        referral_id,
        form,
        lambda r: referrals.withdraw(
            db(), audit_context(), r, reason=form.withdraw_reason.data or ""
        ),
        _("The referral was withdrawn."),
        _("Withdraw"),
        ["withdraw_reason"],
    )


@bp.post("/referrals/<uuid:referral_id>/reopen")
@requires(Permission.REFERRAL_REOPEN)
def reopen(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    form = ReopenForm(prefix="reopen")
    return _act(
        referral_id,
        form,
        lambda r: referrals.reopen(
            db(), audit_context(), r, reason=form.reopen_reason.data, clocks=clock_rules()
        ),
        _("The referral was reopened."),
        _("Reopen"),
        ["reopen_reason"],
    )


@bp.post("/referrals/<uuid:referral_id>/assessment")
@requires(Permission.REFERRAL_ASSESSMENT_RECORD)
def assessment(referral_id: uuid.UUID) -> Response | tuple[str, int]:
    form = AssessmentForm(prefix="assessment")
    return _act(
        referral_id,
        form,
        lambda r: referrals.record_assessment(
            db(),
            audit_context(),
            r,
            started_on=form.started_on.data,
            completed_on=form.completed_on.data,
            rules=case_rules(),
        ),
        _("The needs assessment dates were recorded."),
        _("Needs assessment"),
        ["started_on", "completed_on"],
    )
