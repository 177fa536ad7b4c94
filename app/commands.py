"""What every operator command shares: its audit context, the keyring and a clean exit."""

from __future__ import annotations

import click
from flask import current_app

from app.extensions import silta
from audit.events import AuditContext
from cases.policy import CliActor
from core import keyring


def command_context(command: str) -> AuditContext:
    return AuditContext(CliActor(command))


def keyring_or_exit() -> keyring.KeyringFile:
    try:
        return silta().keys()
    except keyring.KeyringError as exc:
        fail(str(exc), 2)
        raise  # unreachable: fail exits


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    raise SystemExit(code)


def refuse_in_production(group: str = "demo") -> None:
    if current_app.config["SILTA_ENV"] == "production":
        fail(f"{group} commands are refused when SILTA_ENV=production")
