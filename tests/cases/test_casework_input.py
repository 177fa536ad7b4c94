"""Case work refuses bad input by name and writes nothing; decisions happen once; consent
states and the expiring list; an erased person gets no case."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Consent
from cases.inputs import InputError
from cases.persons import services as persons
from cases.policy import CliActor, PolicyDenied
from cases.policy.loading import case_facts
from core.db import utcnow
from tests.cases.casework_scenario import P1, P2, P3, agency, case_of, case_of_id, ctx, scenario
from tests.clock import work_day

__all__ = ["scenario"]  # the fixture


def _consent_input(session: Session, **changes: object) -> casework.ConsentInput:
    base = casework.ConsentInput(
        given_by="self",
        recipients=(agency(session, "nuo").id,),
        categories=("general",),
        purpose="tuki",
        how_recorded="written",
    )
    return casework.ConsentInput(**{**base.__dict__, **changes})  # type: ignore[arg-type]


BAD_INPUT = [
    ("open", {"concern_codes": []}, "required"),
    ("open", {"concern_codes": ["nonsense"]}, "invalid_choice"),
    ("consent", {"given_by": "neighbour"}, "invalid_choice"),
    ("consent", {"how_recorded": "telepathy"}, "invalid_choice"),
    ("consent", {"categories": ("gossip",)}, "invalid_choice"),
    ("consent", {"categories": ()}, "invalid_choice"),
    ("consent", {"recipients": ()}, "required"),
    ("consent", {"recipients": (uuid.uuid4(),)}, "invalid_choice"),
    ("consent", {"purpose": "  "}, "required"),
    ("consent", {"purpose": "x" * 4001}, "too_long"),
    (
        "consent",
        {"valid_from": date(2027, 1, 2), "valid_until": date(2027, 1, 1)},
        "until_before_from",
    ),
    ("disclosure", {"basis": "gut_feeling"}, "invalid_choice"),
    ("disclosure", {"categories": ["gossip"]}, "invalid_choice"),
    ("disclosure", {"to_agency": "sos"}, "same_agency"),
    ("disclosure", {"expires_on": date(2020, 1, 1)}, "expiry_in_past"),
    ("note", {"category": "gossip"}, "invalid_choice"),
    ("note", {"sensitivity": "secret"}, "invalid_choice"),
    ("note", {"body": ""}, "required"),
    # Issue 9, finding 10's rule for case work: control characters other than newline and tab.
    ("note", {"body": "a\x00b"}, "control_characters"),
    ("note", {"body": "a\x1b[31mb"}, "control_characters"),
    ("consent", {"purpose": "tuki\x07"}, "control_characters"),
    ("disclosure", {"justification": "syy\x00"}, "control_characters"),
    # The issue-9 re-attack: text that looks empty to its reader is missing.
    ("disclosure", {"justification": "\u2800"}, "required"),
    ("note", {"body": "\u200b\U0001d159"}, "required"),
    ("consent", {"purpose": "\u3164"}, "required"),
    (
        "consent",
        {
            "given_on": date(2025, 1, 1),
            "valid_from": date(2025, 1, 1),
            "late_entry_reason": "\u200b",
        },
        "late_entry_reason_required",
    ),
    ("emergency", {"justification": "\u2800"}, "required"),
    ("closure", {"outcome": "vanished"}, "invalid_choice"),
    ("team_agency", {"agency": "sos"}, "already_member"),
    ("team_user", {"user": "noora"}, "agency_not_member"),
    ("team_user", {"user": "sanna"}, "already_member"),
]


@pytest.mark.parametrize(("step", "change", "code"), BAD_INPUT)
def test_bad_input_is_named_and_changes_nothing(
    scenario: Session, step: str, change: dict[str, object], code: str
) -> None:
    sanna = ctx(scenario, "sanna")
    case = case_of(scenario, P2)
    before = scenario.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InputError) as raised:
        match step:
            case "open":
                person = persons.find_by_identity_code(scenario, P2)
                assert person is not None
                casework.open_case(scenario, sanna, person, change["concern_codes"])  # type: ignore[arg-type]
            case "consent":
                casework.record_consent(scenario, sanna, case, _consent_input(scenario, **change))
            case "disclosure":
                arguments: dict[str, object] = {
                    "to_agency": agency(scenario, "pol"),
                    "categories": ["family"],
                    "basis": "act_812_2000_18",
                    "justification": "syy",
                    "expires_on": work_day() + timedelta(days=5),
                }
                if "to_agency" in change:
                    change = {**change, "to_agency": agency(scenario, str(change["to_agency"]))}
                casework.create_disclosure(scenario, sanna, case, **{**arguments, **change})  # type: ignore[arg-type]
            case "note":
                note = {"category": "general", "sensitivity": "normal", "body": "x", **change}
                casework.write_note(scenario, sanna, case, **note)  # type: ignore[arg-type]
            case "emergency":
                justification = str(change["justification"])
                casework.request_emergency_access(scenario, sanna, case, justification)
            case "closure":
                casework.request_closure(scenario, sanna, case, str(change["outcome"]))
            case "team_agency":
                casework.add_team_agency(
                    scenario, sanna, case, agency(scenario, str(change["agency"]))
                )
            case "team_user":
                user = accounts.get_user_by_username(scenario, str(change["user"]))
                casework.add_team_user(scenario, sanna, case, user)  # type: ignore[arg-type]
    assert raised.value.code == code
    scenario.rollback()
    assert scenario.scalar(select(func.count()).select_from(AuditEvent)) == before


class TestDecisionsHappenOnce:
    """On P3's case (youth work leads it; its consent was withdrawn in the scenario)."""

    def test_a_withdrawn_consent_is_not_withdrawn_again(self, scenario: Session) -> None:
        case = case_of(scenario, P3)
        consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
        assert consent is not None
        assert casework.consent_state(consent, utcnow(), case_facts(scenario, case)) == "withdrawn"
        with pytest.raises(InputError, match="already_withdrawn"):
            casework.withdraw_consent(scenario, ctx(scenario, "noora"), case, consent, "again")

    def test_a_consent_of_another_case_is_not_found(self, scenario: Session) -> None:
        case = case_of(scenario, P3)
        other = scenario.scalar(select(Consent).where(Consent.case_id == case_of(scenario, P1).id))
        assert other is not None
        with pytest.raises(InputError, match="not_found"):
            casework.withdraw_consent(scenario, ctx(scenario, "noora"), case, other, "wrong case")

    def test_an_emergency_access_is_reviewed_once(self, scenario: Session) -> None:
        case = case_of(scenario, P3)
        access = casework.request_emergency_access(scenario, ctx(scenario, "pekka"), case, "kiire")
        casework.review_emergency_access(scenario, ctx(scenario, "nelli"), access)
        with pytest.raises(InputError, match="already_reviewed"):
            casework.review_emergency_access(scenario, ctx(scenario, "nelli"), access)

    def test_a_closure_is_decided_once(self, scenario: Session) -> None:
        case = case_of(scenario, P3)
        request = casework.request_closure(scenario, ctx(scenario, "noora"), case, "moved_away")
        casework.decide_closure(scenario, ctx(scenario, "nelli"), request, approve=True)
        with pytest.raises(InputError, match="already_decided"):
            casework.decide_closure(scenario, ctx(scenario, "nelli"), request, approve=True)

    def test_a_closed_case_takes_no_new_closure_request(self, scenario: Session) -> None:
        case = case_of(scenario, P3)
        request = casework.request_closure(scenario, ctx(scenario, "noora"), case, "moved_away")
        casework.decide_closure(scenario, ctx(scenario, "nelli"), request, approve=True)
        # Issue 9: the policy refuses it.
        with pytest.raises(PolicyDenied, match="case_closed"):
            casework.request_closure(scenario, ctx(scenario, "noora"), case, "moved_away")


