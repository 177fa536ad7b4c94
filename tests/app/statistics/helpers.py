"""What the statistics page tests share: timo's client, the queries, the page's and the CSV's
suppressed cells and the statistics audit events."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from audit.models import AuditEvent
from tests.clock import work_day
from tests.helpers import open_session

OTHERS = ("sanna", "helena", "noora", "nelli", "pekka", "petri", "jari", "aino", "admin")
PATHS = ("/statistics", "/statistics/chart.svg", "/statistics/table.csv")


def client_for(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client


def this_year() -> int:
    """The calendar year now running where the work is done (not the machine's UTC year)."""
    return work_day().year


def query(**changes: str) -> dict[str, str]:
    """A query over the last two complete years: the demo's synthetic facts are there."""
    return {
        "measure": "case_opened",
        "first_year": str(this_year() - 2),
        "last_year": str(this_year() - 1),
        "granularity": "month",
        "breakdown": "agency_kind",
        "breakdown2": "none",
    } | changes


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


_CELL_RE = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
_ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.S)


def page_grid(html: str) -> list[list[str]]:
    """The statistics table's body and footer rows as text: "–a"/"–b" where suppressed."""
    table = html.split('id="statistics-table"', 1)[1].split("</table>", 1)[0]
    body = table.split("</thead>", 1)[1]
    rows = []
    for row in _ROW_RE.findall(body):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in _CELL_RE.findall(row)]
        rows.append(cells[1:])  # without the row header
    return rows


def statistics_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = list(
            db().scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(("statistics:read", "statistics:export")))
                .order_by(AuditEvent.occurred_at)
            )
        )
        for event in events:
            db().expunge(event)
        return events


def denials(app: Flask) -> list[dict[str, Any]]:
    with app.app_context():
        return [
            {"actor": e.actor_label, **e.details}
            for e in db().scalars(
                select(AuditEvent).where(AuditEvent.action == "policy:access:denied")
            )
        ]
