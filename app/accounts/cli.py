"""Operator commands for agencies and accounts (`flask agencies …`, `flask users …`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts.messages import PASSWORD_PROBLEMS
from app.commands import command_context, fail
from app.extensions import db, silta
from audit.events import Action, Outcome, record
from cases.accounts import admin as admin_services
from cases.accounts import release
from cases.accounts import services as accounts
from cases.accounts.models import AgencyKind, Role
from cases.inputs import InputError
from cases.policy import PolicyDenied

agencies_cli = AppGroup("agencies", help="Manage agencies.")


users_cli = AppGroup("users", help="Manage user accounts.")


@agencies_cli.command("create")
@click.option("--code", required=True, help="Short unique code, e.g. sos.")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([k.value for k in AgencyKind]))
def agencies_create(code: str, name: str, kind: str) -> None:
    """Create an agency."""
    try:
        agency = admin_services.create_agency(
            db(), command_context("agencies create"), code, name, kind
        )
    except InputError as exc:
        fail(f"{exc.field}: {exc.code}")
    db().commit()
    click.echo(f"Agency {agency.code} created.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.password_option(help="Read from a prompt; never pass it on the command line.")
def users_create(
    username: str, display_name: str, agency_code: str, role: str, password: str
) -> None:
    """Create an account; TOTP is enrolled at first sign-in."""
    agency = accounts.get_agency_by_code(db(), agency_code)
    if agency is None:
        fail(f"no agency with code {agency_code}")
        return
    try:
        user, _ = admin_services.create_user(
            db(),
            command_context("users create"),
            silta().passwords,
            username=username,
            display_name=display_name,
            agency=agency,
            role=role,
            password=password,
        )
    except accounts.PasswordRejected as exc:
        fail(" ".join(str(PASSWORD_PROBLEMS[p]) for p in exc.problems))
        return
    except InputError as exc:
        fail(f"{exc.field}: {exc.code}")
        return
    db().commit()
    click.echo(f"User {user.username} created; they enrol TOTP at first sign-in.")


@users_cli.command("release")
@click.argument("username")
def users_release(username: str) -> None:
    """Release a practitioner's pending credential where the agency has no other supervisor;
    prints the temporary password to hand over in person."""
    user = accounts.get_user_by_username(db(), username)
    if user is None:
        fail(f"no user {username}")
        return
    try:
        temporary = release.release_credential(
            db(), command_context("users release"), silta().passwords, user
        )
    except PolicyDenied as exc:
        db().rollback()
        record(
            db(),
            command_context("users release"),
            Action.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            object_type="user",
            object_id=user.id,
            permission=str(exc.permission),
            reason=str(exc.decision.reason),
        )
        db().commit()
        fail(
            f"{user.agency.code} has an active supervisor; they release it at "
            "Credentials to release in Silta"
        )
        return
    except InputError as exc:
        fail(f"{username}: {exc.code}")
        return
    db().commit()
    click.echo(f"Credential of {user.username} released. Temporary password (hand over in person):")
    click.echo(temporary)
