"""Meeting pages: my meetings, a new meeting, the meeting page and its print view, its calendar
file, my action items, the supervisors' review queue and putting a case on an agenda. Each
route names its permission; the services decide on the meeting's and the cases' facts, and a
refusal is audited (a meeting the user may not know of answers 404, like a missing one)."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.pages import reachable_case
from app.casework.settings import case_rules
from app.dates import format_datetime
from app.extensions import db
from app.forms import SiltaForm
from app.meetings.forms import (
    ActionForm,
    ActionItemForm,
    AddendumForm,
    AgendaForm,
    CancelForm,
    EntryForm,
    ListForm,
    MeetingForm,
    ReturnForm,
)
from app.meetings.pages import bp, local_start, meeting_or_404, refused, show_error
from app.security import audit_context, requires
from cases.casework.models import Case
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import Meeting
from cases.policy import Permission, PolicyDenied

__all__ = ["bp", "render_meeting"]

FORMS: dict[str, type[SiltaForm]] = {
    "cancel": CancelForm,
    "hold": ActionForm,
    "attendance": ActionForm,
    "submit": ActionForm,
    "approve": ActionForm,
    "return": ReturnForm,
    "entry": EntryForm,
    "action": ActionItemForm,
    "addendum": AddendumForm,
    "done": ActionForm,
}


def form_prefix(kind: str, target: uuid.UUID | None = None) -> str:
    """Each form on the page has its own prefix, so its fields' ids are unique on the page."""
    return kind if target is None else f"{kind}-{target.hex}"


def make_form(kind: str, target: uuid.UUID | None = None) -> SiltaForm:
    return FORMS[kind](prefix=form_prefix(kind, target))


