"""The statistics commands: `flask statistics backfill`, the one-off back-fill of the facts, and
`flask statistics prepare`, which protects every ended year's tables ahead of the analysts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command_context, fail
from app.extensions import db
from app.statistics.settings import this_year, threshold
from cases.inputs import InputError
from cases.statistics import services as statistics

statistics_cli = AppGroup("statistics", help="Anonymous statistics facts.")


@statistics_cli.command("backfill")
def statistics_backfill() -> None:
    """Count, once, the events that happened before facts were written live."""
    session = db()
    try:
        counts = statistics.backfill(session, command_context("statistics backfill"))
    except InputError as error:
        session.rollback()
        fail(f"not back-filled: {error.code}")
        return
    session.commit()
    total = sum(counts.values())
    click.echo(f"Back-filled {total} fact(s).")
    for event, count in sorted(counts.items()):
        click.echo(f"  {event}: {count}")


@statistics_cli.command("prepare")
def statistics_prepare() -> None:
    """Protect and store every ended year's tables (run it after New Year and after a
    back-fill), so that no analyst's page waits for the protection."""
    session = db()
    prepared = statistics.prepare_releases(
        session,
        command_context("statistics prepare"),
        threshold=threshold(),
        this_year=this_year(),
        # Each measure-year is served as soon as it is stored, and holds SQLite's one write
        # lock only for its own insert.
        after_each=session.commit,
    )
    session.commit()
    click.echo(f"Prepared {prepared} measure-year(s).")
