"""SQLite connection handling: pooled connections, pragmas once each, and what a crash keeps.

WAL with `synchronous=NORMAL` does not sync the log at every commit. These tests show what that
costs: a process killed with SIGKILL (no chance to flush or roll back) loses no transaction it
committed, and never leaves a data row without its audit event or an event without its row.
A power cut or an OS crash can lose the last commits whole; README "Database connections".
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from audit.events import Action, AuditContext, record
from audit.models import AuditChain, AuditEvent, AuditPending
from audit.sequencer import Sequencer
from cases.accounts.models import Agency
from cases.policy import CliActor
from core.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, make_session_factory
from tests.databases import SqliteDatabases

# Commits a data row and its audit event in one transaction, over and over, printing each id
# only after its commit returned; chains after each commit, as the application does.
CHILD = """
import sys
from audit.events import Action, AuditContext, record
from audit.sequencer import Sequencer
from cases.accounts.models import Agency
from cases.policy import CliActor
from cases.policy import CliActor
from core.db import make_engine, make_session_factory

engine = make_engine(sys.argv[1])
factory = make_session_factory(engine)
sequencer = Sequencer(engine)
ctx = AuditContext(CliActor("crash-test"))
print("ready", flush=True)
for index in range(1_000_000):
    with factory() as session:
        agency = Agency(code=f"c{index}", name="crash test", kind="ngo")
        session.add(agency)
        session.flush()
        record(session, ctx, Action.AGENCY_CREATED, object_type="agency", object_id=agency.id)
        session.commit()
    print(agency.id, flush=True)
    sequencer.run()
"""


@pytest.fixture(scope="module")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite-db"))


@pytest.fixture
def engine(sqlite_databases: SqliteDatabases) -> Iterator[Engine]:
    url = sqlite_databases.new()
    made = make_engine(url)
    yield made
    made.dispose()
    sqlite_databases.drop(url)


def _pragma(connection: Any, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


class TestPooledConnections:
    def test_checkouts_reuse_one_connection_and_set_it_up_once(self, engine: Engine) -> None:
        opened: list[object] = []
        event.listen(engine, "connect", lambda dbapi, _record: opened.append(dbapi))
        for _ in range(5):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        assert len(opened) == 1

    def test_every_connection_has_the_pragmas(self, engine: Engine) -> None:
        with engine.connect() as connection:
            assert _pragma(connection, "foreign_keys") == 1
            assert _pragma(connection, "journal_mode") == "wal"
            assert _pragma(connection, "synchronous") == 1  # NORMAL
            assert _pragma(connection, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS
            # Deleted content is zeroed, not left in free pages (crypto-shredding, issue 14).
            assert _pragma(connection, "secure_delete") == 1

    def test_the_sequencer_gives_its_connection_back_as_it_found_it(self, engine: Engine) -> None:
        Sequencer(engine).run()
        with engine.connect() as connection:
            assert _pragma(connection, "busy_timeout") == SQLITE_BUSY_TIMEOUT_MS

    def test_more_threads_than_pooled_connections_do_not_wait(self, engine: Engine) -> None:
        held = [engine.connect() for _ in range(12)]
        try:
            for connection in held:
                connection.execute(text("SELECT 1"))
        finally:
            for connection in held:
                connection.close()


def _run_and_kill(url: str, delay: float) -> list[str]:
    """Start the committing child, SIGKILL it after `delay` seconds; the ids it reported."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    output, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # The last line may be cut off mid-id by the kill.
    reported = []
    for line in output.splitlines():
        try:
            reported.append(str(uuid.UUID(line.strip())))
        except ValueError:
            continue
    return reported


class TestCheckpointedBatches:
    def test_a_batch_a_checkpoint_covers_is_synced_to_disk_first(
        self, engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        synced: list[str] = []
        real_fsync = os.fsync
        monkeypatch.setattr(
            "audit.sequencer.os.fsync",
            lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real_fsync(fd),
        )
        factory = make_session_factory(engine)
        sequencer = Sequencer(engine)
        after_each = []
        for _ in range(3):  # 40, 80, 120 events: the third batch crosses event 100
            with factory() as session:
                for _ in range(40):
                    record(session, AuditContext(CliActor("tests")), Action.DEMO_SEEDED)
                session.commit()
            sequencer.run()
            after_each.append(len(synced))
        assert after_each == [0, 0, 1]
        assert synced == [f"{engine.url.database}-wal"]


class TestCrash:
    @pytest.mark.parametrize("delay", [0.05, 0.3, 0.8])
    def test_sigkill_loses_no_commit_and_splits_no_transaction(
        self, engine: Engine, delay: float
    ) -> None:
        url = engine.url.render_as_string(hide_password=False)
        random.seed(delay)
        reported = _run_and_kill(url, delay + random.uniform(0, 0.05))
        assert reported, "the child committed nothing before it was killed"
        with make_session_factory(engine)() as session:
            agencies = {str(i) for i in session.scalars(select(Agency.id))}
            audited = set(
                session.scalars(
                    select(AuditEvent.object_id).where(
                        AuditEvent.action == str(Action.AGENCY_CREATED)
                    )
                )
            )
        # Everything the child was told had committed is there, with its audit event ...
        assert set(reported) <= agencies
        # ... and no row is there without its event, nor an event without its row.
        assert agencies == audited
        # The chain picks up where the killed process left it: nothing stays unchained.
        Sequencer(engine).run()
        with engine.connect() as connection:
            events = connection.scalar(select(func.count()).select_from(AuditEvent))
            chained = connection.scalar(select(func.count()).select_from(AuditChain))
            pending = connection.scalar(select(func.count()).select_from(AuditPending))
            integrity = _pragma(connection, "integrity_check")
        assert (chained, pending) == (events, 0)
        assert integrity == "ok"
