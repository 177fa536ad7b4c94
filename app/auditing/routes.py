"""Auditor pages. Each read is audited by the service it calls; exports need a fresh password."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice

from app.auditing.forms import LogFilterForm, PersonLookupForm, ReportForm
from app.auditing.messages import audit_error
from app.auth.forms import EmptyForm
from app.extensions import db, silta
from app.forms import attach_error
from app.log_requests import OLDER_REASONS
from app.persons.messages import person_error
from app.retention.settings import retention_rules
from app.security import audit_context, fresh_required, requires
from audit.events import event_document
from audit.models import AuditEvent
from audit.queries import EventFilter
from cases.accounts import services as accounts
from cases.inputs import InputError
from cases.oversight import workspace as auditing
from cases.persons import services as persons
from cases.policy import Permission
from cases.retention import queries as retention

bp = Blueprint("auditing", __name__, url_prefix="/audit")

NOWHERE = uuid.UUID(int=0)
PAGE_RE = re.compile(r"[0-9]{1,5}")


def _filter_from(form: LogFilterForm) -> EventFilter:
    """The filter the form describes; InputError when its dates are out of bounds."""
    since, until = auditing.day_range(form.date_from.data, form.date_to.data)
    user_id = agency_id = None
    if form.user.data:
        found = accounts.get_user_by_username(db(), form.user.data)
        user_id = found.id if found else NOWHERE
    if form.agency.data:
        agency = accounts.get_agency_by_code(db(), form.agency.data)
        agency_id = agency.id if agency else NOWHERE
    return EventFilter(
        actor_user_id=user_id,
        actor_agency_id=agency_id,
        action=form.action.data or None,
        outcome=form.outcome.data or None,
        subject_id=uuid.UUID(form.subject.data) if form.subject.data else None,
        since=since,
        until=until,
    )


def _log_form() -> LogFilterForm:
    form = LogFilterForm(request.args)
    codes = accounts.agency_codes(db())
    form.agency.choices = [SelectChoice("", _("Any"))] + [SelectChoice(c, c) for c in codes]
    return form


def _show_error(form: LogFilterForm | ReportForm, exc: InputError) -> None:
    attach_error(form, exc.field, audit_error(exc.code))


def _page() -> int:
    raw = request.args.get("page", "1")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(raw) if PAGE_RE.fullmatch(raw) and 0 < int(raw) < 100_000 else 1


def _refused_log(form: LogFilterForm) -> tuple[str, int]:
    return render_template("auditing/log.html", form=form, events=[], more=False, page=1), 400


@bp.get("/")
@requires(Permission.AUDIT_LOG_READ)
def log() -> tuple[str, int]:
    form = _log_form()
    if request.args and not form.validate():
        return _refused_log(form)
    try:
        flt = _filter_from(form)
    except InputError as exc:
        _show_error(form, exc)
        return _refused_log(form)
    page = _page()
    events, more = auditing.search_log(db(), audit_context(), flt, page)
    db().commit()
    # Only the filter's own fields travel on in the export and page links: any other name could
    # collide with url_for's own arguments (`format`, `_external`, `_scheme`).
    args = {name: request.args[name] for name in form._fields if request.args.get(name)}
    return render_template(
        "auditing/log.html", form=form, events=events, more=more, page=page, args=args
    ), 200


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet programs run cells that start like a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_FIELDS = [
    "time",
    "id",
    "actor",
    "role",
    "agency",
    "action",
    "object_type",
    "object_id",
    "subject",
    "bases",
    "outcome",
    "request",
    "client",
    "details",
]


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for event in events:
        doc = event_document(event, 0)
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    doc["time"],
                    doc["id"],
                    doc["actor"]["label"],
                    doc["actor"]["role"],
                    doc["actor"]["agency"],
                    doc["action"],
                    doc["object"]["type"],
                    doc["object"]["id"],
                    doc["subject"],
                    ";".join(doc["bases"]),
                    doc["outcome"],
                    doc["request"],
                    doc["client"],
                    json.dumps(doc["details"], sort_keys=True),
                )
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _json_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    yield "["
    for index, event in enumerate(events):
        document = event_document(event, 0)
        del document["seq"]
        yield (
            ("," if index else "") + "\n" + json.dumps(document, sort_keys=True, ensure_ascii=False)
        )
    yield "\n]\n"


@bp.get("/export")
@requires(Permission.AUDIT_LOG_EXPORT)
@fresh_required
def export() -> Response | tuple[str, int]:
    fmt = request.args.get("format", "csv")
    form = _log_form()
    if fmt not in {"csv", "json"} or not form.validate():
        return _refused_log(form)
    try:
        flt = _filter_from(form)
    except InputError as exc:
        _show_error(form, exc)
        return _refused_log(form)
    _total, events = auditing.export_log(db(), audit_context(), flt, fmt)
    db().commit()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    body = _csv_rows(events) if fmt == "csv" else _json_rows(events)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="silta-audit-{stamp}.{fmt}"'
    return response


@bp.get("/report")
@requires(Permission.AUDIT_REPORT_READ)
def report() -> tuple[str, int]:
    form = ReportForm(request.args)
    lookup = PersonLookupForm()
    if not request.args.get("subject"):
        return render_template("auditing/report.html", form=form, lookup=lookup, result=None), 200
    if not form.validate():
        return render_template("auditing/report.html", form=form, lookup=lookup, result=None), 400
    try:
        result = auditing.access_report(
            db(),
            audit_context(),
            uuid.UUID(form.subject.data),
            date_from=form.date_from.data,
            reason=form.reason.data or None,
            reference=form.reference.data or None,
        )
    except InputError as exc:
        _show_error(form, exc)
        return render_template("auditing/report.html", form=form, lookup=lookup, result=None), 400
    db().commit()
    return render_template(
        "auditing/report.html", form=form, lookup=lookup, result=result, reasons=OLDER_REASONS
    ), 200


@bp.post("/report/lookup")
@requires(Permission.AUDIT_PERSON_LOOKUP)
def report_lookup() -> BaseResponse | tuple[str, int]:
    """Find a person of any agency by identity code, then open their report by id."""
    lookup = PersonLookupForm()
    if lookup.validate_on_submit():
        try:
            person = persons.lookup_for_audit(db(), audit_context(), lookup.identity_code.data)
        except InputError as exc:
            lookup.identity_code.errors = [person_error(exc.code)]
        else:
            db().commit()
            if person is None:
                flash(_("No person with this identity code is registered."), "info")
                return redirect(url_for("auditing.report"))
            return redirect(url_for("auditing.report", subject=person.id))
    return render_template(
        "auditing/report.html", form=ReportForm(), lookup=lookup, result=None
    ), 400


@bp.get("/flagged")
@requires(Permission.AUDIT_FLAGS_READ)
def flagged() -> str:
    threshold = int(current_app.config["SILTA_AUDIT_VOLUME_THRESHOLD"])
    flags = auditing.flagged(db(), audit_context(), threshold)
    db().commit()
    return render_template("auditing/flagged.html", flags=flags)


@bp.get("/holds")
@requires(Permission.AUDIT_HOLDS_READ)
def holds() -> str:
    held = retention.active_holds(db(), audit_context(), rules=retention_rules())
    db().commit()
    return render_template("auditing/holds.html", held=held)


@bp.get("/integrity")
@requires(Permission.AUDIT_INTEGRITY_READ)
def integrity() -> str:
    status = auditing.integrity(db(), audit_context(), silta().checkpoint_dir)
    db().commit()
    return render_template("auditing/integrity.html", status=status, form=EmptyForm())


@bp.post("/integrity/verify")
@requires(Permission.AUDIT_VERIFY)
def verify_now() -> BaseResponse:
    result = auditing.run_verification(
        db(),
        audit_context(),
        silta().engine,
        silta().sequencer,
        silta().keys(),
        silta().checkpoint_dir,
    )
    db().commit()
    if result.ok:
        flash(_("The audit log is intact: %(n)d events verified.", n=result.size), "info")
    else:
        flash(
            _(
                "The audit log is damaged at sequence %(seq)s: %(problem)s",
                seq=result.bad_seq if result.bad_seq is not None else "–",
                problem=result.code,
            ),
            "error",
        )
    return redirect(url_for("auditing.integrity"))
