"""Referral pages: the agency inbox, my sent referrals, the referral page, a case's referrals,
the send form and the supervisors' overview with its chart. Each route names its permission;
the services decide on the referral's and the case's facts, and a refusal is audited (a
referral the user may not know of answers 404, like a missing one)."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.messages import CATEGORY_LABELS
from app.casework.pages import reachable_case
from app.casework.settings import case_rules
from app.extensions import db
from app.messages import label
from app.referrals.chart import SVG_CONTENT_SECURITY_POLICY, flow_svg
from app.referrals.forms import (
    ActionForm,
    AssessmentForm,
    CompleteForm,
    DeclineForm,
    ReopenForm,
    SendForm,
    WithdrawReferralForm,
)
from app.referrals.messages import SEND_CATEGORY_LABELS, STATE_LABELS, YOUTH_ACT, why_not
from app.referrals.pages import bp, page_number, referral_or_404, show_error
from app.referrals.settings import clock_rules
from app.security import audit_context, audit_denial, requires
from cases.inputs import InputError
from cases.policy import Permission, PolicyDenied
from cases.referrals import services as referrals

__all__ = ["bp"]


@bp.get("/referrals/inbox")
@requires(Permission.REFERRAL_INBOX)
def inbox() -> str:
    page = referrals.inbox_page(db(), audit_context(), page=page_number(), rules=case_rules())
    db().commit()
    return render_template("referrals/inbox.html", page=page)


@bp.get("/referrals/sent")
@requires(Permission.REFERRAL_INBOX)
def sent() -> str:
    page = referrals.sent_page(db(), audit_context(), page=page_number(), rules=case_rules())
    db().commit()
    return render_template("referrals/sent.html", page=page)


@bp.get("/referrals/overview")
@requires(Permission.REFERRAL_OVERVIEW)
def overview() -> str:
    summary = referrals.supervisor_overview(db(), audit_context(), rules=case_rules())
    db().commit()
    return render_template(
        "referrals/overview.html",
        summary=summary,
        states=list(STATE_LABELS),
        listing_limit=referrals.LISTING_LIMIT,
    )


@bp.get("/referrals/overview/flow.svg")
@requires(Permission.REFERRAL_OVERVIEW)
def flow_chart() -> Response:
    flow = referrals.weekly_flow(db(), audit_context(), rules=case_rules())
    db().commit()
    response = Response(flow_svg(flow), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    return response


def _action_forms() -> dict[str, object]:
    return {
        "acknowledge": ActionForm(prefix="ack"),
        "accept": ActionForm(prefix="accept"),
        "decline": DeclineForm(prefix="decline"),
        "complete": CompleteForm(prefix="complete"),
        "withdraw": WithdrawReferralForm(prefix="withdraw"),
        "reopen": ReopenForm(prefix="reopen"),
        "assessment": AssessmentForm(prefix="assessment"),
    }


@bp.get("/referrals/<uuid:referral_id>")
@requires(Permission.REFERRAL_STATUS_READ)
def detail(referral_id: uuid.UUID) -> str:
    referral = referral_or_404(referral_id)
    view = referrals.view_referral(db(), audit_context(), referral, rules=case_rules())
    db().commit()
    return render_template("referrals/referral.html", view=view, forms=_action_forms())


@bp.get("/cases/<uuid:case_id>/referrals")
@requires(Permission.REFERRAL_STATUS_READ)
def of_case(case_id: uuid.UUID) -> str:
    case = reachable_case(case_id, Permission.CASE_READ)
    listing = referrals.case_referrals(db(), audit_context(), case, rules=case_rules())
    db().commit()
    return render_template("referrals/case.html", case=case, listing=listing)


def _attachable_label(category: str, sensitivity: str, excerpt: str) -> str:
    # A restricted note stays with its own agency: say so before the sender attaches it.
    restricted = (
        _(" (restricted: only your agency reads it)") if sensitivity == "restricted" else ""
    )
    return f"{label(CATEGORY_LABELS, category)}{restricted}: {excerpt}"


def _send_choices(form: SendForm, options: referrals.SendOptions) -> None:
    form.to_agency.choices = [("", _("Choose…"))] + [
        (str(a.id), a.name) for a in options.recipients
    ]
    form.category.choices = [("", _("Choose…"))] + [
        (c or YOUTH_ACT, str(SEND_CATEGORY_LABELS[c or YOUTH_ACT])) for c in options.categories
    ]
    form.attached_note_ids.choices = [
        (str(note.id), _attachable_label(note.category, note.sensitivity, excerpt))
        for note, excerpt in options.notes
    ]


def _send_input(form: SendForm) -> referrals.ReferralInput:
    category = None if form.category.data == YOUTH_ACT else form.category.data
    return referrals.ReferralInput(
        to_agency=uuid.UUID(form.to_agency.data),
        urgency=form.urgency.data,
        category=category,
        reason=form.reason.data or "",
        attached_note_ids=tuple(uuid.UUID(n) for n in form.attached_note_ids.data or ()),
        youth_act_grounds=tuple(form.youth_act_grounds.data or ()),
        young_person_informed=bool(form.young_person_informed.data),
        guardian_informed=bool(form.guardian_informed.data),
        send_token=uuid.UUID(form.send_token.data),
    )


@bp.route("/cases/<uuid:case_id>/referrals/new", methods=["GET", "POST"])
@requires(Permission.REFERRAL_SEND)
def send(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CASE_READ)
    options = referrals.send_options(db(), audit_context(), case, rules=case_rules())
    db().commit()  # showing the attachable notes is an audited read, whatever follows
    form = SendForm()
    _send_choices(form, options)
    status = 200
    if form.validate_on_submit():
        try:
            made = referrals.send_referral(
                db(),
                audit_context(),
                case,
                _send_input(form),
                rules=case_rules(),
                clocks=clock_rules(),
            )
        except InputError as exc:
            db().rollback()
            show_error(form, exc)
            status = 400
        except PolicyDenied as exc:
            # Refused with the reason, on the form; the refusal is audited on its own.
            audit_denial(
                exc.permission, exc.decision, exc.object_type, exc.object_id, subject=exc.subject_id
            )
            form.to_agency.errors = [
                *form.to_agency.errors,
                _("This agency cannot receive this: %(why)s.", why=why_not(exc.decision.reason)),
            ]
            status = 403
        else:
            db().commit()
            flash(_("The referral was sent."), "info")
            return redirect(url_for("referrals.detail", referral_id=made.id))
    elif form.is_submitted():
        status = 400
    page = render_template(
        "referrals/send.html", form=form, case=case, options=options, why_not=why_not
    )
    return page, status
