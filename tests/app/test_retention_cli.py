"""`flask retention sweep --dry-run` (issue 14, points 3 and 6): on the demo data it lists Aada
Arkisto (P5) as due under the closure rule, shows who waits and why, and writes nothing but its
own audit event; the sweep without `--dry-run` is refused; the years come from configuration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.config import ConfigError, load
from app.extensions import db
from app.retention.settings import retention_rules
from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.persons import services as persons
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


def test_the_sweep_itself_is_refused_as_not_built(demo_app: Flask) -> None:
    with demo_app.app_context():
        events = db().scalar(select(func.count()).select_from(AuditEvent))
    result = demo_app.test_cli_runner().invoke(args=["retention", "sweep"])
    assert result.exit_code != 0
    assert "not built yet" in result.output
    with demo_app.app_context():
        assert db().scalar(select(func.count()).select_from(AuditEvent)) == events
        assert (
            db().execute(text("SELECT erased_at FROM persons WHERE erased_at IS NOT NULL")).all()
            == []
        )


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
