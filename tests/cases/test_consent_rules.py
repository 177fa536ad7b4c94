"""Issue 9, findings 3 and 4: a consent's dates and age, and a consent belonging to its case.

The rules are DESIGN.md §3's, written out here as the expectations (not read from the code).
The demo scenario: P2 Venla (born 2012-06-02) on a sos-led case with ngo; P3 Oskari (born
2009-09-09, 17) on a nuo-led case whose consent he withdrew on 2026-10-29.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.queries import flagged_events
from cases.accounts import services as accounts
from cases.accounts.models import Agency
from cases.casework import services as casework
from cases.casework.models import Consent
from cases.inputs import InputError
from cases.oversight import workspace as auditing
from cases.persons import services as persons
from cases.policy import PolicyDenied
from cases.policy.facts import DEFAULT_RULES, CaseRules, ConsentFacts, GivenBy
from cases.policy.loading import case_facts
from cases.policy.sharing import (
    age_on,
    consent_effective,
    guardian_consent_lapses_at,
    local_day,
)
from tests.cases.casework_scenario import P1, P2, P3, case_of, ctx, readable_markers, scenario
from tests.clock import work_day

__all__ = ["scenario"]  # the fixture, shared with the scenario tests


def _agency(session: Session, code: str) -> Agency:
    agency = accounts.get_agency_by_code(session, code)
    assert agency is not None
    return agency


def _agency_id(session: Session, code: str) -> uuid.UUID:
    return _agency(session, code).id


def _consent(session: Session, **changes: object) -> casework.ConsentInput:
    fields: dict[str, object] = {
        "given_by": "guardian",
        "recipients": (_agency_id(session, "ngo"),),
        "categories": ("general",),
        "purpose": "tuki",
        "how_recorded": "written",
    }
    fields.update(changes)
    return casework.ConsentInput(**fields)  # type: ignore[arg-type]


def _today() -> date:
    return work_day()


def test_the_back_dated_guardian_consent_attack_is_refused(scenario: Session) -> None:
    """The finding, exactly: a guardian consent for 17-year-old Oskari valid from 2020-01-01
    stored age 10 and released the notes he had withdrawn consent for."""
    case = case_of(scenario, P3)
    assert "DEMO-P3-NUO-GENERAL" not in readable_markers(scenario, "pekka")
    attack = casework.ConsentInput(
        given_by="guardian",
        recipients=(_agency_id(scenario, "pol"),),
        categories=("general",),
        purpose="x",
        how_recorded="written",
        valid_from=date(2020, 1, 1),
        valid_until=date(9999, 12, 31),
    )
    with pytest.raises(InputError):
        casework.record_consent(scenario, ctx(scenario, "noora"), case, attack)
    scenario.rollback()
    assert "DEMO-P3-NUO-GENERAL" not in readable_markers(scenario, "pekka")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        # A validity far in the future: at most 3 years from the day it was given.
        ({"valid_until": date(9999, 12, 31)}, "validity_too_long"),
        # Back-dated to before Oskari's withdrawal on 2026-10-29, with a late-entry reason.
        (
            {"given_on": date(2020, 1, 1), "late_entry_reason": "found", "valid_from": None},
            "given_before_withdrawal",
        ),
        ({"given_on": date(2026, 10, 28), "late_entry_reason": "found"}, "given_before_withdrawal"),
    ],
)
def test_back_dating_and_endless_validity_are_refused(
    scenario: Session, changes: dict[str, object], code: str
) -> None:
    case = case_of(scenario, P3)
    with pytest.raises(InputError) as refused:
        casework.record_consent(
            scenario, ctx(scenario, "noora"), case, _consent(scenario, given_by="self", **changes)
        )
    assert refused.value.code == code


def test_a_guardian_consent_for_a_17_year_old_stores_his_age_and_opens_nothing(
    scenario: Session,
) -> None:
    case = case_of(scenario, P3)
    consent = casework.record_consent(
        scenario,
        ctx(scenario, "noora"),
        case,
        _consent(scenario, recipients=(_agency_id(scenario, "pol"),)),
    )
    assert consent.age_when_given == 17
    assert "DEMO-P3-NUO-GENERAL" not in readable_markers(scenario, "pekka")


def test_given_on_rules(scenario: Session) -> None:
    case, sanna = case_of(scenario, P2), ctx(scenario, "sanna")
    today = _today()

    def refused(**changes: object) -> str:
        with pytest.raises(InputError) as raised:
            casework.record_consent(scenario, sanna, case, _consent(scenario, **changes))
        scenario.rollback()
        return raised.value.code

    assert refused(given_on=today + timedelta(days=1)) == "given_in_future"
    assert refused(given_on=today - timedelta(days=31)) == "late_entry_reason_required"
    assert refused(given_on=today - timedelta(days=31), late_entry_reason="\x00") == (
        "control_characters"
    )
    assert refused(valid_from=today - timedelta(days=1)) == "from_before_given"
    three_years = today.replace(year=today.year + 3)
    assert refused(valid_until=three_years) == "validity_too_long"
    # The last day of three years is fine, and 30 days back needs no reason.
    on_time = casework.record_consent(
        scenario,
        sanna,
        case,
        _consent(
            scenario,
            given_by="both",
            given_on=today - timedelta(days=30),
            valid_until=three_years - timedelta(days=31),
        ),
    )
    assert on_time.late_entry_reason is None


def test_a_late_entry_keeps_its_reason_is_shown_and_flagged(scenario: Session) -> None:
    case = case_of(scenario, P2)
    given = _today() - timedelta(days=45)
    consent = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent(scenario, given_on=given, late_entry_reason="paper form found in the archive"),
    )
    scenario.commit()
    # Whole local days: valid from 00:00 in Helsinki on the day it was given.
    assert consent.given_on == given and local_day(consent.valid_from, DEFAULT_RULES) == given
    assert consent.late_entry_reason == "paper form found in the archive"
    event = scenario.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "case:consent:record", AuditEvent.object_id == str(consent.id)
        )
    ).one()
    # No dates, no ages: who gave it, late entry, days since given, validity, age rule.
    assert event.details == {
        "age_rule_met": True,
        "categories": ["general"],
        "days_since_given": 45,
        "flagged": True,
        "given_by": "guardian",
        "late_entry": True,
        "recipients": 1,
        "releases_to_own_agency": False,
        "validity_days": 365,
    }
    flags = auditing.flagged(scenario, ctx(scenario, "aino"), threshold=1000)
    assert str(consent.id) in {e.object_id for e in flags.events}


def test_the_age_is_that_on_the_day_it_was_given_not_valid_from(scenario: Session) -> None:
    case = case_of(scenario, P2)  # Venla, 14 until 2027-06-02
    with time_machine.travel(datetime(2027, 5, 20, 9, 0, tzinfo=UTC), tick=False):
        consent = casework.record_consent(
            scenario,
            ctx(scenario, "sanna"),
            case,
            _consent(scenario, given_by="both", valid_from=date(2027, 7, 1)),
        )
    assert consent.age_when_given == 14


def test_a_guardian_consent_alone_stops_at_midnight_in_helsinki_on_the_15th_birthday(
    scenario: Session,
) -> None:
    case = case_of(scenario, P2)  # Venla, born 2012-06-02
    ngo = _agency_id(scenario, "ngo")
    nuo = _agency_id(scenario, "nuo")
    consent = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent(scenario, recipients=(ngo, nuo), categories=("family",)),
    )
    scenario.commit()
    # 23:59 in Helsinki on 1 June 2027 (UTC+3) it still holds; at 00:00 on 2 June it does not.
    before = datetime(2027, 6, 1, 20, 59, tzinfo=UTC)
    after = datetime(2027, 6, 1, 21, 0, tzinfo=UTC)
    assert casework.consent_state(consent, before, case_facts(scenario, case, before)) == (
        "effective"
    )
    assert casework.consent_state(consent, after, case_facts(scenario, case, after)) == (
        "lapsed_at_self_age"
    )
    with time_machine.travel(datetime(2027, 5, 20, 9, 0, tzinfo=UTC), tick=False):
        ending = casework.expiring_consents(scenario, ctx(scenario, "sanna"), [case])
        assert [(s.consent.id, s.ends_at < after) for _c, s in ending] == [(consent.id, True)]
    with time_machine.travel(after + timedelta(minutes=1), tick=False):
        # The demo's own P2 consent (Venla and her guardian) still holds: ngo reads on.
        assert "DEMO-P2-SOS-FAMILY" in readable_markers(scenario, "jari")
        with pytest.raises(InputError, match="no_basis_for_agency"):
            casework.add_team_agency(
                scenario, ctx(scenario, "sanna"), case, _agency(scenario, "nuo")
            )


def test_only_the_lead_agency_records_a_consent_any_member_withdraws(scenario: Session) -> None:
    case = case_of(scenario, P2)  # sos leads; jari (ngo) is on the team
    with pytest.raises(PolicyDenied, match="not_lead_agency"):
        casework.record_consent(scenario, ctx(scenario, "jari"), case, _consent(scenario))
    consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
    assert consent is not None
    casework.withdraw_consent(scenario, ctx(scenario, "jari"), case, consent, "Venla asked")
    assert consent.withdrawn_at is not None


def test_the_ngo_cannot_change_the_sos_case_through_a_case_of_its_own(scenario: Session) -> None:
    """The finding: an NGO caseworker opened her own case for the same young person and
    withdrew (and re-recorded) the consent that governs the sos case."""
    sos_case = case_of(scenario, P2)
    venla = persons.find_by_identity_code(scenario, P2)
    assert venla is not None
    own = casework.open_case(scenario, ctx(scenario, "jari"), venla, ["other"])
    sos_consent = scenario.scalar(select(Consent).where(Consent.case_id == sos_case.id))
    assert sos_consent is not None
    with pytest.raises(InputError, match="not_found"):
        casework.withdraw_consent(scenario, ctx(scenario, "jari"), own, sos_consent, "x")
    assert sos_consent.withdrawn_at is None
    # A consent recorded on the NGO's own case governs that case only.
    casework.record_consent(
        scenario,
        ctx(scenario, "jari"),
        own,
        _consent(scenario, given_by="both", recipients=(_agency_id(scenario, "pol"),)),
    )
    with pytest.raises(InputError, match="no_basis_for_agency"):
        casework.add_team_agency(
            scenario, ctx(scenario, "sanna"), sos_case, _agency(scenario, "pol")
        )
    assert "DEMO-P2-SOS-FAMILY" in readable_markers(scenario, "jari")


def test_a_consent_naming_the_recorders_own_agency_is_flagged(scenario: Session) -> None:
    case = case_of(scenario, P2)
    consent = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent(scenario, given_by="both", recipients=(_agency_id(scenario, "sos"),)),
    )
    event = scenario.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(consent.id))
    ).one()
    assert event.details["releases_to_own_agency"] is True and event.details["flagged"] is True


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2012, 6, 2), date(2027, 6, 1), 14),
        (date(2012, 6, 2), date(2027, 6, 2), 15),
        # Born on 29 February: a year older on 28 February in a common year (a period in years
        # that lacks its day ends on the month's last day).
        (date(2012, 2, 29), date(2027, 2, 27), 14),
        (date(2012, 2, 29), date(2027, 2, 28), 15),
        (date(2012, 2, 29), date(2028, 2, 29), 16),
    ],
)
def test_age_on_a_day(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


def test_a_leap_day_childs_guardian_consent_stops_on_28_february() -> None:
    consent = ConsentFacts(
        given_by=GivenBy.GUARDIAN,
        age_when_given=14,
        recipients=frozenset(),
        categories=frozenset(),
        valid_from=datetime(2026, 12, 1, tzinfo=UTC),
        valid_until=datetime(2028, 12, 1, tzinfo=UTC),
        given_on=date(2026, 12, 1),
    )
    # 00:00 in Helsinki (UTC+2 in winter) on 28 February 2027.
    assert guardian_consent_lapses_at(consent, date(2012, 2, 29), CaseRules()) == datetime(
        2027, 2, 27, 22, 0, tzinfo=UTC
    )


def test_a_birth_date_edit_never_widens_a_consent(scenario: Session) -> None:
    """The attack review's break: nuo (on P1's team, not the lead agency) moved Eetu's birth date
    two years later, which brought a lapsed guardian-only consent back into effect and showed her
    the police offence note. A consent is judged on the birth date recorded with it as well as
    the current one, and a birth-date edit is flagged to auditors."""
    case = case_of(scenario, P1)
    lapsed = _consent(
        scenario,
        recipients=(_agency_id(scenario, "nuo"),),
        categories=("offence",),
        given_on=date(2025, 1, 10),  # Eetu (born 2010-03-14) was 14
        late_entry_reason="found in the paper file",
        valid_until=date(2027, 12, 31),
    )
    casework.record_consent(scenario, ctx(scenario, "sanna"), case, lapsed)
    scenario.commit()
    assert "DEMO-P1-POL-OFFENCE" not in readable_markers(scenario, "noora")
    person = persons.find_by_identity_code(scenario, P1)
    assert person is not None
    details = persons.current_details(scenario, person)
    assert details is not None
    younger = dataclasses.replace(
        details, birth_date=date(2012, 3, 14), identity_code="140312A123H"
    )
    persons.update(scenario, ctx(scenario, "noora"), person, younger)
    scenario.commit()
    assert "DEMO-P1-POL-OFFENCE" not in readable_markers(scenario, "noora")
    since = datetime.now(UTC) - timedelta(hours=1)
    flagged = [e for e in flagged_events(scenario, since) if e.action == "person:update"]
    assert [e.subject_id for e in flagged] == [person.id]
    assert [e.details.get("birth_date_moved") for e in flagged] == ["later"]


def test_a_self_consent_under_a_falsified_age_stops_when_the_birth_date_is_restored(
    scenario: Session,
) -> None:
    """The lead agency's own way round the age rule: make the young person older, record their
    own consent, restore the birth date. The consent is judged on today's birth date too."""
    case = case_of(scenario, P2)  # Venla, born 2012-06-02: 14
    person = persons.find_by_identity_code(scenario, P2)
    assert person is not None
    details = persons.current_details(scenario, person)
    assert details is not None
    older = dataclasses.replace(details, birth_date=date(2010, 6, 2), identity_code="020610A246M")
    persons.update(scenario, ctx(scenario, "sanna"), person, older)
    own = _consent(
        scenario, given_by="self", recipients=(_agency_id(scenario, "pol"),), categories=("family",)
    )
    casework.record_consent(scenario, ctx(scenario, "sanna"), case, own)
    scenario.commit()
    persons.update(scenario, ctx(scenario, "sanna"), person, details)
    scenario.commit()
    facts = case_facts(scenario, case_of(scenario, P2))
    recorded = [c for c in facts.consents if c.given_by == GivenBy.SELF]
    assert recorded
    assert not any(consent_effective(c, facts, datetime.now(UTC)) for c in recorded)
