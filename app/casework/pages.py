"""What every case-work page shares: the blueprint, loading a case the user may act on, and
running a form's service call on the case's form page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.casework.messages import case_error
from app.casework.settings import case_rules
from app.extensions import db
from app.forms import attach_error
from app.security import audit_context, audit_denial
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case
from cases.inputs import InputError
from cases.policy import Decision, Permission, Reason, subject_of

bp = Blueprint("casework", __name__, url_prefix="/cases")
Found = TypeVar("Found")


def of_this_case(
    found: Found | None, case: Case, permission: Permission, object_type: str, object_id: uuid.UUID
) -> Found:
    """`found` (a record the service looked up within `case`), or an audited 404: an id of
    another case's note or consent in a URL is a probe, answered like a missing record and
    recorded with the case's young person as subject."""
    if found is None:
        denied = Decision(False, Reason.NOT_IN_CASE)
        audit_denial(permission, denied, object_type, object_id, subject=case.person_id)
        abort(404)
    return found


# Denials that mean "you may not reach this case at all": answered like a missing case.
_UNREACHABLE = {Reason.NOT_ON_TEAM, Reason.ROLE_NO_CONTENT, Reason.NOT_GRANTED}


def reachable_case(case_id: uuid.UUID, permission: Permission, disclosing: bool = False) -> Case:
    """Load a case and check the permission on it before anything of it is shown.

    Every denial is audited with the young person as its subject. A case the user may not
    reach answers 404 with the very page a missing case gets; on a closed case, new work is
    refused back on the case page.
    """
    reach = casework.reach_case(
        db(), audit_context(), case_id, permission, rules=case_rules(), disclosing=disclosing
    )
    if reach is None:
        abort(404)
    case, facts, decision = reach.case, reach.facts, reach.decision
    if decision.allowed:
        # The service on this request decides on the same facts: loaded once per request.
        g.case_loaded = reach.loaded
        g.case_facts = facts
        return case
    audit_denial(permission, decision, "case", case.id, subject=subject_of(facts))
    if decision.reason in _UNREACHABLE:
        abort(404)
    if decision.reason == Reason.CASE_CLOSED:
        flash(case_error("case_closed"), "error")
        abort(redirect(url_for("casework.detail", case_id=case.id)))
    abort(403)


def show_error(form: object, exc: InputError) -> None:
    rules = case_rules()
    message = case_error(
        exc.code,
        days=rules.consent_late_entry_days,
        years=rules.consent_max_years,
        months=rules.disclosure_max_months,
    )
    attach_error(form, exc.field, message)


def submit(
    form: Any, action: Callable[[], object], done: str, case: Case | None = None
) -> Response | int:
    """Run a form's service call: on success commit, say `done` and go to the case (`case`, or
    the one the action made); otherwise the status to render the form with, its errors set and
    nothing written."""
    if form.validate_on_submit():
        try:
            made = action()
        except InputError as exc:
            show_error(form, exc)
            return 400
        db().commit()
        flash(done, "info")
        target = case if case is not None else made
        assert isinstance(target, Case)  # noqa: S101 - an action without a case returns one
        return redirect(url_for("casework.detail", case_id=target.id))
    return 400 if form.is_submitted() else 200


def form_page(
    form: Any, case: Case, status: int, *, title: str, fields: list[str], **page: Any
) -> tuple[str, int]:
    """The case's form page (`casework/form.html`) with the named `fields` of `form`, and any
    more of the page (`hint`, `bases`), at `status`."""
    return render_template(
        "casework/form.html", form=form, case=case, title=title, fields=fields, **page
    ), status


def submit_page(
    form: Any,
    action: Callable[[], object],
    done: str,
    case: Case,
    *,
    title: str,
    fields: list[str],
    **page: Any,
) -> Response | tuple[str, int]:
    """`submit` the form with `action`; unless that redirects, its `form_page` at the status
    `submit` gave."""
    status = submit(form, action, done, case)
    if not isinstance(status, int):
        return status
    return form_page(form, case, status, title=title, fields=fields, **page)


def agency_choices(exclude: set[uuid.UUID] | None = None) -> list[tuple[str, str]]:
    return [
        (str(a.id), a.name)
        for a in accounts.active_agencies(db())
        if a.id not in (exclude or set())
    ]
