"""The retention commands (`flask retention sweep --dry-run`): what is due, under which rule,
and what waits and why. The erasure itself is not built yet, so a sweep without `--dry-run` is
refused."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command_context, fail
from app.extensions import db
from app.retention.settings import retention_rules
from cases.retention import sweep
from core.db import utcnow

retention_cli = AppGroup("retention", help="Retention of personal data.")


@retention_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="List what is due and what waits; change nothing.")
def retention_sweep(dry_run: bool) -> None:
    """List the persons due for erasure with their rule, and those who wait and why."""
    if not dry_run:
        fail("retention sweep: erasure is not built yet; run it with --dry-run")
        return
    rules = retention_rules()
    now = utcnow()
    session = db()
    found = sweep.dry_run(session, command_context("retention sweep"), rules, now)
    session.commit()
    click.echo(
        f"Retention dry run: person data is kept {rules.person_years} years after the later of "
        "registration and last case closure. Nothing was changed."
    )
    due = [item for item in found if item.due]
    waiting = [item for item in found if not item.due]
    for item in due:
        click.echo(f"due    person {item.person_id}  rule {item.rule}  due on {item.due_on}")
    for item in waiting:
        reasons = ", ".join(item.waits)
        click.echo(
            f"waits  person {item.person_id}  waits: {reasons}  "
            f"(rule {item.rule}, not before {item.due_on})"
        )
    click.echo(f"{len(due)} due, {len(waiting)} waiting.")
