"""What the parts of a chunk share about one generated case, and how they date and count."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from audit.events import Action
from cases.generate.population import GeneratedAgency, Member
from cases.generate.rows import Chunk, PersonKey
from cases.policy import Reason
from cases.policy.facts import DEFAULT_RULES
from cases.policy.sharing import local_day
from cases.statistics.counting import age_band, district_of, month_of
from cases.statistics.models import FactEvent, StatisticsFact

TEAM = (str(Reason.CASE_TEAM),)


@dataclass(frozen=True)
class Sketch:
    """What the referrals and meetings of a chunk need to know about one generated case."""

    number: int
    person_id: uuid.UUID
    case_id: uuid.UUID
    key: PersonKey
    given_names: str
    lead: GeneratedAgency
    lead_user: Member
    partner: GeneratedAgency
    partner_user: Member
    opened_at: datetime
    until: datetime  # closed_at, or the anchor for a case still open
    consent_id: uuid.UUID | None
    disclosure_id: uuid.UUID | None
    concerns: tuple[str, ...]
    born: date
    postal_code: str


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(1, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randrange(span))


def on_case(
    chunk: Chunk,
    user: Member,
    action: Action,
    at: datetime,
    sketch: Sketch,
    object_type: str,
    object_id: uuid.UUID,
    bases: tuple[str, ...] = TEAM,
    **details: Any,
) -> None:
    """An audit event about the case's young person (their access report lists it)."""
    chunk.event(
        user,
        action,
        at,
        object_type=object_type,
        object_id=object_id,
        subject=sketch.person_id,
        bases=bases,
        **details,
    )


def fact(
    chunk: Chunk,
    event: FactEvent,
    at: datetime,
    sketch: Sketch,
    *,
    sending: GeneratedAgency | None = None,
    receiving: GeneratedAgency | None = None,
    outcome: str | None = None,
) -> None:
    """The anonymous statistics fact `cases.statistics.counting` writes for such an event."""
    chunk.add(
        StatisticsFact,
        month=month_of(at),
        event=str(event),
        lead_agency_kind=str(sketch.lead.kind),
        sending_agency_kind=str(sending.kind) if sending else None,
        receiving_agency_kind=str(receiving.kind) if receiving else None,
        concern_codes=sorted(sketch.concerns),
        age_band=age_band(sketch.born, local_day(at, DEFAULT_RULES)),
        district=district_of(sketch.postal_code),
        outcome=outcome,
        # Synthetic, like the demo's facts: the statistics pages say a table holds such facts.
        demo=True,
    )
