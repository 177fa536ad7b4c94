"""Synthetic facts for the demo (issue 13, point 6), marked `demo` so a table that counts any
says so. Only `demo seed` adds them (refused in production by the command)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.sharing import local_day
from cases.statistics.counting import Counted, age_band, district_of, month_of
from cases.statistics.models import StatisticsFact


def has_demo_facts(session: Session) -> bool:
    return session.scalar(select(StatisticsFact.id).where(StatisticsFact.demo).limit(1)) is not None


def add_demo_facts(
    session: Session, facts: Iterable[Counted], rules: CaseRules = DEFAULT_RULES
) -> int:
    rows = [
        StatisticsFact(
            month=month_of(f.at, rules),
            event=f.event,
            lead_agency_kind=f.lead_kind,
            sending_agency_kind=f.sending_kind,
            receiving_agency_kind=f.receiving_kind,
            concern_codes=sorted(set(f.concerns)),
            age_band=age_band(f.born, local_day(f.at, rules)),
            district=district_of(f.postal_code),
            outcome=f.outcome,
            demo=True,
        )
        for f in facts
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)
