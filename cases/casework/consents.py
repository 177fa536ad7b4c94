"""Consents on a case: recording (the lead agency, with DESIGN.md §3's date rules), withdrawal
(any team member), their state and the ones ending soon.

A consent belongs to the case it was recorded on and governs sharing in that case only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import FLAGGED, Action, AuditContext
from cases.accounts.models import Agency
from cases.casework.holding import hold_open
from cases.casework.models import Case, Consent, HowRecorded
from cases.inputs import InputError, long_field
from cases.policy import Permission, authorize
from cases.policy.facts import (
    DEFAULT_RULES,
    CaseFacts,
    CaseRules,
    Category,
    ConsentProposal,
    GivenBy,
)
from cases.policy.loading import case_facts, cases_facts, consent_facts
from cases.policy.sharing import (
    add_months_last_day,
    check_consent,
    consent_effective,
    consent_ends_at,
    end_of_day,
    guardian_consent_lapses_at,
    last_valid_day,
    local_day,
    local_midnight,
)
from cases.records import actor_id, record_about
from cases.statistics.counting import count_case_event
from cases.statistics.models import FactEvent
from cases.text import has_visible_text
from core.claims import claim, hold_fresh
from core.db import utcnow

DEFAULT_CONSENT_MONTHS = 12


@dataclass(frozen=True)
class ConsentInput:
    given_by: str
    recipients: tuple[uuid.UUID, ...]
    categories: tuple[str, ...]
    purpose: str
    how_recorded: str
    valid_from: date | None = None
    valid_until: date | None = None
    young_person_view: str = ""
    # When it was actually given (default: today); long ago, it needs a late-entry reason.
    given_on: date | None = None
    late_entry_reason: str = ""


def _latest_withdrawal_on(session: Session, case: Case, rules: CaseRules) -> date | None:
    latest = session.scalar(
        select(Consent.withdrawn_at)
        .where(Consent.case_id == case.id, Consent.withdrawn_at.is_not(None))
        .order_by(Consent.withdrawn_at.desc())
        .limit(1)
    )
    return local_day(latest, rules) if latest is not None else None


def _check_choices(session: Session, given: ConsentInput) -> None:
    if given.given_by not in GivenBy.__members__.values():
        raise InputError("invalid_choice", "given_by")
    if given.how_recorded not in HowRecorded.__members__.values():
        raise InputError("invalid_choice", "how_recorded")
    if not given.categories or any(
        c not in Category.__members__.values() for c in given.categories
    ):
        raise InputError("invalid_choice", "categories")
    if not given.recipients:
        raise InputError("required", "recipients")
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(given.recipients))))
    if known != set(given.recipients):
        raise InputError("invalid_choice", "recipients")


def record_consent(
    session: Session,
    ctx: AuditContext,
    case: Case,
    given: ConsentInput,
    today: date | None = None,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> Consent:
    """Record a consent on this case (never edited later: a change is a new consent).

    Only a caseworker or supervisor of the lead agency on the team may (it widens sharing).
    The audit event holds no dates or ages: who gave it, whether it is a late entry, the days
    between giving and recording, the validity in days and whether the age rule was met.
    """
    now = utcnow()
    facts = case_facts(session, case, now, rules)
    decision = authorize(ctx.actor, Permission.CONSENT_RECORD, facts, now)
    assert ctx.actor is not None  # noqa: S101 - the policy allowed an actor
    _check_choices(session, given)
    purpose = long_field(given.purpose, "purpose")
    view = long_field(given.young_person_view, "young_person_view", required=False)
    late_reason = long_field(given.late_entry_reason, "late_entry_reason", required=False)
    if facts.person_birth_date is None:
        raise InputError("erased", "given_by")
    recorded_on = today or local_day(now, rules)
    given_on = given.given_on or recorded_on
    valid_from = given.valid_from or given_on
    # Checked before any date arithmetic: a far-future day would overflow the calendar.
    if given_on > recorded_on:
        raise InputError("given_in_future", "given_on")
    if valid_from > last_valid_day(given_on, rules):
        raise InputError("validity_too_long", "valid_from")
    valid_until = given.valid_until or min(
        add_months_last_day(valid_from, DEFAULT_CONSENT_MONTHS), last_valid_day(given_on, rules)
    )
    check = check_consent(
        ConsentProposal(
            case=facts,
            given_by=GivenBy(given.given_by),
            given_on=given_on,
            valid_from=valid_from,
            valid_until=valid_until,
            recorded_on=recorded_on,
            has_late_entry_reason=has_visible_text(late_reason),
            latest_withdrawal_on=_latest_withdrawal_on(session, case, rules),
        )
    )
    if check.problems:
        raise InputError(*check.problems[0])
    assert check.age_when_given is not None  # noqa: S101 - the birth date is known here
    consent = Consent(
        person_id=case.person_id,
        case_id=case.id,
        given_by=given.given_by,
        given_on=given_on,
        recipients=sorted(str(r) for r in given.recipients),
        categories=sorted(set(given.categories)),
        valid_from=local_midnight(valid_from, rules),
        valid_until=end_of_day(valid_until, rules),
        how_recorded=given.how_recorded,
        age_when_given=check.age_when_given,
        recorded_by_user_id=actor_id(ctx),
        recorded_at=now,
    )
    hold_open(session, ctx, case, Permission.CONSENT_RECORD)
    session.add(consent)
    consent.birth_date_when_given = facts.person_birth_date
    consent.purpose = purpose
    consent.young_person_view = view or None
    consent.late_entry_reason = late_reason if check.late_entry else None
    session.flush()
    # Naming one's own agency lets this consent release other agencies' notes to it.
    to_own_agency = ctx.actor.agency_id in given.recipients
    record_about(
        session,
        ctx,
        Action.CONSENT_RECORDED,
        case,
        decision.basis,
        object_type="consent",
        object_id=consent.id,
        given_by=given.given_by,
        categories=consent.categories,
        recipients=len(consent.recipients),
        late_entry=check.late_entry,
        days_since_given=check.days_since_given,
        validity_days=check.validity_days,
        age_rule_met=check.age_rule_met,
        releases_to_own_agency=to_own_agency,
        **{FLAGGED: check.late_entry or to_own_agency},
    )
    return consent


def consent_in_case(session: Session, case: Case, consent_id: uuid.UUID) -> Consent | None:
    """A consent of this case, or None: a consent of another case is not found here."""
    consent = session.get(Consent, consent_id)
    return consent if consent is not None and consent.case_id == case.id else None


def withdraw_consent(
    session: Session,
    ctx: AuditContext,
    case: Case,
    consent: Consent,
    reason: str,
    at: datetime | None = None,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> Consent:
    """Withdraw a consent of this case: from the next request it no longer opens anything.

    Any team member may (it only narrows sharing), on a closed case too (GDPR Art. 7(3)). It
    holds the case row first, as a send or an acceptance relying on the consent does, so the
    two are serialised and the later one decides on the other's outcome.
    """
    hold_fresh(session, Case, case.id)
    facts = case_facts(session, case, rules=rules)
    decision = authorize(ctx.actor, Permission.CONSENT_WITHDRAW, facts)
    if consent.case_id != case.id:
        raise InputError("not_found", "consent")
    if consent.withdrawn_at is not None:
        raise InputError("already_withdrawn", "consent")
    text = long_field(reason, "reason")
    # Withdrawn once, even by simultaneous requests: the row is claimed while not withdrawn.
    withdrawn = claim(
        session,
        consent,
        Consent.withdrawn_at.is_(None),
        withdrawn_at=at or utcnow(),
        withdrawn_by_user_id=actor_id(ctx),
    )
    if not withdrawn:
        raise InputError("already_withdrawn", "consent")
    consent.withdrawal_reason = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.CONSENT_WITHDRAWN,
        case,
        decision.basis,
        object_type="consent",
        object_id=consent.id,
    )
    assert consent.withdrawn_at is not None  # noqa: S101 - claimed above
    count_case_event(session, FactEvent.CONSENT_WITHDRAWN, case, consent.withdrawn_at, rules=rules)
    return consent


@dataclass(frozen=True)
class ConsentState:
    consent: Consent
    # effective / withdrawn / expired / not_yet_valid / lapsed_at_self_age /
    # not_effective_for_age
    state: str
    ends_at: datetime  # when it stops counting, withdrawal aside (validity, term or birthday)


def consent_state(consent: Consent, now: datetime, facts: CaseFacts) -> str:
    """What the consent does now on its case, in words for the case page."""
    if consent.withdrawn_at is not None and consent.withdrawn_at <= now:
        return "withdrawn"
    if now < consent.valid_from:
        return "not_yet_valid"
    term_end = end_of_day(last_valid_day(consent.given_on, facts.rules), facts.rules)
    if now > consent.valid_until or now > term_end:
        return "expired"
    as_facts = consent_facts(consent, person_known=facts.person_birth_date is not None)
    lapse = guardian_consent_lapses_at(as_facts, facts.person_birth_date, facts.rules)
    if lapse is not None and now >= lapse:
        return "lapsed_at_self_age"
    return "effective" if consent_effective(as_facts, facts, now) else "not_effective_for_age"


def case_consents(
    session: Session, case: Case, now: datetime, facts: CaseFacts
) -> list[ConsentState]:
    consents = session.scalars(
        select(Consent).where(Consent.case_id == case.id).order_by(Consent.valid_from)
    )
    return consent_states(consents, now, facts)


def consent_states(
    consents: Iterable[Consent], now: datetime, facts: CaseFacts
) -> list[ConsentState]:
    """The state of each of a case's consents now, in the order given."""
    known = facts.person_birth_date is not None
    return [
        ConsentState(
            c,
            consent_state(c, now, facts),
            consent_ends_at(consent_facts(c, person_known=known), facts),
        )
        for c in consents
    ]


def expiring_consents(
    session: Session,
    ctx: AuditContext,
    cases: list[Case],
    days: int = 30,
    *,
    rules: CaseRules = DEFAULT_RULES,
) -> list[tuple[Case, ConsentState]]:
    """Effective consents on these cases (already authorised) that stop within `days`: at the
    end of their validity or term, or (a guardian's alone) on the young person's birthday."""
    now = utcnow()
    facts = cases_facts(session, cases, now, rules)
    by_case: dict[uuid.UUID, list[Consent]] = {case.id: [] for case in cases}
    for consent in session.scalars(
        select(Consent).where(Consent.case_id.in_(list(by_case))).order_by(Consent.valid_from)
    ):
        by_case[consent.case_id].append(consent)
    found = []
    for case in cases:
        for c in by_case[case.id]:
            f = facts[case.id]
            # An erased person's recorded birth date cannot be read either (as `consent_states`).
            known = consent_facts(c, person_known=f.person_birth_date is not None)
            state = ConsentState(c, consent_state(c, now, f), consent_ends_at(known, f))
            if state.state == "effective" and state.ends_at <= now + timedelta(days=days):
                found.append((case, state))
    return found
