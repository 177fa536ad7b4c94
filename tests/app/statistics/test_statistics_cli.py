"""`flask statistics prepare` (issue 13): every ended year of every measure is protected and
stored ahead, audited with counts (the store itself: tests/cases/statistics/test_stored.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.statistics.settings import this_year
from audit.events import Action
from audit.models import AuditEvent
from cases.statistics import services as statistics
from cases.statistics.counting import Counted
from cases.statistics.models import FactEvent, StatisticsRelease


def test_prepare_stores_every_ended_year_and_is_audited(app: Flask) -> None:
    with app.app_context():
        last_year = this_year() - 1
        facts = [
            Counted(
                event=FactEvent.CASE_OPENED,
                at=datetime(last_year, month, 10, 12, tzinfo=UTC),
                lead_kind="police",
                sending_kind=None,
                receiving_kind=None,
                concerns=("school_absence",),
                born=None,
                postal_code="00510",
                outcome=None,
            )
            for month in range(1, 13)
            for _ in range(month % 3 + 1)
        ]
        session = db()
        statistics.add_demo_facts(session, facts)
        session.commit()
    result = app.test_cli_runner().invoke(args=["statistics", "prepare"])
    assert result.exit_code == 0, result.output
    assert f"Prepared {len(FactEvent)} measure-year(s)." in result.output
    with app.app_context():
        session = db()
        assert session.scalar(select(func.count()).select_from(StatisticsRelease))
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.STATISTICS_PREPARED)
        ).one()
        assert event.details["measure_years"] == len(FactEvent)
