"""What lets the second agency onto a case (a consent, or a police disclosure to social
services) and a supervisor-approved closure."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from audit.events import Action
from cases.accounts.models import AgencyKind
from cases.casework.models import ClosureRequest, Consent, Disclosure, HowRecorded
from cases.generate.rows import Chunk
from cases.generate.sketch import TEAM, Sketch, between, fact
from cases.policy import Reason
from cases.policy.facts import DEFAULT_RULES, Category, GivenBy, LegalBasis
from cases.policy.sharing import age_on, end_of_day, local_day, local_midnight
from cases.statistics.models import FactEvent

# The category each kind of partner agency writes and is shared (the rest write "general").
PARTNER_CATEGORY = {
    AgencyKind.POLICE: Category.OFFENCE,
    AgencyKind.SCHOOL: Category.EDUCATION,
    AgencyKind.HEALTH: Category.HEALTH,
    AgencyKind.SOCIAL_SERVICES: Category.FAMILY,
}
CONSENT_DAYS = 730
# Of every four cases, as in the demo: three share on a consent (one of them withdrawn later),
# one on a police disclosure to social services.
WITHDRAWN, DISCLOSED = 2, 3


def consent(chunk: Chunk, sketch: Sketch, at: datetime) -> uuid.UUID:
    rng, consent_id = chunk.rng, chunk.new_id()
    given_on = local_day(at, DEFAULT_RULES)
    age = age_on(sketch.born, given_on)
    given_by = GivenBy.SELF if age >= DEFAULT_RULES.consent_self_age else GivenBy.BOTH
    categories = sorted(
        {Category.GENERAL.value, PARTNER_CATEGORY.get(sketch.partner.kind, Category.GENERAL).value}
    )
    withdrawn = sketch.number % 4 == WITHDRAWN
    withdrawn_at = between(rng, at, sketch.until) if withdrawn else None
    table, key = Consent.__tablename__, sketch.key
    sealed = {
        "purpose": key.seal(
            Consent.purpose,
            table,
            consent_id,
            "Tuen suunnittelu yhdessä tiimin toimijoiden kanssa.",
        ),
        "birth_date_when_given": key.seal(
            Consent.birth_date_when_given, table, consent_id, sketch.born
        ),
        "young_person_view": key.seal(
            Consent.young_person_view,
            table,
            consent_id,
            "Nuori toivoo, että asiat hoidetaan yhdessä.",
        )
        if rng.random() < 0.5
        else None,
        "withdrawal_reason": key.seal(
            Consent.withdrawal_reason,
            table,
            consent_id,
            "Nuori peruutti suostumuksen tapaamisessa.",
        )
        if withdrawn
        else None,
    }
    chunk.add(
        Consent,
        id=consent_id,
        person_id=sketch.person_id,
        case_id=sketch.case_id,
        given_by=given_by.value,
        given_on=given_on,
        recipients=sorted(str(a) for a in (sketch.lead.id, sketch.partner.id)),
        categories=categories,
        valid_from=local_midnight(given_on, DEFAULT_RULES),
        valid_until=end_of_day(given_on + timedelta(days=CONSENT_DAYS), DEFAULT_RULES),
        how_recorded=HowRecorded.WRITTEN.value,
        age_when_given=age,
        recorded_by_user_id=sketch.lead_user.id,
        recorded_at=at,
        withdrawn_at=withdrawn_at,
        withdrawn_by_user_id=sketch.lead_user.id if withdrawn else None,
        late_entry_reason=None,
        **sealed,
    )
    about: dict[str, Any] = {
        "subject": sketch.person_id,
        "object_type": "consent",
        "object_id": consent_id,
    }
    chunk.event(
        sketch.lead_user,
        Action.CONSENT_RECORDED,
        at,
        bases=TEAM,
        given_by=given_by.value,
        categories=categories,
        recipients=2,
        late_entry=False,
        days_since_given=0,
        validity_days=CONSENT_DAYS,
        age_rule_met=True,
        releases_to_own_agency=True,
        flagged=True,
        **about,
    )
    if withdrawn_at is not None:
        chunk.event(sketch.lead_user, Action.CONSENT_WITHDRAWN, withdrawn_at, bases=TEAM, **about)
        fact(chunk, FactEvent.CONSENT_WITHDRAWN, withdrawn_at, sketch)
    return consent_id


def disclosure(chunk: Chunk, sketch: Sketch, at: datetime) -> uuid.UUID:
    disclosure_id, basis = chunk.new_id(), LegalBasis.CHILD_WELFARE_25.value
    text = "Poliisin ilmoitus alaikäisen epäillystä rikoksesta lastensuojeluun."
    chunk.add(
        Disclosure,
        id=disclosure_id,
        person_id=sketch.person_id,
        case_id=sketch.case_id,
        from_agency_id=sketch.lead.id,
        to_agency_id=sketch.partner.id,
        categories=[Category.GENERAL.value, Category.OFFENCE.value],
        basis=basis,
        granted_by_user_id=sketch.lead_user.id,
        granted_at=at,
        expires_at=end_of_day(local_day(at, DEFAULT_RULES) + timedelta(days=365), DEFAULT_RULES),
        recorded_at=at,
        justification=sketch.key.seal(
            Disclosure.justification, Disclosure.__tablename__, disclosure_id, text
        ),
    )
    chunk.event(
        sketch.lead_user,
        Action.DISCLOSURE_CREATED,
        at,
        bases=(*TEAM, f"legal:{basis}"),
        subject=sketch.person_id,
        object_type="disclosure",
        object_id=disclosure_id,
        categories=[Category.GENERAL.value, Category.OFFENCE.value],
    )
    return disclosure_id


def closure(chunk: Chunk, sketch: Sketch, outcome: str) -> None:
    request_id = chunk.new_id()
    supervisor = chunk.rng.choice(sketch.lead.supervisors)
    requested = sketch.until - timedelta(days=2)
    chunk.add(
        ClosureRequest,
        id=request_id,
        person_id=sketch.person_id,
        case_id=sketch.case_id,
        outcome=outcome,
        requested_by_user_id=sketch.lead_user.id,
        requested_at=requested,
        decision="approved",
        decided_by_user_id=supervisor.id,
        decided_at=sketch.until,
    )
    about: dict[str, Any] = {
        "subject": sketch.person_id,
        "object_type": "closure",
        "object_id": request_id,
    }
    chunk.event(
        sketch.lead_user, Action.CLOSURE_REQUESTED, requested, bases=TEAM, outcome=outcome, **about
    )
    chunk.event(
        supervisor,
        Action.CLOSURE_DECIDED,
        sketch.until,
        bases=(str(Reason.LEAD_SUPERVISOR),),
        decision="approved",
        **about,
    )
    fact(chunk, FactEvent.CASE_CLOSED, sketch.until, sketch, outcome=outcome)
