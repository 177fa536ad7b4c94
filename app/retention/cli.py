"""The retention commands (`flask retention sweep [--dry-run]`): what is due, under which rule,
and what waits and why; without `--dry-run` the persons due are then erased, each in a
committed transaction of their own (safe to interrupt and run again)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime

import click
from flask.cli import AppGroup

from app.commands import command_context, fail
from app.extensions import db
from app.operations.metrics import current_metrics
from app.retention.settings import retention_rules
from cases.retention import sweep
from cases.retention.due import PersonRetention
from cases.retention.rules import RetentionRules
from core.db import utcnow

retention_cli = AppGroup("retention", help="Retention of personal data.")


def _echo_listing(found: Sequence[PersonRetention]) -> None:
    for item in found:
        if item.due:
            click.echo(f"due    person {item.person_id}  rule {item.rule}  due on {item.due_on}")
    for item in found:
        if not item.due:
            reasons = ", ".join(item.waits)
            click.echo(
                f"waits  person {item.person_id}  waits: {reasons}  "
                f"(rule {item.rule}, not before {item.due_on})"
            )


@retention_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="List what is due and what waits; change nothing.")
def retention_sweep(dry_run: bool) -> None:
    """List the persons due for erasure with their rule and those who wait; then erase the due."""
    rules = retention_rules()
    now = utcnow()
    if not dry_run:
        _erase(rules, now)
        return
    session = db()
    found = sweep.dry_run(session, command_context("retention sweep"), rules, now)
    session.commit()
    click.echo(
        f"Retention dry run: person data is kept {rules.person_years} years after the later of "
        "registration and last case closure. Nothing was changed."
    )
    _echo_listing(found)
    due = sum(1 for item in found if item.due)
    click.echo(f"{due} due, {len(found) - due} waiting.")


def _on_terminal() -> bool:
    """A progress bar for a person at a terminal; a line per person for logs and timers."""
    return sys.stdout.isatty()


def _erase(rules: RetentionRules, now: datetime) -> None:
    click.echo(
        f"Retention sweep: person data is kept {rules.person_years} years after the later of "
        "registration and last case closure. Erasing the persons due:"
    )
    terminal = _on_terminal()
    erased = 0
    with ExitStack() as stack:
        advance: list[Callable[[int], None]] = []

        def listed(found: Sequence[PersonRetention]) -> None:
            _echo_listing(found)
            due = sum(1 for item in found if item.due)
            current_metrics().sweep_started(due)
            if terminal and due:
                bar = stack.enter_context(click.progressbar(length=due, label="Erasing"))
                advance.append(bar.update)

        def done(item: PersonRetention, was_erased: bool) -> None:
            nonlocal erased
            erased += was_erased
            current_metrics().sweep_progress(erased)
            if advance:
                advance[0](1)
            elif was_erased:
                click.echo(f"erased person {item.person_id}  rule {item.rule}")
            else:
                click.echo(f"kept   person {item.person_id}  no longer due (a hold or a case)")

        try:
            report = sweep.sweep(
                db(), command_context("retention sweep"), rules, now, listed=listed, done=done
            )
        except Exception as exc:  # any failure: say what is kept, then exit 1
            stack.close()
            fail(
                f"the sweep stopped ({type(exc).__name__}) after {erased} erasures, which are "
                "committed; run it again to erase the rest"
            )
            return
    current_metrics().sweep_done()
    click.echo(
        f"{len(report.erased)} erased, {len(report.skipped)} no longer due, "
        f"{report.waiting} waiting."
    )
    if not report.log_truncated:
        click.echo(
            "Warning: the database's write-ahead log was busy and still holds old pages; "
            "run the sweep again when the service is quiet.",
            err=True,
        )
