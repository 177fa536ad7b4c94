"""Sign-in flow: password → (new password) → (TOTP enrolment) → TOTP → server-side session."""

from __future__ import annotations

import time
import uuid

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.accounts.messages import PASSWORD_PROBLEMS, account_error
from app.auth.forms import ChangePasswordForm, CodeForm, LoginForm, NewPasswordForm, ReauthForm
from app.extensions import db, limiter, silta
from app.operations.metrics import current_metrics
from app.security import SignedInUser, actor, audit_context, principal, public, requires, safe_next
from cases.accounts import second_factor, signin, totp
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.inputs import InputError
from cases.policy import Permission
from core.db import utcnow

bp = Blueprint("auth", __name__)

PENDING = "silta_pending"
NEXT = "silta_next"
PENDING_SECONDS = 300


def _rate_limit() -> str:
    return str(current_app.config["SILTA_LOGIN_RATE_LIMIT"])


def _sign_in_failed() -> str:
    return str(
        _(
            "Sign-in failed. Check your username, password and code. After 5 failed attempts in a "
            "row the account is locked for 15 minutes."
        )
    )


def _start_pending(user: User) -> None:
    """The half-finished sign-in, in the signed cookie: who, when, and under which credential
    version (a reset or password change since then voids it)."""
    session[PENDING] = {"uid": str(user.id), "at": time.time(), "cv": user.credential_version}


def _pending_user() -> User | None:
    data = session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    try:
        user_id = uuid.UUID(str(data.get("uid")))
    except ValueError:
        session.pop(PENDING, None)
        return None
    user = signin.resume_pending_sign_in(db(), audit_context(), user_id, data.get("cv"))
    db().commit()
    if user is None:
        session.pop(PENDING, None)
    return user


def _next_stage(user: User) -> Response:
    if user.must_change_password:
        return redirect(url_for("auth.new_password"))
    if not user.totp_enrolled:
        return redirect(url_for("auth.enrol"))
    return redirect(url_for("auth.code"))


def _restart() -> Response:
    flash(_sign_in_failed(), "error")
    session.pop(PENDING, None)
    return redirect(url_for("auth.login"))


def _finish(user: User) -> Response:
    token, user_session = signin.complete_sign_in(db(), audit_context(), user)
    db().commit()
    next_url = session.get(NEXT)
    session.clear()
    login_user(SignedInUser(token, user_session))
    return redirect(safe_next(next_url, url_for("main.index")))


def _status(form: object) -> int:
    return 400 if getattr(form, "errors", None) else 200


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_rate_limit, methods=["POST"])
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = signin.check_password(
            db(),
            audit_context(),
            silta().keys(),
            silta().passwords,
            silta().auth,
            form.username.data,
            form.password.data,
        )
        db().commit()
        if user is None:
            current_metrics().sign_in_failed("password")
            form.form_errors.append(_sign_in_failed())
            return render_template("auth/login.html", form=form), 401
        session.clear()
        _start_pending(user)
        session[NEXT] = safe_next(request.args.get("next"), "")
        return _next_stage(user)
    return render_template("auth/login.html", form=form), _status(form)


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_rate_limit, methods=["POST"])
def code() -> Response | tuple[str, int]:
    user = _pending_user()
    if user is None or user.must_change_password or not user.totp_enrolled:
        return _restart() if user is None else _next_stage(user)
    form = CodeForm()
    if form.validate_on_submit():
        ok = second_factor.check_totp(
            db(), audit_context(), silta().keys(), silta().auth, user, form.code.data
        )
        db().commit()
        if ok:
            return _finish(user)
        current_metrics().sign_in_failed("totp")
        if not accounts.may_sign_in(user, utcnow()):
            return _restart()
        form.form_errors.append(_sign_in_failed())
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form), _status(form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
@limiter.limit(_rate_limit, methods=["POST"])
def enrol() -> Response | tuple[str, int]:
    user = _pending_user()
    if user is None or user.must_change_password or user.totp_enrolled:
        return _restart() if user is None else _next_stage(user)
    secret = second_factor.begin_totp_enrolment(db(), silta().keys(), user)
    db().commit()
    form = CodeForm()
    submitted = form.validate_on_submit()
    status = _status(form)
    if submitted:
        ok = second_factor.confirm_totp_enrolment(
            db(), audit_context(), silta().keys(), silta().auth, user, form.code.data
        )
        db().commit()
        if ok:
            return _finish(user)
        current_metrics().sign_in_failed("totp")
        if not accounts.may_sign_in(user, utcnow()):
            return _restart()
        form.code.errors = [_("The code was not accepted. Check the time on your phone.")]
        status = 400
    uri = totp.provisioning_uri(secret, user.username)
    # segno renders an <svg> of paths only (no script, no style), which the CSP allows inline.
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=5, title=_("Sign-in QR code")))  # noqa: S704  # nosec B704  # segno's SVG
    manual = " ".join(totp.to_base32(secret)[i : i + 4] for i in range(0, 32, 4))
    return render_template("auth/enrol.html", form=form, qr=qr, manual=manual), status


