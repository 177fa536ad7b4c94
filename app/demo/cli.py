"""Demo commands (`flask demo …`), refused in production."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import demo as demo_data
from app.commands import fail, keyring_or_exit, refuse_in_production
from app.extensions import db, silta
from cases.accounts import services as accounts
from cases.accounts import totp

demo_cli = AppGroup("demo", help="Demo data (refused in production).")


@demo_cli.command("seed")
@click.option("--accounts-json", type=click.Path(dir_okay=False, path_type=Path), default=None)
def demo_seed(accounts_json: Path | None) -> None:
    """Create the demo data where missing and write the demo logins to a file (mode 0600)."""
    refuse_in_production()
    listing = demo_data.seed(db(), keyring_or_exit(), silta().passwords)
    db().commit()
    silta().sequencer.checkpoint()
    path = accounts_json or Path(current_app.config["SILTA_DEMO_ACCOUNTS"])
    demo_data.write_accounts_file(path, listing)
    click.echo(f"Demo data ready; {len(listing)} demo logins written to {path}.")


@demo_cli.command("code")
@click.argument("username")
def demo_code(username: str) -> None:
    """Print a demo account's current TOTP code."""
    refuse_in_production()
    user = accounts.get_user_by_username(db(), username)
    if user is None or not user.is_demo or not user.totp_enrolled:
        fail("not a demo account")
        return
    secret = accounts.totp_secret(db(), keyring_or_exit(), user)
    click.echo(totp.code_at(secret, datetime.now(UTC)))


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo logins."""
    refuse_in_production()
    listing = demo_data.demo_accounts(db(), keyring_or_exit())
    click.echo(f"{'username':<10} {'password':<18} {'role':<11} agency")
    for account in listing:
        click.echo(
            f"{account['username']:<10} {account['password']:<18} {account['role']:<11} "
            f"{account['agency']}"
        )
