"""Operator commands: the keyring and the schema here; each area's commands in its package
(`app.accounts.cli`, `app.persons.cli`, `app.demo.cli`, `app.auditing.cli`,
`app.notifications.cli`, `app.statistics.cli`, `app.retention.cli`, `app.bench.cli`), all
registered by `init_app`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

import migrations
from app.accounts.cli import agencies_cli, users_cli
from app.auditing.cli import audit_cli
from app.bench.cli import bench_cli
from app.commands import command_context, fail, keyring_or_exit
from app.demo.cli import demo_cli
from app.extensions import db
from app.notifications.cli import notifications_cli
from app.persons.cli import persons_cli
from app.retention.cli import retention_cli
from app.statistics.cli import statistics_cli
from cases import keys as key_services
from cases.casework import upgrades as data_upgrades
from core import datakeys, keyring

keys_cli = AppGroup("keys", help="Manage the keyring.")


db_cli = AppGroup("db", help="Manage the database schema.")


@keys_cli.command("init")
def keys_init() -> None:
    """Create the keyring file (mode 0600); refuse to overwrite an existing one."""
    path = current_app.config.get("SILTA_KEYRING")
    if not path:
        fail("SILTA_KEYRING is not set", 2)
        return
    try:
        keyring.write_new(Path(path), keyring.generate())
    except keyring.KeyringError as exc:
        fail(str(exc))
    click.echo(f"Keyring written to {path}. Keep a copy offline; distribute it to every host.")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Add a key-encryption key version and make it current (then distribute, then rewrap)."""
    try:
        version = key_services.rotate(db(), command_context("keys rotate"), keyring_or_exit())
    except keyring.KeyringError as exc:
        fail(str(exc), 2)
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
    keys = keyring_or_exit()
    total = datakeys.count_needing_rewrap(db(), keys)
    show = sys.stderr.isatty()
    with click.progressbar(
        length=total, label="Re-wrapping", file=sys.stderr if show else None
    ) as bar:
        done = key_services.rewrap(
            db(),
            command_context("keys rewrap"),
            keys,
            batch_size,
            progress=bar.update if show else None,
        )
    db().commit()
    click.echo(f"{done} data keys re-wrapped under version {keys.current_kek_version}.")


@keys_cli.command("status")
def keys_status() -> None:
    """Count the data keys wrapped under each key-encryption key version."""
    result = key_services.status(db(), command_context("keys status"), keyring_or_exit())
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
        key_services.retire(db(), command_context("keys retire"), keyring_or_exit(), version)
    except (key_services.KeyInUse, keyring.KeyringError) as exc:
        fail(str(exc))
        return
    db().commit()
    click.echo(f"Version {version} removed from the keyring. Distribute the file to every host.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema, then run the data upgrades that need keys."""
    migrations.upgrade(current_app.config["SILTA_DATABASE_URL"])
    current_app.logger.info("database migrated to the newest schema")
    try:
        filled = data_upgrades.backfill_consent_birth_dates(db(), command_context("db upgrade"))
    except keyring.KeyringError as exc:
        db().rollback()
        fail(f"{exc} (the schema is migrated; run `db upgrade` again with the keyring)", 2)
        return
    db().commit()
    if filled:
        click.echo(
            f"Filled in the recorded birth date of {filled} consent(s) recorded before "
            "revision 0007."
        )
    click.echo("Database is at the newest schema.")


def init_app(app: Flask) -> None:
    groups = (
        keys_cli,
        db_cli,
        agencies_cli,
        users_cli,
        demo_cli,
        audit_cli,
        persons_cli,
        notifications_cli,
        statistics_cli,
        retention_cli,
        bench_cli,
    )
    for group in groups:
        app.cli.add_command(group)