def render_meeting(
    meeting: Meeting,
    *,
    failed: tuple[str, uuid.UUID | None, SiltaForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The meeting page as the actor may read it; `failed` is a posted form shown again with
    its errors at its place."""
    try:
        view = meetings.view_meeting(db(), audit_context(), meeting, rules=case_rules())
    except PolicyDenied as exc:
        refused(exc)
    db().commit()

    def form_for(kind: str, target: uuid.UUID | None = None) -> SiltaForm:
        if failed is not None and failed[0] == kind and failed[1] == target:
            return failed[2]
        return make_form(kind, target)

    page = render_template(
        "meetings/meeting.html",
        view=view,
        form_for=form_for,
        failed_form=failed[2] if failed is not None else None,
    )
    return page, status


@bp.get("/meetings")
@requires(Permission.MEETING_LIST)
def index() -> str:
    form = ListForm(request.args)
    if not form.validate():
        abort(400)
    upcoming = form.tab.data != "past"
    page = meetings.my_meetings(
        db(), audit_context(), page=int(form.page.data or 1), upcoming=upcoming
    )
    db().commit()
    return render_template("meetings/list.html", page=page, upcoming=upcoming)


def _meeting_choices(form: MeetingForm, options: meetings.MeetingFormOptions) -> None:
    form.chair.choices = [("", _("Choose…"))] + [
        (str(u.id), u.display_name) for u in options.chairs
    ]
    form.invited_agencies.choices = [(str(a.id), a.name) for a in options.agencies]
    form.invited_users.choices = [(str(u.id), u.display_name) for u in options.users]


def _meeting_input(form: MeetingForm) -> meetings.MeetingInput:
    rules = case_rules()
    return meetings.MeetingInput(
        title=form.title.data or "",
        starts_at=local_start(form.day.data, form.time.data, rules),
        duration_minutes=int(form.duration_minutes.data or 0),
        place=form.place.data or "",
        video_link=form.video_link.data or "",
        chair_user_id=uuid.UUID(form.chair.data),
        invited_agency_ids=tuple(uuid.UUID(a) for a in form.invited_agencies.data or ()),
        invited_user_ids=tuple(uuid.UUID(u) for u in form.invited_users.data or ()),
    )


# The service's field names that the form calls otherwise.
_MEETING_FIELDS = {"starts_at": "day", "invited_users": "invited_users"}


@bp.route("/meetings/new", methods=["GET", "POST"])
@requires(Permission.MEETING_CREATE)
def new() -> Response | tuple[str, int]:
    options = meetings.meeting_form_options(db(), audit_context())
    form = MeetingForm()
    _meeting_choices(form, options)
    status = 200
    if form.validate_on_submit():
        try:
            made = meetings.create_meeting(db(), audit_context(), _meeting_input(form))
        except InputError as exc:
            db().rollback()
            show_error(form, exc, _MEETING_FIELDS)
            status = 400
        else:
            db().commit()
            flash(_("The meeting was created."), "info")
            return redirect(url_for("meetings.detail", meeting_id=made.id))
    elif form.is_submitted():
        status = 400
    return render_template("meetings/new.html", form=form, options=options), status


@bp.get("/meetings/<uuid:meeting_id>")
@requires(Permission.MEETING_READ)
def detail(meeting_id: uuid.UUID) -> tuple[str, int]:
    return render_meeting(meeting_or_404(meeting_id))


@bp.get("/meetings/<uuid:meeting_id>/print")
@requires(Permission.MEETING_PRINT)
def print_view(meeting_id: uuid.UUID) -> str:
    meeting = meeting_or_404(meeting_id)
    try:
        view = meetings.view_meeting(
            db(), audit_context(), meeting, rules=case_rules(), printing=True
        )
    except PolicyDenied as exc:
        refused(exc)
    db().commit()
    return render_template("meetings/print.html", view=view)


@bp.get("/meetings/<uuid:meeting_id>.ics")
@requires(Permission.MEETING_READ)
def calendar(meeting_id: uuid.UUID) -> Response:
    meeting = meeting_or_404(meeting_id)
    try:
        body = meetings.meeting_calendar(db(), audit_context(), meeting)
    except PolicyDenied as exc:
        refused(exc)
    db().commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response


@bp.get("/meetings/tasks")
@requires(Permission.ACTION_ITEM_LIST)
def tasks() -> str:
    rows = meetings.my_action_items(db(), audit_context(), rules=case_rules())
    db().commit()
    return render_template(
        "meetings/tasks.html", rows=rows, done_form=lambda a: make_form("done", a)
    )


@bp.get("/meetings/review")
@requires(Permission.MEETING_REVIEW_QUEUE)
def review() -> str:
    queue = meetings.review_queue(db(), audit_context(), rules=case_rules())
    owners = meetings.users_named(db(), (row.action.owner_user_id for row in queue.overdue))
    db().commit()
    return render_template("meetings/review.html", queue=queue, owners=owners)


def _agenda_step(case: Case, form: AgendaForm) -> Response | None:
    """Put the case on the chosen meeting's agenda; None when refused as bad input."""
    meeting = meeting_or_404(uuid.UUID(form.meeting.data))
    try:
        added = meetings.add_agenda_item(db(), audit_context(), meeting, case, rules=case_rules())
    except InputError as exc:
        db().rollback()
        show_error(form, exc, {"case": "meeting", "meeting": "meeting"})
        return None
    except PolicyDenied as exc:
        refused(exc)
    db().commit()
    flash(_("The case was put on the agenda."), "info")
    if added.unshared:
        names = ", ".join(sorted(a.name for a in meetings.agencies_named(db(), added.unshared)))
        flash(
            _(
                "These invited agencies will see this item only as a case not shared with "
                "them: %(agencies)s",
                agencies=names,
            ),
            "warning",
        )
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/cases/<uuid:case_id>/meetings", methods=["GET", "POST"])
@requires(Permission.MEETING_AGENDA_ADD)
def of_case(case_id: uuid.UUID) -> Response | tuple[str, int]:
    case = reachable_case(case_id, Permission.CASE_READ)
    choices = meetings.agenda_meetings(db(), audit_context())
    db().commit()
    form = AgendaForm()
    form.meeting.choices = [("", _("Choose…"))] + [
        (str(m.id), f"{m.title} · {format_datetime(m.starts_at, 'short')}") for m in choices
    ]
    status = 200
    if form.validate_on_submit():
        done = _agenda_step(case, form)
        if done is not None:
            return done
        status = 400
    elif form.is_submitted():
        status = 400
    page = render_template("meetings/case.html", case=case, meetings=choices, form=form)
    return page, status
