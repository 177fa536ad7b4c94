"""Incremental `audit verify`: resumes from the newest signed checkpoint, checks what came after."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db, silta
from audit import checkpoints
from audit.events import Action
from audit.models import AuditEvent
from audit.sequencer import chain_t, read_head
from audit.verify import STRAY_MARGIN, VerifyResult, verify
from core import keyring
from core.db import utcnow
from tests.audit.helpers import event_id_at, record_events, rehash_from, tamper


@pytest.fixture
def logged(app: Flask) -> Flask:
    """250 chained events; the sequencer signed resumable checkpoints at 100 and 200."""
    record_events(app, 250, per_commit=50)
    return app


def _directory(app: Flask) -> Path:
    return Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])


def _verify(app: Flask, *, incremental: bool) -> VerifyResult:
    with app.app_context():
        return verify(silta().engine, silta().keys(), _directory(app), incremental=incremental)


def _lines(app: Flask) -> list[dict[str, object]]:
    (path,) = _directory(app).glob("*.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write_lines(app: Flask, lines: list[dict[str, object]]) -> None:
    (path,) = _directory(app).glob("*.jsonl")
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _stray(occurred_at: datetime) -> AuditEvent:
    """An event inserted straight into the table, outside the chain and the queue."""
    return AuditEvent(
        id=uuid.uuid4(),
        occurred_at=occurred_at,
        actor_label="cli:forger",
        action="auth:logout",
        bases=[],
        outcome="allowed",
        details={},
    )


def _edit_action(app: Flask, seq: int) -> None:
    tamper(
        app,
        (
            "UPDATE audit_events SET action = 'auth:logout' WHERE id = :id",
            {"id": event_id_at(app, seq)},
        ),
    )


class TestCheckpointLines:
    def test_new_lines_carry_the_chain_hash_and_frontier_under_the_signature(
        self, logged: Flask
    ) -> None:
        lines = _lines(logged)
        assert [line["size"] for line in lines] == [100, 200]
        for line in lines:
            assert line["v"] == 2 and len(bytes.fromhex(str(line["hash"]))) == 32
            frontier = line["frontier"]
            assert isinstance(frontier, list) and len(frontier) == bin(
                int(str(line["size"]))
            ).count("1")
        with logged.app_context(), silta().engine.connect() as connection:
            stored = connection.execute(
                select(chain_t.c.hash).where(chain_t.c.seq == 200)
            ).scalar_one()
        assert bytes.fromhex(str(lines[1]["hash"])) == bytes(stored)

    @pytest.mark.parametrize(
        "change",
        [
            {"hash": "00" * 32},
            {"frontier": ["00" * 32] * 3},
            {"size": 250},
        ],
    )
    def test_an_altered_resume_field_is_refused(
        self, logged: Flask, change: dict[str, object]
    ) -> None:
        lines = _lines(logged)
        _write_lines(logged, [lines[0], {**lines[1], **change}])
        for incremental in (True, False):
            result = _verify(logged, incremental=incremental)
            assert (result.ok, result.code) == (False, "checkpoint_invalid")

    def test_stripping_the_resume_fields_breaks_the_signature(self, logged: Flask) -> None:
        lines = _lines(logged)
        old = {k: v for k, v in lines[1].items() if k not in ("hash", "frontier")}
        _write_lines(logged, [lines[0], {**old, "v": 1}])
        result = _verify(logged, incremental=True)
        assert (result.ok, result.code) == (False, "checkpoint_invalid")
        assert "bad signature" in (result.problem or "")

    def test_a_line_signed_by_another_key_is_refused(self, logged: Flask) -> None:
        with logged.app_context(), silta().engine.connect() as connection:
            head = read_head(connection)
        forged = checkpoints.sign(
            keyring.generate(),
            head.size,
            head.frontier.root(),
            head=head.hash,
            frontier=list(head.frontier.nodes),
        )
        checkpoints.append(_directory(logged), forged)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.code) == (False, "checkpoint_invalid")

    def test_a_signed_frontier_that_does_not_give_the_root_is_refused(self, logged: Flask) -> None:
        with logged.app_context():
            bad = checkpoints.sign(
                silta().keys(), 250, bytes(32), head=bytes(32), frontier=[bytes(32)] * 6
            )
        checkpoints.append(_directory(logged), bad)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.code) == (False, "checkpoint_invalid")
        assert "does not match its root" in (result.problem or "")


class TestIncrementalVerify:
    def test_intact_log_is_checked_after_the_newest_checkpoint(self, logged: Flask) -> None:
        progress: list[int] = []
        with logged.app_context():
            result = verify(
                silta().engine,
                silta().keys(),
                _directory(logged),
                progress=progress.append,
                incremental=True,
            )
        assert (result.ok, result.mode, result.since, result.size) == (
            True,
            "incremental",
            200,
            250,
        )
        assert sum(progress) == 250 and progress[0] == 200  # the bar jumps to the checkpoint
        assert result.summary() == (
            "audit log intact: 250 events (50 after the signed checkpoint at 200 checked),"
            " 2 checkpoints verified"
        )

    def test_tampering_after_the_checkpoint_is_caught(self, logged: Flask) -> None:
        _edit_action(logged, 230)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.bad_seq, result.code) == (False, 230, "hash_mismatch")

    def test_tampering_before_the_checkpoint_is_left_to_a_full_verify(self, logged: Flask) -> None:
        _edit_action(logged, 50)
        # Incremental re-reads only the covered head row (200) and what follows: it passes.
        assert _verify(logged, incremental=True).ok
        full = _verify(logged, incremental=False)
        assert (full.ok, full.bad_seq, full.code) == (False, 50, "hash_mismatch")

    def test_an_edit_of_the_covered_head_row_is_caught(self, logged: Flask) -> None:
        _edit_action(logged, 200)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.bad_seq, result.code) == (False, 200, "checkpoint_mismatch")
        assert "(log rewritten)" in (result.problem or "")

    def test_a_rehash_before_the_checkpoint_reaches_the_head_row(self, logged: Flask) -> None:
        # A forger without the signing key who edits an old event and recomputes every hash
        # changes the stored hash at 200, which the signed checkpoint names.
        _edit_action(logged, 30)
        rehash_from(logged, 30)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.bad_seq, result.code) == (False, 200, "checkpoint_mismatch")

    def test_a_deleted_entry_before_the_head_row_is_caught(self, logged: Flask) -> None:
        tamper(logged, ("DELETE FROM audit_chain WHERE seq = 199", {}))
        result = _verify(logged, incremental=True)
        assert (result.ok, result.bad_seq, result.code) == (False, 199, "entry_missing")

    def test_a_deleted_head_event_is_caught(self, logged: Flask) -> None:
        tamper(
            logged, ("DELETE FROM audit_events WHERE id = :id", {"id": event_id_at(logged, 200)})
        )
        result = _verify(logged, incremental=True)
        assert (result.ok, result.bad_seq, result.code) == (False, 200, "event_missing")

    def test_truncation_behind_the_newest_checkpoint(self, logged: Flask) -> None:
        tamper(logged, ("DELETE FROM audit_chain WHERE seq > 150", {}))
        rehash_from(logged, 1)
        result = _verify(logged, incremental=True)
        assert (result.ok, result.code) == (False, "truncated")
        assert result.problem == "log truncated: a checkpoint names 200 events, the chain has 150"

    def test_a_recent_stray_event_is_caught_an_old_dated_one_left_to_full(
        self, logged: Flask
    ) -> None:
        with logged.app_context():
            db().add(_stray(utcnow()))
            db().commit()
        assert _verify(logged, incremental=True).code == "stray_event"
        tamper(logged, ("DELETE FROM audit_events WHERE actor_label = 'cli:forger'", {}))
        with logged.app_context():
            db().add(_stray(utcnow() - STRAY_MARGIN - timedelta(minutes=5)))
            db().commit()
        assert _verify(logged, incremental=True).ok
        assert _verify(logged, incremental=False).code == "stray_event"

    def test_the_head_after_the_checkpoint_is_checked(self, logged: Flask) -> None:
        tamper(logged, ("UPDATE audit_head SET size = 3", {}))
        assert _verify(logged, incremental=True).code == "head_mismatch"

    def test_checkpoints_that_disagree_at_the_same_size_are_caught(self, logged: Flask) -> None:
        with logged.app_context():
            other = checkpoints.sign(silta().keys(), 200, bytes(32))
        checkpoints.append(_directory(logged), other)
        assert _verify(logged, incremental=True).code == "checkpoint_conflict"

    def test_resumes_from_a_checkpoint_at_the_first_event(self, app: Flask) -> None:
        record_events(app, 1)
        assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
        record_events(app, 4)  # after the checkpoint's own audit event (2)
        result = _verify(app, incremental=True)
        assert (result.ok, result.since, result.size) == (True, 1, 6)

    def test_resuming_continues_the_frontier_to_later_checkpoints(self, logged: Flask) -> None:
        record_events(logged, 50)  # reaches 300: a new signed checkpoint
        record_events(logged, 30)
        assert [line["size"] for line in _lines(logged)] == [100, 200, 300]
        result = _verify(logged, incremental=True)
        assert (result.ok, result.since, result.size) == (True, 300, 330)
        _edit_action(logged, 310)
        assert _verify(logged, incremental=True).bad_seq == 310


def _downgrade(app: Flask) -> None:
    """Replace the lines with version 1 lines (size and root only), as older releases wrote."""
    with app.app_context():
        old = [
            checkpoints.sign(
                silta().keys(), int(str(line["size"])), bytes.fromhex(str(line["root"]))
            )
            for line in _lines(app)
        ]
    for path in _directory(app).glob("*.jsonl"):
        path.unlink()
    for checkpoint in old:
        checkpoints.append(_directory(app), checkpoint)
    assert all(line["v"] == 1 and "hash" not in line for line in _lines(app))


class TestOldCheckpointLines:
    def test_old_lines_verify_in_full(self, logged: Flask) -> None:
        _downgrade(logged)
        result = _verify(logged, incremental=False)
        assert (result.ok, result.checkpoints, result.mode) == (True, 2, "full")

    def test_incremental_falls_back_to_full_and_says_so(self, logged: Flask) -> None:
        _downgrade(logged)
        _edit_action(logged, 50)
        result = _verify(logged, incremental=True)
        assert (result.mode, result.bad_seq, result.code) == ("full", 50, "hash_mismatch")
        assert "no chain hash" in (result.note or "")
        assert "(at 200 events)" in (result.note or "")

    def test_without_any_checkpoint_incremental_runs_in_full(self, app: Flask) -> None:
        record_events(app, 5)
        result = _verify(app, incremental=True)
        assert (result.ok, result.mode, result.size) == (True, "full", 5)
        assert "no signed checkpoint" in (result.note or "")


class TestCommand:
    def test_incremental_flag_exit_codes_and_audit_event(self, logged: Flask) -> None:
        runner = logged.test_cli_runner()
        intact = runner.invoke(args=["audit", "verify", "--incremental"])
        assert intact.exit_code == 0, intact.output
        assert "50 after the signed checkpoint at 200" in intact.output
        full = runner.invoke(args=["audit", "verify", "--full"])
        assert full.exit_code == 0 and "audit log intact: 251 events, 2" in full.output
        _edit_action(logged, 240)
        damaged = runner.invoke(args=["audit", "verify", "--incremental"])
        assert damaged.exit_code == 1 and "sequence 240" in damaged.output
        with logged.app_context():
            results = (
                db()
                .scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action == Action.AUDIT_VERIFIED)
                    .order_by(AuditEvent.occurred_at)
                )
                .all()
            )
        assert [
            (e.details["mode"], e.details.get("since"), e.details["result"]) for e in results
        ] == [
            ("incremental", 200, "intact"),
            ("full", None, "intact"),
            ("incremental", 200, "hash_mismatch"),
        ]

    def test_the_fallback_is_announced(self, logged: Flask) -> None:
        _downgrade(logged)
        result = logged.test_cli_runner().invoke(args=["audit", "verify", "--incremental"])
        assert result.exit_code == 0
        assert "Incremental verify not possible" in result.output
        assert "audit log intact: 250 events, 2 checkpoints verified" in result.output
