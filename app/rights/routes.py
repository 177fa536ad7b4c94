"""The agency part of the subject access report (issue 14, point 4): a supervisor of an agency
on the young person's cases, freshly re-authenticated, chooses per item to release or withhold,
then gets a printable page or a JSON file of the released items. The route guard refuses
everyone but supervisors (403, audited); the service refuses a supervisor whose agency is on
none of the person's cases like a person who does not exist (404, audited)."""

from __future__ import annotations

import json
import uuid

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.casework.settings import case_rules
from app.extensions import db
from app.rights.agency_labels import (
    RECIPIENT_LABELS,
    WITHHOLD_REASON_LABELS,
    field_label,
    kind_label,
    part_error,
    shown_value,
)
from app.rights.blueprint import bp
from app.rights.forms import CHOICE_PREFIX, REASON_PREFIX, AgencyPartForm, item_choices
from app.security import actor, audit_context, fresh_required, requires
from cases.inputs import InputError
from cases.policy import Permission, decide
from cases.rights.agency_part import (
    AgencyPart,
    GuardianVersionRefused,
    ProducedPart,
    prepare_part,
    produce_part,
)

__all__ = ["bp"]

_HELPERS = {
    "field_label": field_label,
    "kind_label": kind_label,
    "shown_value": shown_value,
    "reasons": WITHHOLD_REASON_LABELS,
    "recipients": RECIPIENT_LABELS,
    "choice_prefix": CHOICE_PREFIX,
    "reason_prefix": REASON_PREFIX,
}


def _form_page(
    person_id: uuid.UUID,
    form: AgencyPartForm,
    status: int,
    problems: dict[str, str] | None = None,
) -> tuple[str, int]:
    part: AgencyPart = prepare_part(db(), audit_context(), person_id, rules=case_rules())
    db().commit()
    posted = request.form if request.method == "POST" else {}
    return render_template(
        "rights/agency_part.html",
        part=part,
        form=form,
        posted=posted,
        problems=problems or {},
        **_HELPERS,
    ), status


def _produced(part: ProducedPart, output: str) -> Response | str:
    if output == "json":
        body = json.dumps(part.as_json(), ensure_ascii=False, indent=2)
        response = Response(body, mimetype="application/json")
        name = f"subject-access-{part.agency.code}-{part.produced_at:%Y%m%d}.json"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render_template("rights/agency_part_print.html", part=part, **_HELPERS)


@bp.route("/persons/<uuid:person_id>/agency-part", methods=["GET", "POST"])
@requires(Permission.SUBJECT_ACCESS_AGENCY_PART)
@fresh_required
def agency_part(person_id: uuid.UUID) -> Response | str | tuple[str, int]:
    form = AgencyPartForm()
    if request.method == "GET":
        return _form_page(person_id, form, 200)
    if not form.validate_on_submit():
        return _form_page(person_id, form, 400)
    try:
        produced = produce_part(
            db(),
            audit_context(),
            person_id,
            form.recipient.data or "",
            item_choices(request.form),
            output=form.output,
            rules=case_rules(),
        )
    except GuardianVersionRefused:
        db().commit()  # the refusal's audit event
        message = _(
            "This young person forbids disclosure to their guardian: no guardian version of the "
            "report is produced. Nothing was produced."
        )
        form.form_errors.append(message)
        return _form_page(person_id, form, 403)
    except InputError as exc:
        db().rollback()
        form.form_errors.append(part_error(exc.code))
        return _form_page(person_id, form, 400, {exc.field: part_error(exc.code)})
    db().commit()
    return _produced(produced, form.output)


def may_produce_agency_part() -> bool:
    """Whether the signed-in user's role may produce an agency part at all (a role decision, no
    database work); whether their agency is on the person's cases is the service's to say."""
    if not current_user or not current_user.is_authenticated:
        return False
    return decide(actor(), Permission.SUBJECT_ACCESS_AGENCY_PART).allowed


@bp.app_context_processor
def _person_page_link() -> dict[str, object]:
    return {"may_produce_agency_part": may_produce_agency_part}
