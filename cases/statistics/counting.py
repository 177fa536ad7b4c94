"""Counting an event for the statistics (issue 13): the one module other areas call, in the
transaction of the event they count, so a fact exists exactly when its event does.

The fact keeps the month, the agencies' kinds, the case's concern codes, the young person's
age band on the day and the district (the first three digits of the postal code); never an id,
a name, a text or a date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import regex
from sqlalchemy.orm import Session

from cases.accounts.models import Agency
from cases.casework.models import Case
from cases.persons.models import Person
from cases.persons.queries import current_details
from cases.policy.facts import DEFAULT_RULES, CaseRules
from cases.policy.sharing import age_on, local_day
from cases.statistics.models import AgeBand, FactEvent, StatisticsFact

__all__ = ["Counted", "age_band", "count_case_event", "count_event", "district_of", "month_of"]

# A Finnish postal code: five digits; its first three name the postal district.
_POSTAL_CODE = regex.compile(r"[0-9]{5}")  # ASCII digits only


@dataclass(frozen=True)
class Counted:
    event: FactEvent
    at: datetime
    lead_kind: str | None = None
    sending_kind: str | None = None
    receiving_kind: str | None = None
    concerns: Iterable[str] = field(default_factory=tuple)
    born: date | None = None
    postal_code: str | None = None
    outcome: str | None = None


def month_of(at: datetime, rules: CaseRules = DEFAULT_RULES) -> str:
    return local_day(at, rules).strftime("%Y-%m")


def age_band(born: date | None, on: date) -> AgeBand | None:
    if born is None:
        return None
    age = age_on(born, on)
    if age < 12:
        return AgeBand.UNDER_12
    if age <= 14:
        return AgeBand.FROM_12_TO_14
    if age <= 17:
        return AgeBand.FROM_15_TO_17
    if age <= 21:
        return AgeBand.FROM_18_TO_21
    return AgeBand.OVER_21


def district_of(postal_code: str | None) -> str | None:
    code = (postal_code or "").strip()
    return code[:3] if _POSTAL_CODE.fullmatch(code) else None


def count_event(session: Session, counted: Counted, rules: CaseRules = DEFAULT_RULES) -> None:
    """Add the fact of one event to the caller's transaction."""
    band = age_band(counted.born, local_day(counted.at, rules))
    session.add(
        StatisticsFact(
            month=month_of(counted.at, rules),
            event=counted.event,
            lead_agency_kind=counted.lead_kind,
            sending_agency_kind=counted.sending_kind,
            receiving_agency_kind=counted.receiving_kind,
            concern_codes=sorted(set(counted.concerns)),
            age_band=band,
            district=district_of(counted.postal_code),
            outcome=counted.outcome,
        )
    )


def count_case_event(
    session: Session,
    event: FactEvent,
    case: Case,
    at: datetime,
    *,
    sending_agency: object = None,
    receiving_agency: object = None,
    outcome: str | None = None,
    rules: CaseRules = DEFAULT_RULES,
) -> None:
    """The fact of an event about a case: its lead agency's kind, its concerns, the young
    person's age band and district now (none once erased), and the agencies of a referral."""
    person = session.get(Person, case.person_id)
    details = current_details(session, person) if person is not None else None

    def kind(agency_id: object) -> str | None:
        agency = session.get(Agency, agency_id) if agency_id is not None else None
        return agency.kind if agency is not None else None

    count_event(
        session,
        Counted(
            event=event,
            at=at,
            lead_kind=kind(case.lead_agency_id),
            sending_kind=kind(sending_agency),
            receiving_kind=kind(receiving_agency),
            concerns=case.concern_codes or (),
            born=details.birth_date if details is not None else None,
            postal_code=details.postal_code if details is not None else None,
            outcome=outcome,
        ),
        rules,
    )
