"""The sequencer chains every committed event, gaplessly, and signs checkpoints every 100."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db, silta
from audit.events import Action, AuditContext, record
from audit.models import AuditChain, AuditEvent, AuditPending
from audit.verify import verify
from cases.policy import CliActor
from tests.audit.helpers import record_events
from tests.conftest import requires_postgres


def _counts(app: Flask) -> tuple[int, int, int, list[int]]:
    with app.app_context():
        events = db().scalar(select(func.count()).select_from(AuditEvent))
        pending = db().scalar(select(func.count()).select_from(AuditPending))
        seqs = list(db().scalars(select(AuditChain.seq).order_by(AuditChain.seq)))
    return int(events or 0), int(pending or 0), len(seqs), seqs


def test_commit_chains_the_events(app: Flask) -> None:
    record_events(app, 7, per_commit=3)
    events, pending, chained, seqs = _counts(app)
    assert (events, pending, chained) == (7, 0, 7)
    assert seqs == list(range(1, 8))


def test_rolled_back_events_are_never_chained(app: Flask) -> None:
    with app.app_context():
        record(db(), AuditContext(CliActor("tests")), Action.DEMO_SEEDED)
        db().rollback()
        record(db(), AuditContext(CliActor("tests")), Action.DEMO_SEEDED)
        db().commit()
    assert _counts(app)[:3] == (1, 0, 1)


def test_checkpoint_after_crossing_each_hundred(app: Flask) -> None:
    record_events(app, 250, per_commit=60)
    directory = Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])
    lines = [
        json.loads(line) for f in directory.glob("*.jsonl") for line in f.read_text().splitlines()
    ]
    sizes = [line["size"] for line in lines]
    assert sizes == [120, 240]
    with app.app_context():
        checkpoint = silta().sequencer.checkpoint()
        assert checkpoint is not None and checkpoint.size == 250
        assert verify(silta().engine, silta().keys(), directory).ok


def test_empty_log_has_no_checkpoint(app: Flask) -> None:
    with app.app_context():
        assert silta().sequencer.checkpoint() is None


def test_threads_writing_at_once_leave_a_linear_gapless_chain(app: Flask) -> None:
    writers, per_writer = 8, 25
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with app.app_context():
                for index in range(per_writer):
                    record(db(), AuditContext(CliActor("thread")), Action.DEMO_SEEDED, number=index)
                    db().commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    events, pending, chained, seqs = _counts(app)
    assert events == chained == writers * per_writer
    assert pending == 0
    assert seqs == list(range(1, events + 1))
    with app.app_context():
        assert verify(
            silta().engine, silta().keys(), Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])
        ).ok


def _process_writer(db_url: str, keyring_path: str, checkpoint_dir: str, count: int) -> None:
    """Runs in a separate process: record and commit events one by one through the app."""
    from app import create_app
    from tests.conftest import base_config

    config = base_config(db_url, Path(keyring_path))
    config["SILTA_AUDIT_CHECKPOINT_DIR"] = checkpoint_dir
    app = create_app(config)
    with app.app_context():
        for index in range(count):
            record(db(), AuditContext(CliActor("process")), Action.DEMO_SEEDED, number=index)
            db().commit()
    app.extensions["silta"].dispose()


@requires_postgres
def test_processes_writing_at_once_leave_a_linear_gapless_chain(app: Flask) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    args = (
        app.config["SILTA_DATABASE_URL"],
        app.config["SILTA_KEYRING"],
        app.config["SILTA_AUDIT_CHECKPOINT_DIR"],
        40,
    )
    processes = [context.Process(target=_process_writer, args=args) for _ in range(6)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    events, pending, chained, seqs = _counts(app)
    assert events == chained == 240 and pending == 0
    assert seqs == list(range(1, 241))
    with app.app_context():
        assert verify(
            silta().engine, silta().keys(), Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])
        ).ok


def test_a_thread_per_request_server_does_not_run_out_of_connections(app: Flask) -> None:
    """Found by the issue-11 browser test on PostgreSQL: a server that starts a thread per
    request (Werkzeug's) left each finished thread's sequencer connection checked out, and the
    tenth commit waited for a connection for ever. Forty short-lived threads, one after
    another, each commit once (the sequencer's pool holds nine)."""
    errors: list[BaseException] = []

    def request() -> None:
        try:
            with app.app_context():
                record(db(), AuditContext(CliActor("request")), Action.DEMO_SEEDED)
                db().commit()
        except BaseException as exc:
            errors.append(exc)

    for _ in range(40):
        thread = threading.Thread(target=request, daemon=True)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive(), "a commit waited for a sequencer connection"
    assert not errors
    assert _counts(app)[:3] == (40, 0, 40)
