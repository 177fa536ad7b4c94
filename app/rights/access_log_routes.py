"""The access-log part of the subject access report: a printable page and a JSON file, for the
auditor. Each production is audited by the service; the file needs a fresh password, as the
auditor's other exports do."""

from __future__ import annotations

import json
import uuid

from flask import Response, render_template, request

from app.extensions import db
from app.forms import attach_error
from app.log_requests import OLDER_REASONS
from app.rights.access_log_forms import (
    BASIS_KINDS,
    AccessLogForm,
    access_log_error,
    action_area,
)
from app.rights.blueprint import bp
from app.security import audit_context, fresh_required, requires
from cases.inputs import InputError
from cases.policy import Permission
from cases.rights.access_log import AccessLogPart, AccessLogRequest, document, produce_access_log

TEMPLATE = "rights/access_log.html"


def _page(form: AccessLogForm, part: AccessLogPart | None, status: int) -> tuple[str, int]:
    args = {name: request.args[name] for name in form._fields if request.args.get(name)}
    page = render_template(
        TEMPLATE,
        form=form,
        part=part,
        args=args,
        reasons=OLDER_REASONS,
        basis_kinds=BASIS_KINDS,
        action_area=action_area,
    )
    return page, status


def _show_error(form: AccessLogForm, exc: InputError) -> None:
    attach_error(form, exc.field, access_log_error(exc.code))


def _produce(form: AccessLogForm, fmt: str) -> AccessLogPart | None:
    """The part the form asks for, or None with the problem shown on the form."""
    if not form.validate():
        return None
    try:
        return produce_access_log(
            db(),
            audit_context(),
            AccessLogRequest(
                person_id=uuid.UUID(form.person.data),
                date_from=form.date_from.data,
                date_to=form.date_to.data,
                reason=form.reason.data or None,
                reference=form.reference.data or None,
            ),
            fmt,
        )
    except InputError as exc:
        _show_error(form, exc)
        return None


@bp.get("/access-log")
@requires(Permission.SUBJECT_ACCESS_LOG_PRODUCE)
def access_log() -> tuple[str, int]:
    form = AccessLogForm(request.args)
    if not request.args.get("person"):
        return _page(form, None, 200)
    part = _produce(form, "html")
    if part is None:
        return _page(form, None, 400)
    db().commit()
    return _page(form, part, 200)


@bp.get("/access-log.json")
@requires(Permission.SUBJECT_ACCESS_LOG_PRODUCE)
@fresh_required
def access_log_file() -> Response | tuple[str, int]:
    form = AccessLogForm(request.args)
    if not request.args.get("person"):
        form.person.errors = [access_log_error("person_required")]
        return _page(form, None, 400)
    part = _produce(form, "json")
    if part is None:
        return _page(form, None, 400)
    db().commit()
    body = json.dumps(document(part), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = Response(body, mimetype="application/json")
    name = f"silta-access-log-{part.person_id}-{part.produced_at:%Y%m%dT%H%M%SZ}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
