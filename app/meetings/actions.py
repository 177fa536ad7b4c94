"""The meeting page's steps, each a POST of its own form to its own route: cancel, mark held,
attendance, minutes entries, action items, submit, approve, return, addenda and marking an
action item done. Success goes back to the meeting page; a form error or a step refused as bad
input shows the meeting page again with the form's errors (400) and changes nothing; a step the
policy refuses is audited and answered 403 (404 for a meeting the user may not know of)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.casework.settings import case_rules
from app.extensions import db
from app.meetings.pages import bp, meeting_or_404, not_here, refused, show_error
from app.meetings.routes import make_form, render_meeting
from app.security import audit_context, requires, safe_next
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, AgendaItem, Meeting, MinuteEntry
from cases.policy import Permission, PolicyDenied

Step = Callable[[Meeting, Any], object]


def _step(
    meeting_id: uuid.UUID,
    kind: str,
    step: Step,
    done: str,
    *,
    target: uuid.UUID | None = None,
    fields: dict[str, str] | None = None,
    permission: Permission | None = None,
    case_id: uuid.UUID | None = None,
) -> Response | tuple[str, int]:
    meeting = meeting_or_404(meeting_id)
    form = make_form(kind, target)
    valid = form.validate_on_submit()
    if not valid and permission is not None:
        # The policy before the form's rules: a refusal, audited, for a user without the step.
        try:
            meetings.authorize_step(
                db(), audit_context(), meeting, permission, case_id, rules=case_rules()
            )
        except PolicyDenied as exc:
            refused(exc)
    if valid:
        try:
            step(meeting, form)
        except InputError as exc:
            db().rollback()
            show_error(form, exc, fields)
        except PolicyDenied as exc:
            refused(exc)
        else:
            db().commit()
            flash(done, "info")
            back = url_for("meetings.detail", meeting_id=meeting_id)
            next_field = getattr(form, "next", None)
            return redirect(safe_next(next_field.data if next_field else None, back))
    return render_meeting(meeting, failed=(kind, target, form), status=400)


def _item_of(meeting_id: uuid.UUID, item_id: uuid.UUID, permission: Permission) -> AgendaItem:
    item = meetings.get_agenda_item(db(), item_id)
    if item is None or item.meeting_id != meeting_id:
        not_here(permission, "agenda_item", item_id)
    return item


def _entry_of(meeting_id: uuid.UUID, entry_id: uuid.UUID) -> MinuteEntry:
    entry = meetings.get_entry(db(), entry_id)
    if entry is None or entry.meeting_id != meeting_id:
        not_here(Permission.MEETING_ADDENDUM_WRITE, "meeting_entry", entry_id)
    return entry


def _action_of(meeting_id: uuid.UUID, action_id: uuid.UUID, permission: Permission) -> ActionItem:
    action = meetings.get_action_item(db(), action_id)
    if action is None or action.meeting_id != meeting_id:
        not_here(permission, "action_item", action_id)
    return action


@bp.post("/meetings/<uuid:meeting_id>/cancel")
@requires(Permission.MEETING_CANCEL)
def cancel(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "cancel",
        lambda m, f: meetings.cancel_meeting(db(), audit_context(), m, reason=f.reason.data),
        _("The meeting was cancelled."),
        permission=Permission.MEETING_CANCEL,
    )


@bp.post("/meetings/<uuid:meeting_id>/hold")
@requires(Permission.MEETING_HOLD)
def hold(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "hold",
        lambda m, _f: meetings.mark_held(db(), audit_context(), m),
        _("The meeting was marked held: the minutes may now be written."),
        permission=Permission.MEETING_HOLD,
    )


def _present() -> dict[uuid.UUID, bool]:
    """The attendance radios (`present-<user id>`: present or absent) as the service takes it."""
    present: dict[uuid.UUID, bool] = {}
    for key, value in request.form.items():
        if not key.startswith("present-"):
            continue
        try:
            user_id = uuid.UUID(key.removeprefix("present-"))
        except ValueError:
            raise InputError("invalid_choice", "attendance") from None
        if value not in ("present", "absent"):
            raise InputError("invalid_choice", "attendance")
        present[user_id] = value == "present"
    return present


@bp.post("/meetings/<uuid:meeting_id>/attendance")
@requires(Permission.MEETING_ATTENDANCE_RECORD)
def attendance(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "attendance",
        lambda m, _f: meetings.record_attendance(db(), audit_context(), m, _present()),
        _("The attendance was recorded."),
        permission=Permission.MEETING_ATTENDANCE_RECORD,
    )


@bp.post("/meetings/<uuid:meeting_id>/items/<uuid:item_id>/entries")
@requires(Permission.MEETING_MINUTES_WRITE)
def entries(meeting_id: uuid.UUID, item_id: uuid.UUID) -> Response | tuple[str, int]:
    item = _item_of(meeting_id, item_id, Permission.MEETING_MINUTES_WRITE)
    return _step(
        meeting_id,
        "entry",
        lambda m, f: meetings.write_entry(
            db(),
            audit_context(),
            m,
            item,
            kind=f.kind.data,
            category=f.category.data,
            body=f.body.data,
            rules=case_rules(),
        ),
        _("The entry was written."),
        target=item_id,
        permission=Permission.MEETING_MINUTES_WRITE,
        case_id=item.case_id,
    )


@bp.post("/meetings/<uuid:meeting_id>/items/<uuid:item_id>/actions")
@requires(Permission.MEETING_MINUTES_WRITE)
def actions(meeting_id: uuid.UUID, item_id: uuid.UUID) -> Response | tuple[str, int]:
    item = _item_of(meeting_id, item_id, Permission.MEETING_MINUTES_WRITE)
    return _step(
        meeting_id,
        "action",
        lambda m, f: meetings.add_action_item(
            db(),
            audit_context(),
            m,
            item,
            owner_id=uuid.UUID(f.owner.data),
            category=f.category.data,
            due_on=f.due_on.data,
            description=f.description.data,
            rules=case_rules(),
        ),
        _("The action item was added."),
        target=item_id,
        permission=Permission.MEETING_MINUTES_WRITE,
        case_id=item.case_id,
    )


@bp.post("/meetings/<uuid:meeting_id>/submit")
@requires(Permission.MEETING_MINUTES_SUBMIT)
def submit(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "submit",
        lambda m, _f: meetings.submit_minutes(db(), audit_context(), m),
        _("The minutes were submitted for approval."),
        permission=Permission.MEETING_MINUTES_SUBMIT,
    )


@bp.post("/meetings/<uuid:meeting_id>/approve")
@requires(Permission.MEETING_MINUTES_APPROVE)
def approve(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "approve",
        lambda m, _f: meetings.approve_minutes(db(), audit_context(), m),
        _("The minutes were approved. From now on they take only addenda."),
        permission=Permission.MEETING_MINUTES_APPROVE,
    )


@bp.post("/meetings/<uuid:meeting_id>/return")
@requires(Permission.MEETING_MINUTES_RETURN)
def return_(meeting_id: uuid.UUID) -> Response | tuple[str, int]:
    return _step(
        meeting_id,
        "return",
        lambda m, f: meetings.return_minutes(db(), audit_context(), m, comment=f.comment.data),
        _("The minutes were returned to the chair for correction."),
        permission=Permission.MEETING_MINUTES_RETURN,
    )


@bp.post("/meetings/<uuid:meeting_id>/entries/<uuid:entry_id>/addenda")
@requires(Permission.MEETING_ADDENDUM_WRITE)
def entry_addenda(meeting_id: uuid.UUID, entry_id: uuid.UUID) -> Response | tuple[str, int]:
    entry = _entry_of(meeting_id, entry_id)
    return _step(
        meeting_id,
        "addendum",
        lambda m, f: meetings.add_addendum(
            db(),
            audit_context(),
            m,
            entry,
            category=f.category.data,
            text=f.text.data,
            rules=case_rules(),
        ),
        _("The addendum was written."),
        target=entry_id,
        permission=Permission.MEETING_ADDENDUM_WRITE,
        case_id=entry.case_id,
    )


@bp.post("/meetings/<uuid:meeting_id>/actions/<uuid:action_id>/addenda")
@requires(Permission.MEETING_ADDENDUM_WRITE)
def action_addenda(meeting_id: uuid.UUID, action_id: uuid.UUID) -> Response | tuple[str, int]:
    action = _action_of(meeting_id, action_id, Permission.MEETING_ADDENDUM_WRITE)
    return _step(
        meeting_id,
        "addendum",
        lambda m, f: meetings.add_addendum(
            db(),
            audit_context(),
            m,
            action,
            category=f.category.data,
            text=f.text.data,
            rules=case_rules(),
        ),
        _("The addendum was written."),
        target=action_id,
        permission=Permission.MEETING_ADDENDUM_WRITE,
        case_id=action.case_id,
    )


@bp.post("/meetings/<uuid:meeting_id>/actions/<uuid:action_id>/done")
@requires(Permission.ACTION_ITEM_DONE)
def action_done(meeting_id: uuid.UUID, action_id: uuid.UUID) -> Response | tuple[str, int]:
    action = _action_of(meeting_id, action_id, Permission.ACTION_ITEM_DONE)
    return _step(
        meeting_id,
        "done",
        lambda _m, _f: meetings.mark_action_done(db(), audit_context(), action, rules=case_rules()),
        _("The action item was marked done."),
        target=action_id,
    )
