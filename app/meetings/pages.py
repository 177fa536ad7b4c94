"""What every meeting page shares: the blueprint, its template filters, the navigation links
the policy allows, loading a meeting, answering a refusal (audited; 404 for a meeting the user
may not know of), the form's local time and showing a service's error."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import NoReturn
from zoneinfo import ZoneInfo

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.forms import SiltaForm
from app.meetings.messages import ACTION_STATUS_LABELS, KIND_LABELS, STATUS_LABELS, meeting_error
from app.messages import label
from app.security import actor, audit_denial
from cases.accounts.models import Agency
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import Meeting
from cases.policy import Decision, Permission, PolicyDenied, Reason, decide
from cases.policy.facts import CaseRules

bp = Blueprint("meetings", __name__)

_FILTERS = {
    "meeting_status_label": STATUS_LABELS,
    "entry_kind_label": KIND_LABELS,
    "action_status_label": ACTION_STATUS_LABELS,
}


def _filter(table: dict[str, object]) -> object:
    return lambda value: label(table, str(value))


for _name, _table in _FILTERS.items():
    bp.add_app_template_filter(_filter(_table), _name)  # type: ignore[arg-type]


@bp.app_template_filter("agency_names")
def agency_names(agency_ids: Iterable[uuid.UUID], agencies: Mapping[uuid.UUID, Agency]) -> str:
    """The named agencies' names, sorted and joined (from the names the page loaded)."""
    return ", ".join(sorted(agencies[a].name for a in agency_ids if a in agencies))


# The main navigation's meeting links, each shown when the policy allows its permission.
NAV = (
    ("meetings.index", Permission.MEETING_LIST, _l("Meetings")),
    ("meetings.tasks", Permission.ACTION_ITEM_LIST, _l("My tasks")),
    ("meetings.review", Permission.MEETING_REVIEW_QUEUE, _l("Review queue")),
)


def meeting_links() -> list[tuple[str, str]]:
    """The meeting pages the signed-in user may open (no database work: a role decision)."""
    if not current_user or not current_user.is_authenticated:
        return []
    user = actor()
    return [(endpoint, str(text)) for endpoint, permission, text in NAV if decide(user, permission)]


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"meeting_links": meeting_links}


# Refusals that mean "you may not know of this meeting or case": answered like a missing one.
_UNREACHABLE = {
    Reason.NOT_INVITED,
    Reason.ROLE_NO_CONTENT,
    Reason.NOT_VISIBLE,
    Reason.NOT_ON_TEAM,
    # Marking done someone else's action item: it need not know the item exists.
    Reason.NOT_ACTION_OWNER,
}


def refused(exc: PolicyDenied) -> NoReturn:
    """Audit a policy refusal (in its own transaction), then answer 404 or 403."""
    audit_denial(
        exc.permission, exc.decision, exc.object_type, exc.object_id, subject=exc.subject_id
    )
    abort(404 if exc.decision.reason in _UNREACHABLE else 403)


def not_here(permission: Permission, object_type: str, object_id: uuid.UUID) -> NoReturn:
    """A row id of another meeting (or none) in a URL is a probe: audited, answered 404."""
    audit_denial(permission, Decision(False, Reason.NOT_GRANTED), object_type, object_id)
    abort(404)


def meeting_or_404(meeting_id: uuid.UUID) -> Meeting:
    """The meeting with this id; a missing one is 404 (the services decide who reaches it)."""
    try:
        return meetings.get_meeting(db(), meeting_id)
    except InputError:
        abort(404)


def local_start(day: date, at: time, rules: CaseRules) -> datetime:
    """The form's local date and time where the work is done, as an aware UTC time; a moment
    outside what a datetime holds (the year 1 at midnight, say) is out of range, not a 500."""
    try:
        return datetime.combine(day, at, tzinfo=ZoneInfo(rules.timezone)).astimezone(UTC)
    except (OverflowError, ValueError):
        raise InputError("out_of_range", "starts_at") from None


def show_error(form: SiltaForm, exc: InputError, fields: dict[str, str] | None = None) -> None:
    """The service's error next to its field (`fields` maps the service's name to the form's)."""
    message = meeting_error(exc.code)
    name = (fields or {}).get(exc.field, exc.field)
    target = getattr(form, name, None) if name else None
    if target is None:
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]
