"""The notifications page, the header's unread count, and the mail command against a real
local SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from app.extensions import db
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.notifications import services as notifications
from tests.app.casework_helpers import signed_in
from tests.helpers import post


def _count(text: str) -> str | None:
    found = re.search(r"Notifications(?: <span class=\"count\">\((\S+) unread\)</span>)?</a>", text)
    return None if found is None else (found.group(1) or "0")


def test_pekka_sees_the_unread_count_and_opens_r1_notification(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    page = sanna.get("/notifications/")
    assert page.status_code == 200
    auditor = signed_in(demo_app, demo_accounts, "aino")
    assert _count(auditor.get("/").text) is None
    assert auditor.get("/notifications/").status_code == 403
    with demo_app.app_context():
        user = accounts.get_user_by_username(db(), "sanna")
        listing = notifications.list_page(db(), AuditContext(user))
    if not listing.items:
        pytest.skip("the demo seed writes no notifications on this branch")
    first = listing.items[0]
    opened = post(sanna, f"/notifications/{first.id}/open")
    assert opened.status_code == 302
    assert opened.location.endswith(f"/referrals/{first.referral_id}")
    other = signed_in(demo_app, demo_accounts, "pekka")
    assert post(other, f"/notifications/{first.id}/open").status_code == 404


def test_bad_page_number_is_400(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    sanna = signed_in(demo_app, demo_accounts, "sanna")
    assert sanna.get("/notifications/?page=x").status_code == 400
    assert sanna.get("/notifications/?page=%D9%A3").status_code == 400
    assert post(sanna, "/notifications/read", {"until": "nonsense"}).status_code == 400


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def test_the_mail_command_mails_once_with_no_personal_data(make_app: Any) -> None:
    handler = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = make_app(
            SILTA_SMTP_URL=f"smtp://127.0.0.1:{port}",
            SILTA_SMTP_FROM="silta@example.test",
            SILTA_BASE_URL="https://silta.example.test",
        )
        from tests.cases.referrals.scenario import scene

        with app.app_context():
            s = scene(db())
            s.send()
            db().commit()
        runner = app.test_cli_runner()
        assert (
            runner.invoke(args=["notifications", "email", "noora", "noora@example.test"]).exit_code
            == 0
        )
        result = runner.invoke(args=["notifications", "mail"])
        assert result.exit_code == 0, result.output
        assert len(handler.messages) == 1
        body = handler.messages[0].content.decode()
        assert "You have a new item in Silta" in body
        assert "https://silta.example.test/notifications" in body
        assert "Virtanen" not in body and "DEMO-TEST" not in body
        again = runner.invoke(args=["notifications", "mail"])
        assert again.exit_code == 0 and len(handler.messages) == 1
    finally:
        controller.stop()


def test_the_mail_command_keeps_the_outbox_when_the_server_is_down(make_app: Any) -> None:
    app = make_app(
        SILTA_SMTP_URL="smtp://127.0.0.1:9",
        SILTA_SMTP_FROM="silta@example.test",
        SILTA_BASE_URL="https://silta.example.test",
    )
    result = app.test_cli_runner().invoke(args=["notifications", "mail"])
    assert result.exit_code == 1 and "nothing was marked mailed" in result.output


def test_escalate_command_runs(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["notifications", "escalate"])
    assert result.exit_code == 0 and "Escalated 0" in result.output