@bp.route("/login/new-password", methods=["GET", "POST"])
@public
def new_password() -> Response | tuple[str, int]:
    user = _pending_user()
    if user is None or not user.must_change_password:
        return _restart() if user is None else _next_stage(user)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            signin.replace_temporary_password(
                db(), audit_context(), silta().passwords, user, form.new_password.data
            )
        except accounts.PasswordRejected as exc:
            form.new_password.errors = [str(PASSWORD_PROBLEMS[p]) for p in exc.problems]
        except InputError as exc:
            form.new_password.errors = [account_error(exc.code)]
        else:
            db().commit()
            # The password change gave the account a new credential version; carry it on
            # (the time limit of the half-finished sign-in still counts from the password step).
            session[PENDING] = {**session[PENDING], "cv": user.credential_version}
            return _next_stage(user)
    return render_template("auth/new_password.html", form=form), _status(form)


@bp.post("/logout")
@requires(Permission.ACCOUNT_MANAGE_OWN)
def logout() -> Response:
    signin.logout(db(), audit_context(), principal().session)
    db().commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@requires(Permission.ACCOUNT_MANAGE_OWN)
def logout_everywhere() -> Response:
    signin.logout_everywhere(db(), audit_context(), actor())
    db().commit()
    logout_user()
    session.clear()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE_OWN)
@limiter.limit(_rate_limit, methods=["POST"])
def account() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            signin.change_password(
                db(),
                audit_context(),
                silta().passwords,
                silta().auth,
                actor(),
                form.current_password.data,
                form.new_password.data,
                keep_session=principal().session,
            )
        except accounts.PasswordRejected as exc:
            form.new_password.errors = [str(PASSWORD_PROBLEMS[p]) for p in exc.problems]
        except InputError as exc:
            # A wrong current password is audited and counted: keep that record.
            db().commit()
            if principal().session.ended_at is not None:
                return _signed_out_by_lock()
            target = form.current_password if exc.field == "current_password" else form.new_password
            target.errors = [account_error(exc.code)]
        else:
            db().commit()
            flash(_("Your password has been changed. Your other sessions were signed out."), "info")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), _status(form)


def _signed_out_by_lock() -> Response:
    logout_user()
    session.clear()
    return _restart()


@bp.route("/reauthenticate", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE_OWN)
@limiter.limit(_rate_limit, methods=["POST"])
def reauthenticate() -> Response | tuple[str, int]:
    form = ReauthForm()
    target = safe_next(request.args.get("next"), url_for("main.index"))
    if form.validate_on_submit():
        ok = signin.reauthenticate(
            db(),
            audit_context(),
            silta().passwords,
            silta().auth,
            principal().session,
            form.password.data,
        )
        db().commit()
        if ok:
            return redirect(target)
        current_metrics().sign_in_failed("reauthentication")
        if principal().session.ended_at is not None:
            return _signed_out_by_lock()
        form.password.errors = [_("The password is not right.")]
        return render_template("auth/reauthenticate.html", form=form), 401
    return render_template("auth/reauthenticate.html", form=form), _status(form)
