"""Admin pages: agencies and accounts (create, deactivate, reset password, unlock, end sessions)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.accounts.messages import account_error
from app.admin.forms import ActiveForm, AgencyForm, UserForm
from app.auth.forms import EmptyForm
from app.extensions import db, silta
from app.security import audit_context, fresh_required, requires
from cases.accounts import admin as admin_services
from cases.accounts import services as accounts
from cases.accounts.models import Agency, User
from cases.inputs import InputError
from cases.policy import Permission

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _agency(agency_id: uuid.UUID) -> Agency:
    agency = accounts.get_agency(db(), agency_id)
    if agency is None:
        abort(404)
    return agency


def _user(user_id: uuid.UUID) -> User:
    user = accounts.get_user(db(), user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/agencies", methods=["GET", "POST"])
@requires(Permission.AGENCY_LIST)
def agencies() -> Response | tuple[str, int]:
    form = AgencyForm()
    status = 200
    if form.validate_on_submit():
        try:
            agency = admin_services.create_agency(
                db(), audit_context(), form.code.data, form.name.data, form.kind.data
            )
        except InputError as exc:
            getattr(form, exc.field or "code").errors = [account_error(exc.code)]
            status = 400
        else:
            db().commit()
            flash(_("Agency %(code)s created.", code=agency.code), "info")
            return redirect(url_for("admin.agencies"))
    elif form.errors:
        status = 400
    listing = admin_services.list_agencies(db(), audit_context())
    return render_template(
        "admin/agencies.html", form=form, agencies=listing, toggle=ActiveForm()
    ), status


@bp.post("/agencies/<uuid:agency_id>/active")
@requires(Permission.AGENCY_SET_ACTIVE)
def agency_active(agency_id: uuid.UUID) -> Response:
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    agency = admin_services.set_agency_active(
        db(), audit_context(), _agency(agency_id), form.active.data == "1"
    )
    db().commit()
    flash(_("Agency %(code)s updated.", code=agency.code), "info")
    return redirect(url_for("admin.agencies"))


@bp.get("/users")
@requires(Permission.USER_LIST)
def users() -> str:
    return render_template(
        "admin/users.html", users=admin_services.list_users(db(), audit_context())
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.USER_CREATE)
@fresh_required
def new_user() -> Response | tuple[str, int]:
    form = UserForm()
    active_agencies = [a for a in admin_services.list_agencies(db(), audit_context()) if a.active]
    form.agency.choices = [SelectChoice(a.code, f"{a.code} – {a.name}") for a in active_agencies]
    status = 200
    if form.validate_on_submit():
        agency = accounts.get_agency_by_code(db(), form.agency.data)
        if agency is None:
            abort(400)
        try:
            user, temporary = admin_services.create_user(
                db(),
                audit_context(),
                silta().passwords,
                username=form.username.data,
                display_name=form.display_name.data,
                agency=agency,
                role=form.role.data,
            )
        except InputError as exc:
            getattr(form, exc.field or "username").errors = [account_error(exc.code)]
            status = 400
        else:
            db().commit()
            return _credential_page(user, temporary), 201
    elif form.errors:
        status = 400
    return render_template("admin/new_user.html", form=form), status


def _credential_page(user: User, temporary: str | None) -> str:
    if temporary is None:
        # A practitioner's credential: a supervisor of the agency releases it; the admin never
        # sees a password for an account that reads case content.
        return render_template("admin/pending_release.html", user=user)
    return render_template("admin/temporary_password.html", user=user, password=temporary)


@bp.get("/users/<uuid:user_id>")
@requires(Permission.USER_READ)
def user(user_id: uuid.UUID) -> str:
    overview = admin_services.user_overview(db(), audit_context(), silta().auth, _user(user_id))
    db().commit()
    return render_template(
        "admin/user.html",
        target=overview.user,
        live_sessions=overview.live_sessions,
        locked=overview.locked,
        toggle=ActiveForm(),
        button=EmptyForm(),
    )


@bp.post("/users/<uuid:user_id>/active")
@requires(Permission.USER_SET_ACTIVE)
def user_active(user_id: uuid.UUID) -> Response:
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        target = admin_services.set_user_active(
            db(), audit_context(), _user(user_id), form.active.data == "1"
        )
    except InputError as exc:
        flash(account_error(exc.code), "error")
    else:
        db().commit()
        flash(_("Account %(username)s updated.", username=target.username), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<uuid:user_id>/reset-password")
@requires(Permission.USER_RESET_PASSWORD)
@fresh_required
def reset_password(user_id: uuid.UUID) -> tuple[str, int]:
    target = _user(user_id)
    temporary = admin_services.reset_password(db(), audit_context(), silta().passwords, target)
    db().commit()
    return _credential_page(target, temporary), 200


@bp.post("/users/<uuid:user_id>/unlock")
@requires(Permission.USER_UNLOCK)
def unlock(user_id: uuid.UUID) -> Response:
    target = admin_services.unlock_user(db(), audit_context(), _user(user_id))
    db().commit()
    flash(_("Account %(username)s unlocked.", username=target.username), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<uuid:user_id>/end-sessions")
@requires(Permission.USER_END_SESSIONS)
def end_sessions(user_id: uuid.UUID) -> Response:
    target = _user(user_id)
    ended = admin_services.end_user_sessions(db(), audit_context(), target)
    db().commit()
    flash(_("%(n)d sessions ended.", n=ended), "info")
    return redirect(url_for("admin.user", user_id=user_id))