def test_nobody_signed_in_has_no_cases_and_no_queues(scenario: Session) -> None:
    assert casework.my_cases(scenario, AuditContext(None)) == []
    assert casework.closure_queue(scenario, AuditContext(None)) == []
    assert casework.emergency_reviews(scenario, AuditContext(None)) == []


def test_consent_states_and_expiring_list(scenario: Session) -> None:
    case = case_of(scenario, P2)
    soon = work_day() + timedelta(days=10)
    later = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent_input(scenario, given_by="guardian", valid_from=work_day() + timedelta(days=3)),
    )
    # Issue 9: a consent valid from the past was given then, and recorded late with a reason.
    ending = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent_input(
            scenario,
            given_by="guardian",
            given_on=work_day() - timedelta(days=400),
            late_entry_reason="paper form found",
            valid_from=work_day() - timedelta(days=400),
            valid_until=soon,
        ),
    )
    old = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
        case,
        _consent_input(
            scenario,
            given_on=date(2025, 1, 1),
            late_entry_reason="paper form found",
            valid_from=date(2025, 1, 1),
            valid_until=date(2025, 6, 1),
        ),
    )
    now = utcnow()
    facts = case_facts(scenario, case)
    assert casework.consent_state(later, now, facts) == "not_yet_valid"
    assert casework.consent_state(old, now, facts) == "expired"
    assert casework.consent_state(ending, now, facts) == "effective"
    expiring = casework.expiring_consents(scenario, ctx(scenario, "sanna"), [case])
    assert [state.consent.id for _case, state in expiring] == [ending.id]


def test_an_erased_person_gets_no_case(scenario: Session) -> None:
    person = persons.find_by_identity_code(scenario, P2)
    assert person is not None
    persons.shred(scenario, AuditContext(CliActor("retention")), person, "retention")
    with pytest.raises(InputError, match="erased"):
        casework.open_case(scenario, ctx(scenario, "sanna"), person, ["other"])
    with pytest.raises(InputError, match="erased"):
        casework.record_consent(
            scenario,
            ctx(scenario, "sanna"),
            case_of_id(scenario, person.id),
            _consent_input(scenario),
        )
