"""What every referral page shares: the blueprint, its template filters, the navigation links
the policy allows, loading a referral, the page number and showing a service's error."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import db
from app.forms import SiltaForm, attach_error
from app.messages import label
from app.referrals.forms import PageForm
from app.referrals.messages import (
    DECLINE_REASON_LABELS,
    ESCALATION_LABELS,
    EVENT_LABELS,
    SEND_CATEGORY_LABELS,
    STATE_LABELS,
    URGENCY_LABELS,
    YOUTH_ACT_GROUND_LABELS,
    referral_error,
)
from app.security import actor
from cases.inputs import InputError
from cases.policy import Permission, decide
from cases.referrals import services as referrals
from cases.referrals.models import Referral

bp = Blueprint("referrals", __name__)

_FILTERS = {
    "urgency_label": URGENCY_LABELS,
    "referral_state_label": STATE_LABELS,
    "decline_reason_label": DECLINE_REASON_LABELS,
    "escalation_label": ESCALATION_LABELS,
    "referral_event_label": EVENT_LABELS,
    "send_category_label": SEND_CATEGORY_LABELS,
    "youth_act_ground_label": YOUTH_ACT_GROUND_LABELS,
}


def _filter(table: dict[str, object]) -> object:
    return lambda value: label(table, "youth_act_11" if value is None else str(value))


for _name, _table in _FILTERS.items():
    bp.add_app_template_filter(_filter(_table), _name)  # type: ignore[arg-type]

# The main navigation's referral links, each shown when the policy allows its permission.
NAV = (
    ("referrals.inbox", Permission.REFERRAL_INBOX, _l("Inbox")),
    ("referrals.sent", Permission.REFERRAL_INBOX, _l("Sent referrals")),
    ("referrals.overview", Permission.REFERRAL_OVERVIEW, _l("Referral overview")),
)


def referral_links() -> list[tuple[str, str]]:
    """The referral pages the signed-in user may open (no database work: a role decision)."""
    if not current_user or not current_user.is_authenticated:
        return []
    user = actor()
    return [(endpoint, str(text)) for endpoint, permission, text in NAV if decide(user, permission)]


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"referral_links": referral_links}


def referral_or_404(referral_id: uuid.UUID) -> Referral:
    """The referral with this id; a missing one is 404 (the services decide who reaches it)."""
    try:
        return referrals.get_referral(db(), referral_id)
    except InputError:
        abort(404)


def page_number() -> int:
    """The `page` query argument; anything but a page number is a bad request."""
    form = PageForm(request.args)
    if not form.validate():
        abort(400)
    return int(form.page.data or 1)


def show_error(form: SiltaForm, exc: InputError) -> None:
    attach_error(form, exc.field, referral_error(exc.code))
