"""The notification mail over SMTP (`SILTA_SMTP_URL`, standard library `smtplib`): "You have a
new item in Silta" and a link to the notifications page, in the recipient's language. Nothing
else: no name, no agency, no referral, so a mail read by the wrong eyes tells nothing."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from flask_babel import force_locale, gettext

from app.i18n import LANGUAGES
from cases.notifications.outbox import PendingMail

TIMEOUT_SECONDS = 20
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class MailSettings:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    sender: str
    base_url: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings `create_app` checked, or None when mail is off."""
        url = config.get("SILTA_SMTP_URL")
        if not url:
            return None
        parts = urlsplit(url)
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=parts.port or DEFAULT_PORTS[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=str(config["SILTA_SMTP_FROM"]),
            base_url=str(config["SILTA_BASE_URL"]).rstrip("/"),
        )


def compose(settings: MailSettings, mail: PendingMail, default_locale: str) -> EmailMessage:
    """The mail to one user, in their stored language (else the default)."""
    locale = mail.locale if mail.locale in LANGUAGES else default_locale
    link = f"{settings.base_url}/notifications"
    with force_locale(locale):
        subject = gettext("You have a new item in Silta")
        body = "\n\n".join(
            [
                gettext("You have a new item in Silta: %(link)s", link=link),
                gettext("This message holds no details. Sign in to Silta to see the item."),
            ]
        )
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body + "\n")
    return message


def connect(settings: MailSettings) -> smtplib.SMTP:
    """An open, authenticated SMTP connection (TLS as the URL's scheme says)."""
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.scheme == "smtps":
        server = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
        if settings.scheme == "smtp+starttls":
            server.starttls(context=context)
    if settings.username:
        server.login(settings.username, settings.password or "")
    return server
