"""Who is due for erasure under the retention rules (issue 14, points 1 and 3), and who waits.

A person is due `person_years` after the later of their registration and their last case's
closure, and only when none of their cases is open or held; everything about them (notes,
referrals, meeting items) goes with them, since it is all under their one data key. A person
with a closed case who is kept by an open or a held case waits, and says why. Erased persons
are never due again. Reads ids and dates only, in two statements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cases.casework.models import Case, CaseStatus
from cases.persons.models import Person
from cases.retention.models import LegalHold, active_on
from cases.retention.rules import RetentionRules

__all__ = ["PersonRetention", "Waits", "due_persons", "retention_of"]


class Waits(StrEnum):
    """Why a person whose time may have come is kept."""

    CASE_OPEN = "case open"
    CASE_HELD = "case held"


@dataclass(frozen=True)
class PersonRetention:
    """A person due (no `waits`) or waiting, with the rule and the day it names."""

    person_id: uuid.UUID
    rule: str
    due_on: date
    waits: tuple[Waits, ...] = ()

    @property
    def due(self) -> bool:
        return not self.waits


def due_persons(session: Session, rules: RetentionRules, now: datetime) -> list[PersonRetention]:
    """Persons due at `now` and persons with a closed case who wait, by due day."""
    return _retentions(session, rules, now, None)


def retention_of(
    session: Session, rules: RetentionRules, now: datetime, person_id: uuid.UUID
) -> PersonRetention | None:
    """One person as `due_persons` would list them at `now` (None: not listed, e.g. erased),
    decided on what is committed now: the sweep asks again in each person's own transaction."""
    found = _retentions(session, rules, now, person_id)
    return found[0] if found else None


def _retentions(
    session: Session, rules: RetentionRules, now: datetime, only: uuid.UUID | None
) -> list[PersonRetention]:
    zone = ZoneInfo(rules.timezone)
    today = now.astimezone(zone).date()
    per_person = select(
        Case.person_id,
        func.max(Case.closed_at).label("last_closed"),
        func.sum(case((Case.status == CaseStatus.OPEN, 1), else_=0)).label("open_cases"),
        func.sum(case((Case.status == CaseStatus.CLOSED, 1), else_=0)).label("closed_cases"),
    )
    persons = select(Person.id, Person.registered_at).where(Person.erased_at.is_(None))
    holds = select(LegalHold.person_id).where(active_on(today))
    if only is not None:
        per_person = per_person.where(Case.person_id == only)
        persons = persons.where(Person.id == only)
        holds = holds.where(LegalHold.person_id == only)
    closures = per_person.group_by(Case.person_id).subquery()
    rows = session.execute(
        persons.add_columns(
            closures.c.last_closed, closures.c.open_cases, closures.c.closed_cases
        ).outerjoin(closures, closures.c.person_id == Person.id)
    )
    held = set(session.scalars(holds.distinct()))
    found = []
    for person_id, registered_at, last_closed, open_cases, closed_cases in rows:
        after_closure = last_closed is not None and last_closed > registered_at
        start = last_closed if after_closure else registered_at
        item = PersonRetention(
            person_id=person_id,
            rule=rules.person_rule(after_closure),
            due_on=rules.due_on(start.astimezone(zone).date()),
            waits=tuple(
                reason
                for reason, applies in (
                    (Waits.CASE_OPEN, open_cases),
                    (Waits.CASE_HELD, person_id in held),
                )
                if applies
            ),
        )
        # Waiting is reported for persons with a closed case (the dry run says what keeps
        # them); a person who only ever had open cases is simply not due.
        reported = bool(closed_cases) if item.waits else item.due_on <= today
        if reported:
            found.append(item)
    return sorted(found, key=lambda item: (item.due_on, str(item.person_id)))
