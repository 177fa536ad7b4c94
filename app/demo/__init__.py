"""The demo data set (`flask demo seed`), one module per area: accounts, persons, casework,
referrals, meetings, statistics.

It follows the issues to the letter; later issues add their parts here, each once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.demo.accounts import (
    DEMO_AGENCIES,
    DEMO_USERS,
    DemoAccount,
    demo_accounts,
    seed_accounts,
    write_accounts_file,
)
from app.demo.casework import NOTE_TEXTS, seed_cases
from app.demo.meetings import MEETING_TEXTS, seed_meetings
from app.demo.persons import DEMO_PERSONS, seed_persons
from app.demo.referrals import REFERRAL_TEXTS, seed_referrals
from app.demo.statistics import seed_statistics
from audit.events import Action, AuditContext, record
from cases.accounts.passwords import Passwords
from cases.policy import CliActor
from cases.referrals import services as referrals
from core.keyring import KeyProvider

__all__ = [
    "DEMO_AGENCIES",
    "DEMO_PERSONS",
    "DEMO_USERS",
    "MEETING_TEXTS",
    "NOTE_TEXTS",
    "REFERRAL_TEXTS",
    "DemoAccount",
    "demo_accounts",
    "seed",
    "write_accounts_file",
]


def seed(session: Session, keys: KeyProvider, passwords: Passwords) -> list[DemoAccount]:
    """Create whatever part of the demo data is missing; return the demo accounts."""
    ctx = AuditContext(CliActor("demo seed"))
    agencies_created, users_created = seed_accounts(session, ctx, keys, passwords)
    persons_created = seed_persons(session)
    cases_created = seed_cases(session)
    referrals_created = seed_referrals(session)
    if referrals_created:
        # R1's acknowledgement is overdue: escalate it as the cron job would (issue 11).
        referrals.escalate_overdue(session, ctx)
    meetings_created = seed_meetings(session)
    facts_created = seed_statistics(session)
    if (
        agencies_created
        or users_created
        or persons_created
        or cases_created
        or referrals_created
        or meetings_created
        or facts_created
    ):
        # A re-run that creates nothing changes nothing, not even the audit log.
        record(
            session,
            ctx,
            Action.DEMO_SEEDED,
            agencies_created=agencies_created,
            users_created=users_created,
            persons_created=persons_created,
            cases_created=cases_created,
            referrals_created=referrals_created,
            meetings_created=meetings_created,
            statistics_facts_created=facts_created,
        )
    return demo_accounts(session, keys)
