"""`flask retention sweep --dry-run` (issue 14, points 3 and 6): on the demo data it lists Aada
Arkisto (P5) as due under the closure rule, shows who waits and why, and writes nothing but its
own audit event; the sweep itself erases her under that rule (the log still verifies, the
statistics stay, her text is gone from the files) and a second run erases nothing; the years
come from configuration."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.config import ConfigError, load
from app.extensions import db
from app.retention import cli as retention_commands
from app.retention.settings import retention_rules
from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.persons import services as persons
from cases.persons.models import Person
from cases.retention import sweep as sweeping
from cases.statistics.models import StatisticsFact
from core.db import Base

P5 = "110203A312J"


def _counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def _p5_id(app: Flask) -> str:
    with app.app_context():
        person = persons.find_by_identity_code(db(), P5)
        assert person is not None
        return str(person.id)


class TestDryRun:
    def test_lists_aada_as_due_and_changes_nothing(self, demo_app: Flask) -> None:
        with demo_app.app_context():
            before = _counts(db())
            events = db().scalar(select(func.count()).select_from(AuditEvent))
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert (
            f"due    person {_p5_id(demo_app)}  rule person-5y-after-last-closure  due on "
            "2026-02-11"
        ) in result.output
        assert "1 due, 0 waiting." in result.output
        assert "Nothing was changed." in result.output
        with demo_app.app_context():
            assert _counts(db()) == before
            after = db().scalar(select(func.count()).select_from(AuditEvent))
            assert after == (events or 0) + 1
            event = db().scalar(
                select(AuditEvent).where(AuditEvent.action == "cli:retention:dry-run")
            )
            assert event is not None and event.actor_label == "cli:retention sweep"
            assert event.details == {"due": 1, "person_years": 5, "waiting": 0}
            assert event.subject_id is None

    def test_a_new_open_case_makes_aada_wait(self, demo_app: Flask) -> None:
        with demo_app.app_context():
            sanna = accounts.get_user_by_username(db(), "sanna")
            person = persons.find_by_identity_code(db(), P5)
            assert sanna is not None and person is not None
            casework.open_case(db(), AuditContext(sanna), person, ["housing"])
            db().commit()
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert (
            f"waits  person {_p5_id(demo_app)}  waits: case open  "
            "(rule person-5y-after-last-closure, not before 2026-02-11)"
        ) in result.output
        assert "0 due, 1 waiting." in result.output

    def test_more_years_make_nobody_due(self, demo_app: Flask) -> None:
        demo_app.config["SILTA_RETENTION_PERSON_YEARS"] = 10
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "kept 10 years" in result.output and "0 due, 0 waiting." in result.output


def _raw_files(app: Flask) -> bytes:
    with app.app_context():
        path = Path(make_url(app.config["SILTA_DATABASE_URL"]).database or "")
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _facts(app: Flask) -> int:
    with app.app_context():
        return db().scalar(select(func.count()).select_from(StatisticsFact)) or 0


class TestSweep:
    def test_erases_aada_under_her_rule_and_the_log_still_verifies(self, demo_app: Flask) -> None:
        p5 = _p5_id(demo_app)
        facts = _facts(demo_app)
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
        assert result.exit_code == 0, result.output
        assert f"due    person {p5}  rule person-5y-after-last-closure  due on 2026-02-11" in (
            result.output
        )
        assert f"erased person {p5}  rule person-5y-after-last-closure" in result.output
        assert "1 erased, 0 no longer due, 0 waiting." in result.output
        with demo_app.app_context():
            assert persons.find_by_identity_code(db(), P5) is None
            person = db().get(Person, uuid.UUID(p5))
            assert person is not None and person.erased_at is not None
            assert person.erasure_rule == "person-5y-after-last-closure"
            [summary] = db().scalars(
                select(AuditEvent).where(AuditEvent.action == "cli:retention:sweep")
            )
            assert summary.details == {
                "erased": 1,
                "skipped": 0,
                "waiting": 0,
                "person_years": 5,
            }
        assert _facts(demo_app) == facts
        verified = demo_app.test_cli_runner().invoke(args=["audit", "verify"])
        assert verified.exit_code == 0, verified.output

    def test_leaves_none_of_aadas_text_in_the_database_files(self, demo_app: Flask) -> None:
        if "sqlite" not in demo_app.config["SILTA_DATABASE_URL"]:
            pytest.skip("the raw files are SQLite's")
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
        assert result.exit_code == 0, result.output
        raw = _raw_files(demo_app)
        for text_of_aada in ("DEMO-P5-SOS-GENERAL", "Arkisto", "110203A312J"):
            assert text_of_aada.encode() not in raw

    def test_a_second_run_erases_nothing(self, demo_app: Flask) -> None:
        runner = demo_app.test_cli_runner()
        assert runner.invoke(args=["retention", "sweep"]).exit_code == 0
        again = runner.invoke(args=["retention", "sweep"])
        assert again.exit_code == 0, again.output
        assert "0 erased, 0 no longer due, 0 waiting." in again.output
        with demo_app.app_context():
            shredded = db().scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "person:shred")
            )
            assert shredded == 1

    def test_shows_a_progress_bar_at_a_terminal(
        self, demo_app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(retention_commands, "_on_terminal", lambda: True)
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
        assert result.exit_code == 0, result.output
        assert "Erasing" in result.output and "erased person" not in result.output
        assert "1 erased" in result.output

    def test_a_failure_says_what_is_kept_and_how_to_finish(
        self, demo_app: Flask, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*_args: object) -> bool:
            raise RuntimeError("disk full")

        monkeypatch.setattr(sweeping, "shred", broken)
        result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
        assert result.exit_code == 1
        assert "stopped (RuntimeError) after 0 erasures" in result.output
        assert "run it again" in result.output
        with demo_app.app_context():
            person = db().get(Person, uuid.UUID(_p5_id(demo_app)))
            assert person is not None and person.erased_at is None


class TestConfiguration:
    def test_default_and_set(self, clean_env, app: Flask) -> None:  # type: ignore[no-untyped-def]
        assert load(clean_env, {})["SILTA_RETENTION_PERSON_YEARS"] == 5
        assert (
            load(clean_env, {"SILTA_RETENTION_PERSON_YEARS": "7"})["SILTA_RETENTION_PERSON_YEARS"]
            == 7
        )
        with app.app_context():
            assert retention_rules().person_years == 5
            assert retention_rules().due_on(date(2021, 2, 11)) == date(2026, 2, 11)

    @pytest.mark.parametrize("value", ["0", "-1", "five"])
    def test_bad_values_are_named(self, clean_env, value: str) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ConfigError, match="SILTA_RETENTION_PERSON_YEARS"):
            load(clean_env, {"SILTA_RETENTION_PERSON_YEARS": value})


def test_make_run_does_not_sweep() -> None:
    makefile = (Path(__file__).parents[2] / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "demo seed" in run and "retention" not in run
