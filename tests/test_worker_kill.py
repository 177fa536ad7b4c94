"""A gunicorn worker killed with SIGKILL mid-work, twenty times, on PostgreSQL (issue 15, item 4).

Three signed-in caseworkers write notes on P1's case and read its page while a random worker of
two is killed, each time once the master has brought both back. A request the kill cut off gets
no answer (the client cannot know whether it committed); every other answer is a success. After
the kills: every note a client was told it saved is there, every note has its one audit event,
every case page served has its `case:read` event, no event is lost from the chain queue, and
`audit verify` passes against a signed checkpoint.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from audit.events import Action, AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.accounts import signin
from cases.casework.models import Case, CaseNote
from cases.persons import services as persons
from core.db import make_engine
from tests.conftest import requires_postgres
from tests.processes import ROOT, command_environment, lost_events, verified

pytestmark = [requires_postgres, pytest.mark.slow]

KILLS = 20
CLIENTS = 3
WRITER = "sanna"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Tally:
    """What the clients were told, shared by their threads."""

    saved: set[str] = field(default_factory=set)  # note markers answered with the redirect
    pages: int = 0  # case pages served
    cut_off: int = 0  # requests a kill left without an answer
    other: Counter[int] = field(default_factory=Counter)  # any other status
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One signed-in browser: a cookie jar of one session cookie, over plain http.client."""

    def __init__(self, port: int, cookie_name: str, cookie: str) -> None:
        self.port = port
        self.cookies = {cookie_name: cookie}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            "Accept-Language": "en",
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return response.status, text
        finally:
            connection.close()


def _work(client: Client, case_path: str, name: str, tally: Tally, stop: threading.Event) -> None:
    serial = 0
    while not stop.is_set():
        serial += 1
        marker = f"WORKER-KILL-{name}-{serial}"
        try:
            status, page = client.request("GET", f"{case_path}/notes/new")
            if status != 200:
                with tally.lock:
                    tally.other[status] += 1
                continue
            token = CSRF.search(page)
            assert token is not None, page[:2000]
            form = {
                "csrf_token": token[1],
                "category": "general",
                "sensitivity": "normal",
                "body": marker,
            }
            status, _ = client.request("POST", f"{case_path}/notes/new", form)
            with tally.lock:
                if status == 302:
                    tally.saved.add(marker)
                else:
                    tally.other[status] += 1
            status, _ = client.request("GET", case_path)
            with tally.lock:
                if status == 200:
                    tally.pages += 1
                else:
                    tally.other[status] += 1
        except (ConnectionError, http.client.HTTPException, TimeoutError):
            with tally.lock:
                tally.cut_off += 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _until_serving(master: subprocess.Popen[bytes], port: int, replaced: set[int]) -> None:
    """Wait until the master runs two workers, none of them in `replaced`, and answers."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert master.poll() is None, "gunicorn's master exited"
        workers = _workers(master.pid)
        if len(workers) == 2 and not replaced & set(workers):
            try:
                if Client(port, "-", "").request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
        time.sleep(0.05)
    raise AssertionError("gunicorn did not bring its workers back within 120 s")


def _prepare(app: Flask) -> tuple[str, list[str], uuid.UUID]:
    """P1's case path, CLIENTS signed session cookies of the writer, and the case id."""
    with app.app_context():
        session = db()
        person = persons.find_by_identity_code(session, "140310A1230")
        assert person is not None
        case = session.scalars(select(Case).where(Case.person_id == person.id)).one()
        writer = accounts.get_user_by_username(session, WRITER)
        assert writer is not None
        tokens = [
            signin.complete_sign_in(session, AuditContext(None), writer)[0] for _ in range(CLIENTS)
        ]
        session.commit()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        cookies = [serializer.dumps({"_user_id": token, "_fresh": True}) for token in tokens]
        return f"/cases/{case.id}", cookies, case.id


def _note_bodies(app: Flask, case_id: uuid.UUID) -> dict[str, uuid.UUID]:
    with app.app_context():
        session = db()
        notes = {
            str(note.body): note.id
            for note in session.scalars(select(CaseNote).where(CaseNote.case_id == case_id))
        }
        session.rollback()
    return notes


def test_killed_workers_lose_no_answered_write_and_no_audit_event(
    demo_app: Flask, tmp_path: Path
) -> None:
    rng = random.Random(15_4_3)
    case_path, cookies, case_id = _prepare(demo_app)
    env = command_environment(demo_app)
    engine = make_engine(demo_app.config["SILTA_DATABASE_URL"])
    with engine.connect() as connection:
        reads_before = int(
            connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == Action.CASE_READ)
            )
            or 0
        )
    notes_before = set(_note_bodies(demo_app, case_id))
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    master = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--graceful-timeout",
            "5",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    tally, stop = Tally(), threading.Event()
    name = demo_app.config["SESSION_COOKIE_NAME"]
    clients = [
        threading.Thread(
            target=_work, args=(Client(port, name, cookie), case_path, str(i), tally, stop)
        )
        for i, cookie in enumerate(cookies)
    ]
    try:
        _until_serving(master, port, set())
        for thread in clients:
            thread.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.2, 1.0))  # the clients write and read meanwhile
            victim = rng.choice(_workers(master.pid))
            os.kill(victim, signal.SIGKILL)
            _until_serving(master, port, {victim})
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=120)
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=60)

    assert not tally.other, (tally.other, log.read_text()[-3000:])
    assert tally.saved and tally.pages, tally
    notes = _note_bodies(demo_app, case_id)
    new = {body: note_id for body, note_id in notes.items() if body not in notes_before}
    # Every write a client was told succeeded is there; a cut-off one may be too.
    assert tally.saved <= set(new)
    assert len(new) <= len(tally.saved) + tally.cut_off
    with engine.connect() as connection:
        written = Counter(
            connection.scalars(
                select(AuditEvent.object_id).where(AuditEvent.action == Action.NOTE_WRITTEN)
            )
        )
        reads = int(
            connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == Action.CASE_READ)
            )
            or 0
        )
    assert all(written[str(note_id)] == 1 for note_id in new.values()), written
    assert reads - reads_before >= tally.pages
    assert lost_events(engine) == 0
    engine.dispose()
    verified(env)
