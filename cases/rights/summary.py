"""The young person's summary (issue 14, point 5): what is shared about them in one case, with
whom, until when, and whom to contact to withdraw a consent.

It is generated from the case's consents and disclosures as the policy reads them now: a
withdrawn, expired or lapsed consent shares nothing and is not listed, nor is an expired
disclosure or one whose basis does not fit its agencies. Producing it is audited in the same
transaction (for whom and in which language; never what it says).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.accounts.models import Agency, AgencyKind
from cases.persons.queries import PersonDetails, details_of
from cases.policy import Permission, authorize
from cases.policy.facts import (
    DEFAULT_RULES,
    POLICE_COMPARTMENT,
    CaseFacts,
    CaseRules,
    ConsentFacts,
    DisclosureFacts,
)
from cases.policy.loading import LoadedCase, consent_facts, disclosure_facts, load_case_by_id
from cases.policy.sharing import (
    consent_effective,
    consent_ends_at,
    disclosure_active,
    disclosure_ends_at,
    disclosure_fits,
    guardian_consent_lapses_at,
    local_day,
    releases_notes,
)
from cases.policy.summary import Audience, SummaryRequest
from cases.records import record_about
from core.db import utcnow

__all__ = ["Audience", "SharedByConsent", "SharedByLaw", "YouthSummary", "youth_summary"]


@dataclass(frozen=True)
class SharedByConsent:
    """One agency that may see other agencies' notes of these categories, on one consent."""

    agency_name: str
    categories: tuple[str, ...]
    given_by: str
    until: date  # the last day it is in effect
    # It ends on the young person's birthday at the self-consent age (a guardian's alone).
    ends_at_self_age: bool


@dataclass(frozen=True)
class SharedByLaw:
    """A disclosure on a legal basis: one agency's notes (or contact data) to another."""

    from_agency_name: str
    to_agency_name: str
    basis: str
    categories: tuple[str, ...]  # empty when it releases identification and contact data only
    releases_notes: bool
    until: date  # the last day it is in effect


@dataclass(frozen=True)
class YouthSummary:
    """What the one-page summary says, for the young person or for their guardian."""

    case_id: uuid.UUID
    audience: Audience
    given_names: str
    surname: str
    lead_agency_name: str
    team_agency_names: tuple[str, ...]
    by_consent: tuple[SharedByConsent, ...]
    by_law: tuple[SharedByLaw, ...]
    self_consent_age: int
    as_of: date
    case_closed: bool


def _name(agencies: dict[uuid.UUID, Agency], agency_id: uuid.UUID) -> str:
    agency = agencies.get(agency_id)
    return agency.name if agency is not None else "–"


def _by_consent(
    consent: ConsentFacts, facts: CaseFacts, agencies: dict[uuid.UUID, Agency]
) -> list[SharedByConsent]:
    ends = consent_ends_at(consent, facts)
    lapse = guardian_consent_lapses_at(consent, facts.person_birth_date, facts.rules)
    # `consent_ends_at` ends a guardian's consent alone just before the birthday it lapses on.
    at_self_age = lapse is not None and ends == lapse - timedelta(microseconds=1)
    shared = []
    for agency_id in consent.recipients:
        categories = set(consent.categories)
        if facts.agency_kinds.get(agency_id) == AgencyKind.POLICE:
            # Health and social-welfare notes reach police only on a disclosure, never a consent.
            categories -= POLICE_COMPARTMENT
        if categories:
            shared.append(
                SharedByConsent(
                    agency_name=_name(agencies, agency_id),
                    categories=tuple(sorted(categories)),
                    given_by=str(consent.given_by),
                    until=local_day(ends, facts.rules),
                    ends_at_self_age=at_self_age,
                )
            )
    return shared


def _by_law(
    disclosure: DisclosureFacts, facts: CaseFacts, agencies: dict[uuid.UUID, Agency]
) -> SharedByLaw:
    notes = releases_notes(disclosure.basis)
    return SharedByLaw(
        from_agency_name=_name(agencies, disclosure.from_agency),
        to_agency_name=_name(agencies, disclosure.to_agency),
        basis=str(disclosure.basis),
        categories=tuple(sorted(disclosure.categories)) if notes else (),
        releases_notes=notes,
        until=local_day(disclosure_ends_at(disclosure, facts.rules), facts.rules),
    )


def _summary(
    loaded: LoadedCase, details: PersonDetails, audience: Audience, now: datetime
) -> YouthSummary:
    facts = loaded.facts
    agencies = dict(loaded.agencies)
    by_consent = [
        shared
        for row in loaded.consents
        for consent in (consent_facts(row),)
        if consent_effective(consent, facts, now)
        for shared in _by_consent(consent, facts, agencies)
    ]
    by_law = [
        _by_law(disclosure, facts, agencies)
        for row in loaded.disclosures
        for disclosure in (disclosure_facts(row),)
        if disclosure_active(disclosure, now, facts.rules) and disclosure_fits(disclosure, facts)
    ]
    return YouthSummary(
        case_id=facts.id,
        audience=audience,
        given_names=details.given_names,
        surname=details.surname,
        lead_agency_name=_name(agencies, facts.lead_agency),
        team_agency_names=tuple(sorted(_name(agencies, a) for a in facts.member_agencies)),
        by_consent=tuple(sorted(by_consent, key=lambda s: (s.agency_name, s.until))),
        by_law=tuple(sorted(by_law, key=lambda s: (s.to_agency_name, s.until))),
        self_consent_age=facts.rules.consent_self_age,
        as_of=local_day(now, facts.rules),
        case_closed=facts.closed,
    )


def youth_summary(
    session: Session,
    ctx: AuditContext,
    case_id: uuid.UUID,
    audience: Audience,
    language: str,
    *,
    rules: CaseRules = DEFAULT_RULES,
    now: datetime | None = None,
) -> YouthSummary | None:
    """The summary of what is shared about the case's young person now, or None when there is
    no such case; raises PolicyDenied (for the route to audit) when the actor may not produce
    it, for this audience."""
    now = now or utcnow()
    loaded = load_case_by_id(session, case_id, now, rules)
    if loaded is None:
        return None
    details = details_of(loaded.person, loaded.version) if loaded.person is not None else None
    request = SummaryRequest(
        loaded.facts,
        audience,
        forbids_guardian_disclosure=details is not None and details.forbids_guardian_disclosure,
        person_erased=details is None,
    )
    decision = authorize(ctx.actor, Permission.SUMMARY_PRODUCE, request, now)
    assert details is not None  # noqa: S101 - the policy refuses an erased person
    summary = _summary(loaded, details, audience, now)
    record_about(
        session,
        ctx,
        Action.SUMMARY_PRODUCED,
        loaded.case,
        decision.basis,
        audience=str(audience),
        language=language,
        shared_by_consent=len(summary.by_consent),
        shared_by_law=len(summary.by_law),
    )
    return summary
