"""Operator commands: keys, database, agencies, users and the demo."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

import migrations
from app import demo as demo_data
from app.extensions import db, silta
from app.messages import PASSWORD_PROBLEMS
from audit.events import Action, AuditContext, Outcome, record
from audit.sequencer import read_head
from cases import keys as key_services
from cases.accounts import admin as admin_services
from cases.accounts import release, totp
from cases.accounts import services as accounts
from cases.accounts.models import AgencyKind, Role
from cases.casework import upgrades as data_upgrades
from cases.inputs import InputError
from cases.oversight import workspace as auditing
from cases.persons import upgrades as person_upgrades
from cases.policy import CliActor, PolicyDenied
from core import datakeys, keyring

keys_cli = AppGroup("keys", help="Manage the keyring.")
db_cli = AppGroup("db", help="Manage the database schema.")
agencies_cli = AppGroup("agencies", help="Manage agencies.")
users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data (refused in production).")
audit_cli = AppGroup("audit", help="Verify and checkpoint the audit log.")
persons_cli = AppGroup("persons", help="Maintain stored person records.")


def _ctx(command: str) -> AuditContext:
    return AuditContext(CliActor(command))


def _keys() -> keyring.KeyringFile:
    try:
        return silta().keys()
    except keyring.KeyringError as exc:
        _fail(str(exc), 2)
        raise  # unreachable: _fail exits


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


@keys_cli.command("init")
def keys_init() -> None:
    """Create the keyring file (mode 0600); refuse to overwrite an existing one."""
    path = current_app.config.get("SILTA_KEYRING")
    if not path:
        _fail("SILTA_KEYRING is not set", 2)
        return
    try:
        keyring.write_new(Path(path), keyring.generate())
    except keyring.KeyringError as exc:
        _fail(str(exc))
    click.echo(f"Keyring written to {path}. Keep a copy offline; distribute it to every host.")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Add a key-encryption key version and make it current (then distribute, then rewrap)."""
    try:
        version = key_services.rotate(db(), _ctx("keys rotate"), _keys())
    except keyring.KeyringError as exc:
        _fail(str(exc), 2)
        return
    db().commit()
    click.echo(
        f"Key-encryption key version {version} is now current. Copy the keyring file to every "
        "host, then run 'flask keys rewrap'."
    )


@keys_cli.command("rewrap")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
def keys_rewrap(batch_size: int) -> None:
    """Re-wrap every data key under the current key-encryption key (resumable)."""
    keys = _keys()
    total = datakeys.count_needing_rewrap(db(), keys)
    show = sys.stderr.isatty()
    with click.progressbar(
        length=total, label="Re-wrapping", file=sys.stderr if show else None
    ) as bar:
        done = key_services.rewrap(
            db(), _ctx("keys rewrap"), keys, batch_size, progress=bar.update if show else None
        )
    db().commit()
    click.echo(f"{done} data keys re-wrapped under version {keys.current_kek_version}.")


@keys_cli.command("status")
def keys_status() -> None:
    """Count the data keys wrapped under each key-encryption key version."""
    result = key_services.status(db(), _ctx("keys status"), _keys())
    db().commit()
    click.echo(f"Keyring versions: {', '.join(map(str, result.keyring_versions))}")
    click.echo(f"Current version: {result.current}")
    for version in sorted(set(result.live_by_version) | set(result.keyring_versions)):
        click.echo(f"  version {version}: {result.live_by_version.get(version, 0)} data keys")
    click.echo(f"Shredded data keys: {result.shredded}")
    if result.needing_rewrap:
        click.echo(f"{result.needing_rewrap} data keys need 'flask keys rewrap'.")


