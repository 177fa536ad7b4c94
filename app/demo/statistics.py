"""The demo's anonymous statistics facts (issue 13, point 6): 24 months of synthetic events for
the demo agencies' kinds, a few hundred in all, marked as demo data, spread unevenly so that a
table by district or by age band has small cells to suppress. Seeded once.

The 24 months are the two calendar years before the seeding day's: tables cover only years
that have ended (`cases.statistics.releases`), so these are the months timo can see."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from cases.casework.models import ConcernCode, Outcome
from cases.statistics import services as statistics
from cases.statistics.counting import Counted
from cases.statistics.models import FactEvent
from core.db import utcnow

MONTHS = 24
# How many of each event a month, roughly: cases open and close, referrals go between agencies.
# Cases opened (the page's default view) are dense enough that a month by agency kind has
# cells of five and more to publish (at 6 a month every entry of every view was hidden); the
# rest are sparser, so that the whole stays a few hundred facts.
WEIGHTS = {
    FactEvent.CASE_OPENED: 14,
    FactEvent.CASE_CLOSED: 2,
    FactEvent.REFERRAL_SENT: 2,
    FactEvent.REFERRAL_ACCEPTED: 1.5,
    FactEvent.REFERRAL_DECLINED: 0.5,
    FactEvent.REFERRAL_COMPLETED: 1,
    FactEvent.MEETING_HELD: 1,
    FactEvent.CONSENT_WITHDRAWN: 0.5,
    FactEvent.EMERGENCY_ACCESS: 0.3,
}
KINDS = ["social_services", "youth_work", "police", "ngo"]
KIND_WEIGHTS = [5, 3, 3, 1]
# Helsinki postal codes: a few large districts and some small ones (small cells to suppress).
POSTAL_CODES = ["00940", "00920", "00700", "00510", "00420", "00250", "00170", "00890"]
POSTAL_WEIGHTS = [8, 7, 6, 5, 3, 2, 1, 1]
AGES = [11, 13, 14, 15, 16, 17, 19, 23]
AGE_WEIGHTS = [1, 4, 5, 6, 6, 5, 2, 1]
CONCERNS = [c.value for c in ConcernCode]
CONCERN_WEIGHTS = [6, 3, 3, 3, 2, 4, 1, 2, 1, 1]
OUTCOMES = [o.value for o in Outcome]


def _facts(today: date, rng: random.Random) -> list[Counted]:
    facts = []
    for back in range(MONTHS):
        months = today.year * 12 - 1 - back  # December of last year, and back from it
        first = date(months // 12, months % 12 + 1, 15)
        for event, weight in WEIGHTS.items():
            for _ in range(rng.randint(0, max(1, round(weight * 2)))):
                at = datetime.combine(first, time(12), UTC) + timedelta(days=rng.randint(-12, 12))
                age = rng.choices(AGES, AGE_WEIGHTS)[0]
                referral = event.value.startswith("referral_")
                sending, receiving = rng.sample(KINDS, 2) if referral else (None, None)
                facts.append(
                    Counted(
                        event=event,
                        at=at,
                        lead_kind=None
                        if event == FactEvent.MEETING_HELD and rng.random() < 0.2
                        else rng.choices(KINDS, KIND_WEIGHTS)[0],
                        sending_kind=sending,
                        receiving_kind=receiving,
                        concerns=()
                        if event == FactEvent.MEETING_HELD
                        else rng.choices(CONCERNS, CONCERN_WEIGHTS, k=rng.randint(1, 2)),
                        born=None
                        if event == FactEvent.MEETING_HELD
                        else date(at.year - age, at.month, min(at.day, 28)) - timedelta(days=40),
                        postal_code=None
                        if event == FactEvent.MEETING_HELD or rng.random() < 0.1
                        else rng.choices(POSTAL_CODES, POSTAL_WEIGHTS)[0],
                        outcome=rng.choice(OUTCOMES) if event == FactEvent.CASE_CLOSED else None,
                    )
                )
    return facts


def seed_statistics(session: Session) -> int:
    """The synthetic facts, once (the same ones for the same seeding day)."""
    if statistics.has_demo_facts(session):
        return 0
    today = utcnow().date()
    # Not for security: reproducible demo data.
    rng = random.Random(today.toordinal())  # noqa: S311
    return statistics.add_demo_facts(session, _facts(today, rng))
