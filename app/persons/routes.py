"""The register of young people: search, register, view, edit and history.

Searches are POSTs so that identity codes and names never appear in URLs, browser history or
access logs.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import attach_error
from app.persons.forms import CodeSearchForm, NameSearchForm, PersonForm
from app.persons.messages import person_error
from app.security import audit_context, requires
from cases.inputs import InputError
from cases.persons import services as persons
from cases.persons.models import Person
from cases.policy import Permission

bp = Blueprint("persons", __name__, url_prefix="/persons")


def _person(person_id: uuid.UUID) -> Person:
    person = persons.get_person(db(), person_id)
    if person is None:
        abort(404)
    return person


def _show_error(form: PersonForm | CodeSearchForm | NameSearchForm, exc: InputError) -> None:
    field = exc.field
    if field == "guardians" and isinstance(form, PersonForm) and getattr(form, field, None) is None:
        field = "guardian1_name"
    attach_error(form, field, person_error(exc.code))


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.PERSON_SEARCH)
def search() -> tuple[str, int]:
    by_code = CodeSearchForm(prefix="code")
    by_name = NameSearchForm(prefix="name")
    results: list[persons.PersonSummary] | None = None
    status = 200
    if request.method == "POST":
        chosen = by_code if request.form.get("by") == "code" else by_name
        if chosen.validate_on_submit():
            try:
                if chosen is by_code:
                    results = persons.search_by_identity_code(
                        db(), audit_context(), by_code.identity_code.data
                    )
                else:
                    results = persons.search_by_name(
                        db(), audit_context(), by_name.surname.data, by_name.birth_date.data
                    )
            except InputError as exc:
                _show_error(chosen, exc)
                status = 400
            else:
                db().commit()
        else:
            status = 400
    return render_template(
        "persons/search.html", by_code=by_code, by_name=by_name, results=results
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.PERSON_CREATE)
def create() -> Response | tuple[str, int]:
    form = PersonForm()
    duplicates: list[persons.PersonSummary] = []
    status = 200
    if form.validate_on_submit():
        try:
            person = persons.register(
                db(), audit_context(), form.details(), confirmed=bool(form.confirm_duplicate.data)
            )
        except InputError as exc:
            _show_error(form, exc)
            status = 400
        except persons.PossibleDuplicate as warning:
            # The warning itself shows personal data, so its read events are committed.
            db().commit()
            duplicates = warning.matches
            status = 409
        else:
            db().commit()
            flash(_("The person was registered."), "info")
            return redirect(url_for("persons.detail", person_id=person.id))
    elif form.is_submitted():
        status = 400
    return render_template(
        "persons/form.html", form=form, duplicates=duplicates, person=None
    ), status


@bp.get("/<uuid:person_id>")
@requires(Permission.PERSON_READ)
def detail(person_id: uuid.UUID) -> str:
    shown = persons.view(db(), audit_context(), _person(person_id))
    db().commit()
    return render_template("persons/detail.html", shown=shown)


@bp.route("/<uuid:person_id>/edit", methods=["GET", "POST"])
@requires(Permission.PERSON_UPDATE)
def edit(person_id: uuid.UUID) -> Response | tuple[str, int]:
    person = _person(person_id)
    # Before the form is looked at: an invisible person answers 404 whatever was posted.
    persons.authorize_about(db(), audit_context(), Permission.PERSON_UPDATE, person)
    form = PersonForm()
    status = 200
    if form.validate_on_submit():
        try:
            persons.update(db(), audit_context(), person, form.details())
        except InputError as exc:
            _show_error(form, exc)
            status = 400
        else:
            db().commit()
            flash(_("The changes were saved as a new version."), "info")
            return redirect(url_for("persons.detail", person_id=person.id))
    elif form.is_submitted():
        status = 400
    else:
        shown = persons.view(db(), audit_context(), person)
        db().commit()
        if shown.details is None:
            flash(person_error("erased"), "error")
            return redirect(url_for("persons.detail", person_id=person.id))
        form.fill(shown.details)
    return render_template("persons/form.html", form=form, duplicates=[], person=person), status


@bp.get("/<uuid:person_id>/history")
@requires(Permission.PERSON_READ)
def history(person_id: uuid.UUID) -> str:
    person = _person(person_id)
    versions = persons.history(db(), audit_context(), person)
    db().commit()
    return render_template("persons/history.html", person=person, versions=versions)
