"""The notification commands (`flask notifications …`), for cron: mail the outbox, escalate
overdue referrals; and an account's notification address."""

from __future__ import annotations

import contextlib
import smtplib
import uuid

import click
from flask import current_app
from flask.cli import AppGroup

from app.commands import command_context, fail
from app.extensions import db
from app.notifications.mail import MailSettings, compose, connect
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.inputs import InputError
from cases.notifications import addresses, outbox
from cases.notifications.outbox import PendingMail
from cases.referrals import services as referrals

notifications_cli = AppGroup("notifications", help="Notification mail and escalation (cron).")


@notifications_cli.command("mail")
def notifications_mail() -> None:
    """Mail "You have a new item in Silta" to every user with unread, unmailed notifications."""
    settings = MailSettings.from_config(current_app.config)
    if settings is None:
        click.echo("SILTA_SMTP_URL is not set: notification mail is off; nothing mailed.")
        return
    ctx = command_context("notifications mail")
    session = db()
    try:
        server = connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        fail(f"cannot reach the SMTP server ({type(exc).__name__}); nothing was marked mailed")
        return
    sent, failed = _send_waiting(server, settings, ctx)
    outbox.record_run(session, ctx, sent, failed)
    session.commit()
    click.echo(f"Mailed {len(sent)} user(s).")
    if failed:
        fail(f"{failed} mail(s) failed; their notifications stay waiting for the next run")


def _send_waiting(
    server: smtplib.SMTP, settings: MailSettings, ctx: AuditContext
) -> tuple[list[PendingMail], int]:
    """Send every waiting mail once; each accepted one is marked and committed at once, so a
    crash later loses nothing. A refused recipient is skipped (tried again next run); a lost
    connection ends the run."""
    session = db()
    sent: list[PendingMail] = []
    tried: set[uuid.UUID] = set()
    failed = 0
    try:
        while batch := outbox.pending_mail(session, ctx, exclude=tried):
            for mail in batch:
                tried.add(mail.user_id)
                try:
                    server.send_message(compose(settings, mail, _default_locale()))
                except smtplib.SMTPRecipientsRefused:
                    failed += 1
                    continue
                outbox.mark_mailed(session, mail)
                session.commit()
                sent.append(mail)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.error("notification mail failed: %s", type(exc).__name__)
        failed += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
    return sent, failed


def _default_locale() -> str:
    return str(current_app.config["SILTA_DEFAULT_LOCALE"])


@notifications_cli.command("escalate")
def notifications_escalate() -> None:
    """Escalate every overdue referral (once per deadline) to the receiving supervisors."""
    ctx = command_context("notifications escalate")
    total = 0
    while True:
        done = referrals.escalate_overdue(db(), ctx)
        db().commit()
        total += len(done)
        if len(done) < referrals.ESCALATION_BATCH:
            break
    click.echo(f"Escalated {total} overdue deadline(s).")


@notifications_cli.command("email")
@click.argument("username")
@click.argument("address", required=False)
@click.option("--clear", is_flag=True, help="Remove the address: no more notification mail.")
def notifications_email(username: str, address: str | None, clear: bool) -> None:
    """Set the address USERNAME's notification mail goes to (or --clear it)."""
    if bool(address) == clear:
        fail("give an ADDRESS or --clear", 2)
    user = accounts.get_user_by_username(db(), username)
    if user is None:
        fail(f"no account {username!r}")
        return
    try:
        addresses.set_email(db(), command_context("notifications email"), user, address)
    except InputError:
        fail("that is not an e-mail address")
        return
    db().commit()
    click.echo(f"Notification mail for {username}: {'off' if clear else 'on'}.")
