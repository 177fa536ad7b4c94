"""Register maintenance commands (`flask persons …`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command_context
from app.extensions import db
from cases.persons import upgrades as person_upgrades

persons_cli = AppGroup("persons", help="Maintain stored person records.")


@persons_cli.command("reclean-names")
def persons_reclean_names() -> None:
    """Give every person whose stored names predate the name rules a cleaned version."""
    result = person_upgrades.reclean_names(db(), command_context("persons reclean-names"))
    db().commit()
    click.echo(f"Wrote a cleaned version for {result.corrected} person(s).")
    if result.left_for_review:
        click.echo(
            f"{result.left_for_review} person(s) have details that fail today's checks: "
            "correct them on their person page."
        )
