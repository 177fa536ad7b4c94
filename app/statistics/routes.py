"""The analyst's statistics: the table page, its chart (SVG) and its CSV. All three read the
one suppressed table of the same query (`cases.statistics.services.statistics_table`, which
authorizes and audits each view or download without a value); a bad query is 400 with its
message, never a 500. Anyone but an analyst is refused by the route guard (403, audited)."""

from __future__ import annotations

import csv
import io
from typing import NoReturn

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.charts import svg_response
from app.errors import render_error
from app.extensions import db
from app.security import actor, audit_context, requires
from app.statistics.chart import line_breakdowns, table_svg
from app.statistics.forms import StatisticsForm, parse_year
from app.statistics.messages import (
    BREAKDOWN_LABELS,
    MEASURE_LABELS,
    statistics_error,
    value_label,
)
from app.statistics.settings import protect_on_view, this_year, threshold
from cases.inputs import InputError
from cases.policy import Permission, decide
from cases.statistics.models import FactEvent
from cases.statistics.services import NotPrepared, StatisticsView, TableRequest, statistics_table

bp = Blueprint("statistics", __name__)
#: How long a browser or a script should wait before asking again for a year being prepared.
RETRY_AFTER_SECONDS = 600

NAV = (("statistics.index", Permission.STATISTICS_READ, _l("Statistics")),)


def statistics_links() -> list[tuple[str, str]]:
    """The statistics page when the policy allows it (no database work: a role decision)."""
    if not current_user or not current_user.is_authenticated:
        return []
    user = actor()
    return [(endpoint, str(text)) for endpoint, permission, text in NAV if decide(user, permission)]


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"statistics_links": statistics_links}


def _defaults() -> MultiDict[str, str]:
    """The last complete calendar year, cases opened by agency kind, by month."""
    last = f"{this_year() - 1:04d}"
    return MultiDict(
        {
            "measure": FactEvent.CASE_OPENED.value,
            "first_year": last,
            "last_year": last,
            "granularity": "month",
            "breakdown": "agency_kind",
            "breakdown2": "none",
        }
    )


def _form() -> StatisticsForm:
    query = _defaults()
    for key in request.args:
        query.setlist(key, request.args.getlist(key))
    return StatisticsForm(query)


def _request(form: StatisticsForm) -> TableRequest:
    first = parse_year(form.first_year.data or "")
    last = parse_year(form.last_year.data or "")
    if first is None or last is None:  # the form validated them: not reached
        _bad(statistics_error("invalid_year"))
    return TableRequest(
        measure=FactEvent(form.measure.data),
        first_year=first,
        last_year=last,
        granularity=form.granularity_value(),
        breakdowns=form.breakdowns(),
    )


def _bad(message: str) -> NoReturn:
    abort(Response(render_error(400, message)[0], status=400, mimetype="text/html"))


def _form_message(form: StatisticsForm) -> str:
    fields = (f"{field.label.text}: {e}" for field in form for e in field.errors)
    return " ".join([*form.form_errors, *fields])


def _not_prepared() -> str:
    return str(
        _(
            "These statistics are being prepared: each ended year is protected once, ahead of the "
            "first view. Try again in a few minutes."
        )
    )


def _view(form: StatisticsForm, *, exporting: bool) -> StatisticsView | None:
    """The suppressed table of the query, or None (with the form's error) when the service
    refuses the query. A year not prepared yet aborts with 503 and Retry-After."""
    try:
        view = statistics_table(
            db(),
            audit_context(),
            _request(form),
            threshold=threshold(),
            this_year=this_year(),
            exporting=exporting,
            protect_on_view=protect_on_view(),
        )
    except InputError as error:
        db().rollback()
        form.form_errors.append(statistics_error(error.code))
        return None
    except NotPrepared:
        db().rollback()
        raise
    db().commit()
    return view


def _being_prepared(page: str) -> Response:
    """503 with Retry-After: nothing is wrong, the year's protection is not stored yet."""
    response = Response(page, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _checked_view(form: StatisticsForm, *, exporting: bool) -> StatisticsView:
    """The view for the chart and the CSV: a bad query is a plain 400 with its message."""
    try:
        view = _view(form, exporting=exporting) if form.validate() else None
    except NotPrepared:
        abort(_being_prepared(render_error(503, _not_prepared())[0]))
    if view is None:
        _bad(_form_message(form))
    return view


def _query(form: StatisticsForm) -> dict[str, str]:
    """The validated query, for the chart's and the CSV's links."""
    return {
        name: str(form[name].data)
        for name in ("measure", "first_year", "last_year", "granularity", "breakdown")
    } | {"breakdown2": str(form.breakdown2.data or "none")}


@bp.get("/statistics")
@requires(Permission.STATISTICS_READ)
def index() -> tuple[str, int] | Response:
    form = _form()
    try:
        view = _view(form, exporting=False) if form.validate() else None
    except NotPrepared:
        preparing = _not_prepared()
        page = render_template("statistics/index.html", form=form, view=None, preparing=preparing)
        return _being_prepared(page)
    if view is None:
        return render_template("statistics/index.html", form=form, view=None), 400
    down, across = line_breakdowns(view)
    return render_template(
        "statistics/index.html",
        form=form,
        view=view,
        query=_query(form),
        down=down,
        across=across,
        measure_label=MEASURE_LABELS[view.request.measure],
        down_label=BREAKDOWN_LABELS[down] if down is not None else _("Period"),
        across_label=BREAKDOWN_LABELS[across],
        value_label=value_label,
    ), 200


@bp.get("/statistics/chart.svg")
@requires(Permission.STATISTICS_READ)
def chart() -> Response:
    return svg_response(table_svg(_checked_view(_form(), exporting=False)))


def table_csv(view: StatisticsView) -> str:
    """One line per cell, then the row totals, the column totals and the grand total; a
    suppressed entry has an empty count and its mark."""
    table = view.table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    down, across = line_breakdowns(view)
    writer.writerow((str(down or "period"), str(across), "count", "suppressed"))

    def line(row: str, column: str, value: int | None, mark: object) -> None:
        writer.writerow((row, column, "" if value is None else value, "" if mark is None else mark))

    for r, row in enumerate(table.rows):
        for c, column in enumerate(table.columns):
            cell = table.cells[r][c]
            line(row, column, cell.value, cell.mark)
    for r, row in enumerate(table.rows):
        line(row, "total", table.row_totals[r].value, table.row_totals[r].mark)
    for c, column in enumerate(table.columns):
        line("total", column, table.column_totals[c].value, table.column_totals[c].mark)
    line("total", "total", table.total.value, table.total.mark)
    return out.getvalue()


@bp.get("/statistics/table.csv")
@requires(Permission.STATISTICS_EXPORT)
def table_download() -> Response:
    view = _checked_view(_form(), exporting=True)
    request_ = view.request
    name = f"statistics-{request_.measure}-{request_.first_year:04d}-{request_.last_year:04d}"
    response = Response(table_csv(view), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
