"""Consents recorded before revision 0007 get the birth date they were judged on (issue 9).

Without it, a later edit that made the young person younger still kept a guardian's consent
alive on those rows. `flask db upgrade` fills it in from the person's version current when the
consent was recorded; the scenario below makes a row look pre-0007 by clearing the column.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework import upgrades
from cases.casework.models import Consent
from cases.persons import services as persons
from cases.policy import CliActor
from tests.cases.test_casework import P1, case_of, ctx, readable_markers, scenario

__all__ = ["scenario"]

OFFENCE = "DEMO-P1-POL-OFFENCE"


def _legacy_lapsed_consent(session: Session) -> uuid.UUID:
    """A guardian-only consent given when Eetu (born 2010-03-14) was 14, so lapsed today, as a
    row written before 0007: no recorded birth date."""
    nuo = accounts.get_agency_by_code(session, "nuo")
    assert nuo is not None
    consent = casework.record_consent(
        session,
        ctx(session, "sanna"),
        case_of(session, P1),
        casework.ConsentInput(
            given_by="guardian",
            recipients=(nuo.id,),
            categories=("offence",),
            purpose="tuki",
            how_recorded="written",
            given_on=date(2025, 1, 10),
            late_entry_reason="found in the paper file",
            valid_from=date(2025, 1, 10),
            valid_until=date(2027, 12, 31),
        ),
    )
    session.commit()
    session.execute(
        update(Consent).where(Consent.id == consent.id).values(birth_date_when_given_ct=None)
    )
    session.commit()
    return consent.id


def _make_eetu_younger(session: Session) -> None:
    person = persons.find_by_identity_code(session, P1)
    assert person is not None
    details = persons.current_details(session, person)
    assert details is not None
    younger = dataclasses.replace(
        details, birth_date=date(2012, 3, 14), identity_code="140312A123H"
    )
    persons.update(session, ctx(session, "noora"), person, younger)
    session.commit()


def _upgrade(session: Session) -> int:
    filled = upgrades.backfill_consent_birth_dates(session, AuditContext(CliActor("db upgrade")))
    session.commit()
    return filled


def test_without_the_recorded_date_a_younger_edit_revives_the_consent(scenario: Session) -> None:
    # What the back-fill is for: the hole on legacy rows, shown so the next test means something.
    _legacy_lapsed_consent(scenario)
    _make_eetu_younger(scenario)
    assert OFFENCE in readable_markers(scenario, "noora")


def test_the_back_filled_date_keeps_a_lapsed_consent_lapsed(scenario: Session) -> None:
    consent_id = _legacy_lapsed_consent(scenario)
    assert _upgrade(scenario) == 1
    stored = scenario.get(Consent, consent_id)
    assert stored is not None and stored.birth_date_when_given == date(2010, 3, 14)
    _make_eetu_younger(scenario)
    assert OFFENCE not in readable_markers(scenario, "noora")


def test_the_date_is_the_one_current_when_the_consent_was_recorded(scenario: Session) -> None:
    consent_id = _legacy_lapsed_consent(scenario)
    _make_eetu_younger(scenario)  # after the consent: must not be what it is judged on
    assert _upgrade(scenario) == 1
    stored = scenario.get(Consent, consent_id)
    assert stored is not None and stored.birth_date_when_given == date(2010, 3, 14)
    assert OFFENCE not in readable_markers(scenario, "noora")


def test_the_back_fill_is_audited_once_and_idempotent(scenario: Session) -> None:
    consent_id = _legacy_lapsed_consent(scenario)
    assert _upgrade(scenario) == 1
    assert _upgrade(scenario) == 0
    events = scenario.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == Action.CONSENT_BIRTH_DATE_FILLED,
            AuditEvent.object_id == str(consent_id),
        )
    )
    assert events == 1
