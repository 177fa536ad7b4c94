"""Legal holds on a case (issue 14, point 2): a supervisor of the lead agency sets one with a
reason and an optional end date, and lifts it with a reason. The services decide and audit."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.forms import HoldForm, LiftHoldForm
from app.casework.pages import bp, form_page, reachable_case, show_error, submit, submit_page
from app.extensions import db
from app.retention.settings import retention_rules
from app.security import audit_context, requires
from cases.inputs import InputError
from cases.policy import Permission
from cases.retention import holds
from core.db import utcnow


@bp.route("/<uuid:case_id>/hold", methods=["GET", "POST"])
@requires(Permission.HOLD_SET)
def hold(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.HOLD_SET)
    form = HoldForm()
    return submit_page(
        form,
        lambda: holds.set_hold(
            db(),
            audit_context(),
            case,
            form.reason.data,
            form.ends_on.data,
            rules=retention_rules(),
        ),
        _("The legal hold was placed. The young person's data is kept until it is lifted."),
        case,
        title=_("Place a legal hold"),
        fields=["reason", "ends_on"],
        hint=_(
            "While the hold is in force, the young person's data is not erased at the end of "
            "the retention period. The reason is kept encrypted; auditors see that a hold was "
            "set, by whom and until when."
        ),
    )


@bp.route("/<uuid:case_id>/hold/lift", methods=["GET", "POST"])
@requires(Permission.HOLD_LIFT)
def lift_hold(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.HOLD_LIFT)
    rules = retention_rules()
    in_force = holds.active_hold(db(), case, utcnow(), rules)
    form = LiftHoldForm()
    if in_force is None:
        show_error(form, InputError("no_hold", "lift_reason"))
        status = 400 if form.is_submitted() else 200
    else:
        outcome = submit(
            form,
            lambda: holds.lift_hold(
                db(), audit_context(), in_force, form.lift_reason.data, rules=rules
            ),
            _("The legal hold was lifted."),
            case,
        )
        if not isinstance(outcome, int):
            return outcome
        status = outcome
    return form_page(
        form,
        case,
        status,
        title=_("Lift the legal hold"),
        fields=["lift_reason"] if in_force is not None else [],
        hint=_("The young person's data is again erased when its retention period ends."),
    )
