"""Audit log commands (`flask audit …`): the signed checkpoint and the verification."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.commands import command_context, keyring_or_exit
from app.extensions import db, silta
from audit.events import Action, record
from audit.sequencer import read_head
from cases.oversight import workspace as auditing

audit_cli = AppGroup("audit", help="Verify and checkpoint the audit log.")


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Sequence pending events and append a signed checkpoint of the head (run from cron)."""
    keys = keyring_or_exit()
    del keys
    checkpoint = silta().sequencer.checkpoint()
    if checkpoint is None:
        click.echo("The audit log is empty; nothing to checkpoint.")
        return
    record(
        db(), command_context("audit checkpoint"), Action.AUDIT_CHECKPOINTED, size=checkpoint.size
    )
    db().commit()
    click.echo(f"Checkpoint signed at {checkpoint.size} events.")


@audit_cli.command("verify")
@click.option(
    "--incremental/--full",
    default=False,
    help="Resume from the newest signed checkpoint and check only what came after it"
    " (default: --full, the whole chain).",
)
def audit_verify(incremental: bool) -> None:
    """Recompute the chain and check every checkpoint: exit 0 intact, 1 damaged, 2 misconfigured."""
    keys = keyring_or_exit()
    engine = silta().engine
    with engine.connect() as connection:
        total = read_head(connection).size
    show = sys.stderr.isatty()
    with click.progressbar(
        length=total, label="Verifying", file=sys.stderr if show else None
    ) as bar:
        result = auditing.run_verification(
            db(),
            command_context("audit verify"),
            engine,
            silta().sequencer,
            keys,
            silta().checkpoint_dir,
            progress=bar.update if show else None,
            incremental=incremental,
        )
    db().commit()
    if result.note is not None:
        click.echo(f"Incremental verify not possible: {result.note}.", err=True)
    click.echo(result.summary())
    if not result.ok:
        raise SystemExit(1)