@keys_cli.command("retire")
@click.argument("version", type=click.IntRange(1))
def keys_retire(version: int) -> None:
    """Remove a key-encryption key version from the keyring; refused while anything uses it."""
    try:
        key_services.retire(db(), _ctx("keys retire"), _keys(), version)
    except (key_services.KeyInUse, keyring.KeyringError) as exc:
        _fail(str(exc))
        return
    db().commit()
    click.echo(f"Version {version} removed from the keyring. Distribute the file to every host.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema, then run the data upgrades that need keys."""
    migrations.upgrade(current_app.config["SILTA_DATABASE_URL"])
    current_app.logger.info("database migrated to the newest schema")
    try:
        filled = data_upgrades.backfill_consent_birth_dates(db(), _ctx("db upgrade"))
    except keyring.KeyringError as exc:
        db().rollback()
        _fail(f"{exc} (the schema is migrated; run `db upgrade` again with the keyring)", 2)
        return
    db().commit()
    if filled:
        click.echo(
            f"Filled in the recorded birth date of {filled} consent(s) recorded before "
            "revision 0007."
        )
    click.echo("Database is at the newest schema.")


@agencies_cli.command("create")
@click.option("--code", required=True, help="Short unique code, e.g. sos.")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([k.value for k in AgencyKind]))
def agencies_create(code: str, name: str, kind: str) -> None:
    """Create an agency."""
    try:
        agency = admin_services.create_agency(db(), _ctx("agencies create"), code, name, kind)
    except InputError as exc:
        _fail(f"{exc.field}: {exc.code}")
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
        _fail(f"no agency with code {agency_code}")
        return
    try:
        user, _ = admin_services.create_user(
            db(),
            _ctx("users create"),
            silta().passwords,
            username=username,
            display_name=display_name,
            agency=agency,
            role=role,
            password=password,
        )
    except accounts.PasswordRejected as exc:
        _fail(" ".join(str(PASSWORD_PROBLEMS[p]) for p in exc.problems))
        return
    except InputError as exc:
        _fail(f"{exc.field}: {exc.code}")
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
        _fail(f"no user {username}")
        return
    try:
        temporary = release.release_credential(db(), _ctx("users release"), silta().passwords, user)
    except PolicyDenied as exc:
        db().rollback()
        record(
            db(),
            _ctx("users release"),
            Action.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            object_type="user",
            object_id=user.id,
            permission=str(exc.permission),
            reason=str(exc.decision.reason),
        )
        db().commit()
        _fail(
            f"{user.agency.code} has an active supervisor; they release it at "
            "Credentials to release in Silta"
        )
        return
    except InputError as exc:
        _fail(f"{username}: {exc.code}")
        return
    db().commit()
    click.echo(f"Credential of {user.username} released. Temporary password (hand over in person):")
    click.echo(temporary)


def _refuse_in_production() -> None:
    if current_app.config["SILTA_ENV"] == "production":
        _fail("demo commands are refused when SILTA_ENV=production")


@demo_cli.command("seed")
@click.option("--accounts-json", type=click.Path(dir_okay=False, path_type=Path), default=None)
def demo_seed(accounts_json: Path | None) -> None:
    """Create the demo data where missing and write the demo logins to a file (mode 0600)."""
    _refuse_in_production()
    listing = demo_data.seed(db(), _keys(), silta().passwords)
    db().commit()
    silta().sequencer.checkpoint()
    path = accounts_json or Path(current_app.config["SILTA_DEMO_ACCOUNTS"])
    demo_data.write_accounts_file(path, listing)
    click.echo(f"Demo data ready; {len(listing)} demo logins written to {path}.")


@demo_cli.command("code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print a demo account's current TOTP code."""
    _refuse_in_production()
    user = accounts.get_user_by_username(db(), username)
    if user is None or not user.is_demo or not user.totp_enrolled:
        _fail("not a demo account")
        return
    secret = accounts.totp_secret(db(), _keys(), user)
    click.echo(totp.code_at(secret, datetime.now(UTC)))


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    _refuse_in_production()
    listing = demo_data.demo_accounts(db(), _keys())
    click.echo(f"{'username':<10} {'password':<18} {'role':<11} agency")
    for account in listing:
        click.echo(
            f"{account['username']:<10} {account['password']:<18} {account['role']:<11} "
            f"{account['agency']}"
        )


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Sequence pending events and append a signed checkpoint of the head (run from cron)."""
    keys = _keys()
    del keys
    checkpoint = silta().sequencer.checkpoint()
    if checkpoint is None:
        click.echo("The audit log is empty; nothing to checkpoint.")
        return
    record(db(), _ctx("audit checkpoint"), Action.AUDIT_CHECKPOINTED, size=checkpoint.size)
    db().commit()
    click.echo(f"Checkpoint signed at {checkpoint.size} events.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the chain and check every checkpoint: exit 0 intact, 1 damaged, 2 misconfigured."""
    keys = _keys()
    engine = silta().engine
    with engine.connect() as connection:
        total = read_head(connection).size
    show = sys.stderr.isatty()
    with click.progressbar(
        length=total, label="Verifying", file=sys.stderr if show else None
    ) as bar:
        result = auditing.run_verification(
            db(),
            _ctx("audit verify"),
            engine,
            silta().sequencer,
            keys,
            silta().checkpoint_dir,
            progress=bar.update if show else None,
        )
    db().commit()
    click.echo(result.summary())
    if not result.ok:
        raise SystemExit(1)


@persons_cli.command("reclean-names")
def persons_reclean_names() -> None:
    """Give every person whose stored names predate the name rules a cleaned version."""
    result = person_upgrades.reclean_names(db(), _ctx("persons reclean-names"))
    db().commit()
    click.echo(f"Wrote a cleaned version for {result.corrected} person(s).")
    if result.left_for_review:
        click.echo(
            f"{result.left_for_review} person(s) have details that fail today's checks: "
            "correct them on their person page."
        )


def init_app(app: Flask) -> None:
    groups = (keys_cli, db_cli, agencies_cli, users_cli, demo_cli, audit_cli, persons_cli)
    for group in groups:
        app.cli.add_command(group)
