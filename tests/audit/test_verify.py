"""`audit verify` finds every kind of tampering and names the first bad sequence number."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db, silta
from audit.events import Action, AuditContext, record
from audit.models import AuditEvent
from audit.verify import VerifyResult, verify
from cases.policy import CliActor
from core import keyring
from core.db import utcnow
from tests.audit.helpers import event_id_at, record_events, rehash_from, tamper


@pytest.fixture
def logged(app: Flask) -> Flask:
    """An app whose log holds 250 chained events and signed checkpoints at 100 and 200."""
    record_events(app, 250, per_commit=50)
    return app


def _verify(app: Flask) -> VerifyResult:
    with app.app_context():
        return verify(
            silta().engine, silta().keys(), Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])
        )


def _checkpoint_file(app: Flask) -> Path:
    (path,) = Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"]).glob("*.jsonl")
    return path


def test_intact_log_verifies(logged: Flask) -> None:
    result = _verify(logged)
    assert result.ok and result.size == 250 and result.checkpoints == 2
    assert result.summary() == "audit log intact: 250 events, 2 checkpoints verified"


def test_edited_event(logged: Flask) -> None:
    tamper(
        logged,
        (
            "UPDATE audit_events SET action = 'auth:logout' WHERE id = :id",
            {"id": event_id_at(logged, 50)},
        ),
    )
    result = _verify(logged)
    assert not result.ok and result.bad_seq == 50 and result.code == "hash_mismatch"
    assert "sequence 50" in result.summary()


def test_deleted_event(logged: Flask) -> None:
    tamper(logged, ("DELETE FROM audit_events WHERE id = :id", {"id": event_id_at(logged, 77)}))
    result = _verify(logged)
    assert (result.ok, result.bad_seq, result.code) == (False, 77, "event_missing")


def test_deleted_chain_entry(logged: Flask) -> None:
    tamper(logged, ("DELETE FROM audit_chain WHERE seq = 90", {}))
    result = _verify(logged)
    assert (result.ok, result.bad_seq, result.code) == (False, 90, "entry_missing")


def test_reordered_events(logged: Flask) -> None:
    first, second = event_id_at(logged, 10), event_id_at(logged, 11)
    placeholder = uuid.uuid4()
    tamper(
        logged,
        ("UPDATE audit_chain SET event_id = :p WHERE seq = 10", {"p": placeholder}),
        ("UPDATE audit_chain SET event_id = :a WHERE seq = 11", {"a": first}),
        ("UPDATE audit_chain SET event_id = :b WHERE seq = 10", {"b": second}),
    )
    result = _verify(logged)
    assert (result.ok, result.bad_seq, result.code) == (False, 10, "hash_mismatch")


def test_inserted_event_outside_the_chain(logged: Flask) -> None:
    with logged.app_context():
        forged = AuditEvent(
            id=uuid.uuid4(),
            occurred_at=utcnow(),
            actor_label="cli:forger",
            action="auth:logout",
            bases=[],
            outcome="allowed",
            details={},
        )
        db().add(forged)
        db().commit()
    result = _verify(logged)
    assert (result.ok, result.code) == (False, "stray_event")


def test_inserted_event_inside_the_chain(logged: Flask) -> None:
    with logged.app_context():
        forged_id = uuid.uuid4()
        db().add(
            AuditEvent(
                id=forged_id,
                occurred_at=utcnow(),
                actor_label="cli:forger",
                action="auth:logout",
                bases=[],
                outcome="allowed",
                details={},
            )
        )
        db().commit()
    tamper(logged, ("UPDATE audit_chain SET event_id = :f WHERE seq = 120", {"f": forged_id}))
    result = _verify(logged)
    assert (result.ok, result.bad_seq, result.code) == (False, 120, "hash_mismatch")


def test_truncation_behind_a_checkpoint(logged: Flask) -> None:
    tamper(
        logged,
        ("DELETE FROM audit_chain WHERE seq > 150", {}),
    )
    rehash_from(logged, 1)
    result = _verify(logged)
    assert (result.ok, result.code) == (False, "truncated")
    assert "200 events" in (result.problem or "")


def test_rewrite_and_rehash_without_the_signing_key(logged: Flask) -> None:
    tamper(
        logged,
        (
            "UPDATE audit_events SET action = 'auth:logout' WHERE id = :id",
            {"id": event_id_at(logged, 30)},
        ),
    )
    rehash_from(logged, 30)
    result = _verify(logged)
    assert (result.ok, result.bad_seq, result.code) == (False, 100, "checkpoint_mismatch")


def test_altered_checkpoint_line(logged: Flask) -> None:
    path = _checkpoint_file(logged)
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["root"] = "00" * 32
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    result = _verify(logged)
    assert (result.ok, result.code) == (False, "checkpoint_invalid")
    assert "bad signature" in (result.problem or "")


def test_forged_checkpoint_line(logged: Flask) -> None:
    from audit import checkpoints

    forger_keys = keyring.generate()
    forged = checkpoints.sign(forger_keys, 250, bytes(32))
    checkpoints.append(Path(logged.config["SILTA_AUDIT_CHECKPOINT_DIR"]), forged)
    result = _verify(logged)
    assert (result.ok, result.code) == (False, "checkpoint_invalid")


def test_malformed_checkpoint_line(logged: Flask) -> None:
    with _checkpoint_file(logged).open("a") as handle:
        handle.write("{not json}\n")
    assert _verify(logged).code == "checkpoint_invalid"


def test_head_out_of_step(logged: Flask) -> None:
    tamper(logged, ("UPDATE audit_head SET size = 3", {}))
    assert _verify(logged).code == "head_mismatch"


def test_event_left_unsequenced_for_over_a_minute(app: Flask) -> None:
    with app.app_context():
        plain = silta().session_factory.kw["bind"]
        from sqlalchemy.orm import Session

        with Session(plain) as session:  # a session without the after-commit sequencer
            record(session, AuditContext(CliActor("tests")), Action.DEMO_SEEDED)
            session.commit()
        keys = silta().keys()
        directory = Path(app.config["SILTA_AUDIT_CHECKPOINT_DIR"])
        assert verify(silta().engine, keys, directory).ok
        later = verify(silta().engine, keys, directory, now=utcnow() + timedelta(minutes=2))
        assert (later.ok, later.code) == (False, "unsequenced")


def test_cli_verify_exit_codes_and_audit_event(logged: Flask) -> None:
    runner = logged.test_cli_runner()
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "audit log intact: 250 events" in intact.output
    tamper(
        logged,
        ("UPDATE audit_events SET action = 'x' WHERE id = :id", {"id": event_id_at(logged, 5)}),
    )
    damaged = runner.invoke(args=["audit", "verify"])
    assert damaged.exit_code == 1 and "sequence 5" in damaged.output
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
        assert [(e.details["intact"], e.details["result"]) for e in results] == [
            (True, "intact"),
            (False, "hash_mismatch"),
        ]


def test_cli_verify_without_a_keyring_is_a_configuration_error(
    logged: Flask, tmp_path: Path
) -> None:
    logged.extensions["silta"].keyring_path = tmp_path / "missing.json"
    logged.extensions["silta"]._keyring = None
    result = logged.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_cli_checkpoint(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert "empty" in runner.invoke(args=["audit", "checkpoint"]).output
    record_events(app, 3)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "3 events" in result.output
    line = json.loads(_checkpoint_file(app).read_text().splitlines()[-1])
    assert line["size"] == 3 and len(base64.b64decode(line["sig"])) == 64
