"""The facts the policy decides case access on: plain values, no database.

Services load them (`cases.policy.loading`); `cases.policy` reads them; tests build them
directly from the reference tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class GivenBy(StrEnum):
    SELF = "self"
    GUARDIAN = "guardian"
    BOTH = "both"


class Category(StrEnum):
    GENERAL = "general"
    EDUCATION = "education"
    FAMILY = "family"
    HEALTH = "health"
    SUBSTANCE_USE = "substance_use"
    OFFENCE = "offence"
    SOCIAL_WELFARE = "social_welfare"


# Notes that reach police only through an Act 812/2000 §18 disclosure (DESIGN.md §4, step 4).
POLICE_COMPARTMENT = frozenset({Category.HEALTH, Category.SOCIAL_WELFARE})


class Sensitivity(StrEnum):
    NORMAL = "normal"
    RESTRICTED = "restricted"


class LegalBasis(StrEnum):
    """The stored codes of DESIGN.md §3's disclosure bases other than consent (their citations
    and rules are the table in `cases.policy.legal_bases`)."""

    CHILD_WELFARE_25 = "child_welfare_417_2007_25"
    CHILD_WELFARE_25A = "child_welfare_417_2007_25a"
    SOCIAL_WELFARE_35 = "social_welfare_1301_2014_35"
    YOUTH_ACT_11 = "youth_act_1285_2016_11"
    POLICE_812_18 = "act_812_2000_18"


# Who may disclose under each basis, to whom, and what it releases: `cases.policy.legal_bases`.


@dataclass(frozen=True)
class CaseRules:
    """The configurable thresholds of case work (DESIGN.md §3), passed to the policy in the
    facts: `SILTA_CONSENT_SELF_AGE`, `SILTA_CONSENT_MAX_YEARS`, `SILTA_CONSENT_LATE_ENTRY_DAYS`
    and `SILTA_DISCLOSURE_MAX_MONTHS`."""

    consent_self_age: int = 15
    consent_max_years: int = 3
    consent_late_entry_days: int = 30
    disclosure_max_months: int = 12
    # Birthdays and calendar days are those of the place the work is done.
    timezone: str = "Europe/Helsinki"


DEFAULT_RULES = CaseRules()


@dataclass(frozen=True)
class ConsentFacts:
    given_by: GivenBy
    age_when_given: int
    recipients: frozenset[uuid.UUID]
    categories: frozenset[str]
    valid_from: datetime
    valid_until: datetime
    given_on: date
    withdrawn_at: datetime | None = None
    id: uuid.UUID | None = None
    # The birth date recorded with the consent (None for rows recorded before it was kept).
    born_when_given: date | None = None


@dataclass(frozen=True)
class DisclosureFacts:
    from_agency: uuid.UUID
    to_agency: uuid.UUID
    categories: frozenset[str]
    basis: LegalBasis
    granted_at: datetime
    expires_at: datetime
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class EmergencyFacts:
    user_id: uuid.UUID
    granted_at: datetime
    expires_at: datetime
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class CaseFacts:
    """A case as the policy sees it at one moment."""

    id: uuid.UUID
    lead_agency: uuid.UUID
    member_agencies: frozenset[uuid.UUID]
    member_users: frozenset[uuid.UUID]
    agency_kinds: dict[uuid.UUID, str] = field(default_factory=dict)
    consents: tuple[ConsentFacts, ...] = ()
    disclosures: tuple[DisclosureFacts, ...] = ()
    emergencies: tuple[EmergencyFacts, ...] = ()
    # The young person: whose data this is (a denial names them) and when they were born (a
    # guardian's consent alone stops on their birthday at the self-consent age).
    person_id: uuid.UUID | None = None
    person_birth_date: date | None = None
    person_erased: bool = False  # crypto-shredded: the case stays for the record, closed
    closed: bool = False
    rules: CaseRules = DEFAULT_RULES


@dataclass(frozen=True)
class NoteFacts:
    case: CaseFacts
    author_agency: uuid.UUID
    category: str
    sensitivity: Sensitivity
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class PersonFacts:
    """Who may see a person: the registering agency, current case-team agencies and (to read
    only) the agencies an open referral about the person is addressed to."""

    id: uuid.UUID
    registered_by_agency: uuid.UUID
    team_agencies: frozenset[uuid.UUID] = frozenset()
    referred_to_agencies: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class NotificationFacts:
    """A notification as the policy sees it: whose it is."""

    id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class DisclosureRequest:
    """A disclosure about to be granted: the case and the agency whose notes it releases."""

    case: CaseFacts
    from_agency: uuid.UUID
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class ConsentProposal:
    """A consent about to be recorded, as the policy checks it (dates are calendar days)."""

    case: CaseFacts
    given_by: GivenBy
    given_on: date
    valid_from: date
    valid_until: date
    recorded_on: date
    has_late_entry_reason: bool
    # The latest withdrawal recorded on the same case, as a calendar day, if any.
    latest_withdrawal_on: date | None = None
