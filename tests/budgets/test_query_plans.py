"""The hot pages' queries use indexes (issue 15, item 2), on PostgreSQL.

Every SELECT that the case page, the identity-code search, a supervisor's "my cases" and
queue, an agency's referral inbox, the auditor's per-person access report and log filter, the
start page, meetings, tasks, notifications, the referrals sent, the young person's summary and
an incremental `audit verify` send is captured with its parameters and explained with
`enable_seqscan` off: the planner then scans a table sequentially only when no index can serve
the query, which on the demo's small tables it would otherwise prefer. A sequential scan of any
table that grows with the city fails the test; the tables listed in SMALL stay a few hundred
rows (agencies, the chain head) and may be read whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from app.demo.persons import DEMO_PERSONS
from app.extensions import db
from cases.casework.models import Case
from cases.persons import services as persons
from tests.conftest import requires_postgres
from tests.helpers import csrf_token, open_session

pytestmark = requires_postgres

# Tables whose size does not grow with the young people, the cases or the log.
SMALL = {"agencies", "audit_head", "alembic_version", "statistics_releases"}


@dataclass
class Captured:
    selects: list[tuple[str, Any]] = field(default_factory=list)


@contextmanager
def capturing(engine: Engine) -> Iterator[Captured]:
    """Every SELECT sent on `engine` inside the block, with its parameters."""
    seen = Captured()

    def listener(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        if not many and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.selects.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _scans(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield plan["Node Type"], plan.get("Relation Name", "")
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _sequential_scans(engine: Engine, captured: Captured) -> list[str]:
    """The large tables each captured statement would read sequentially, with the statement."""
    found = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET enable_seqscan = off")
        for statement, parameters in captured.selects:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            (result,) = cursor.fetchone()
            plan = (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]
            for node, table in _scans(plan):
                if node == "Seq Scan" and table not in SMALL:
                    found.append(f"{table}: {' '.join(statement.split())[:600]}")
        raw.rollback()
    finally:
        raw.close()
    return found


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    open_session(app, client, username, reauthenticated=False)
    return client


def _p1(app: Flask) -> tuple[str, str, str]:
    """P1's identity code, person id and case id."""
    code = DEMO_PERSONS[0][4]
    with app.app_context():
        person = persons.find_by_identity_code(db(), code)
        assert person is not None
        person_id = str(person.id)
        case_id = str(db().scalar(select(Case.id).where(Case.person_id == person.id)))
        db().rollback()
    return code, person_id, case_id


def test_the_hot_pages_read_no_large_table_sequentially(demo_app: Flask) -> None:
    code, person_id, case_id = _p1(demo_app)
    sanna, helena = _client(demo_app, "sanna"), _client(demo_app, "helena")
    noora, aino = _client(demo_app, "noora"), _client(demo_app, "aino")
    search = {"csrf_token": csrf_token(sanna), "by": "code", "code-identity_code": code}
    engine = demo_app.extensions["silta"].engine
    pages = [
        (sanna, "GET", f"/cases/{case_id}", None),
        (sanna, "POST", "/persons/", search),
        (helena, "GET", "/cases/", None),
        (helena, "GET", "/cases/queue", None),
        (noora, "GET", "/referrals/inbox", None),
        (aino, "GET", f"/audit/report?subject={person_id}", None),
        (aino, "GET", "/audit/?action=case:read", None),
        # The working day's other lists: the start page, meetings, tasks, notifications, the
        # referrals sent, and the young person's summary.
        (sanna, "GET", "/", None),
        (sanna, "GET", "/meetings", None),
        (noora, "GET", "/meetings/tasks", None),
        (helena, "GET", "/meetings/review", None),
        (sanna, "GET", "/notifications/", None),
        (sanna, "GET", "/referrals/sent", None),
        (sanna, "GET", f"/cases/{case_id}/summary", None),
        (sanna, "GET", f"/cases/{case_id}/referrals", None),
    ]
    problems = []
    for client, method, path, form in pages:
        client.open(path, method=method, data=form)  # warm: what every first request loads
        with capturing(engine) as captured:
            response = client.open(path, method=method, data=form)
        assert response.status_code == 200, (path, response.text[:2000])
        assert captured.selects, path
        problems += [f"{path}: {scan}" for scan in _sequential_scans(engine, captured)]
    runner = demo_app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with capturing(engine) as captured:
        verified = runner.invoke(args=["audit", "verify", "--incremental"])
    assert verified.exit_code == 0, verified.output
    problems += [
        f"audit verify --incremental: {scan}" for scan in _sequential_scans(engine, captured)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table", sorted(SMALL))
def test_the_small_tables_exist(demo_app: Flask, table: str) -> None:
    """SMALL names real tables (a renamed table must not slip out of the check)."""
    engine = demo_app.extensions["silta"].engine
    with engine.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT to_regclass('{table}')").scalar() is not None
