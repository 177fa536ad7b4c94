"""Case work on the demo scenario: the issue's marker table, withdrawal, emergency access,
team rules, consent rules and closure."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import DEMO_USERS
from app.extensions import db
from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote, Consent, TeamAgency
from cases.inputs import InputError
from cases.oversight import workspace as auditing
from cases.persons import services as persons
from cases.policy import CliActor, PolicyDenied
from cases.policy.loading import case_facts
from cases.policy.sharing import add_months_last_day
from core.db import utcnow
from tests.clock import work_day

# Issue 5: each marker is readable by exactly these agencies.
MARKERS = {
    "DEMO-P1-SOS-GENERAL": {"sos", "nuo", "pol"},
    "DEMO-P1-POL-OFFENCE": {"pol"},
    "DEMO-P1-NUO-EDUCATION": {"nuo", "sos", "pol"},
    "DEMO-P1-SOS-HEALTH": {"sos"},
    "DEMO-P2-SOS-FAMILY": {"sos", "ngo"},
    "DEMO-P2-NGO-GENERAL": {"ngo", "sos"},
    "DEMO-P3-NUO-GENERAL": {"nuo"},
    "DEMO-P3-POL-OFFENCE": {"pol"},
    "DEMO-P4-POL-OFFENCE": {"pol", "sos"},
    "DEMO-P4-SOS-FAMILY": {"sos"},
}
MARKER_RE = re.compile(r"DEMO-P\d-[A-Z]+-[A-Z]+")
P1, P2, P3, P4 = "140310A1230", "020612A2465", "090909A357W", "200411A4682"


@pytest.fixture
def scenario(demo_session: Session) -> Session:
    """The demo scenario on a session without Flask."""
    return demo_session


def ctx(session: Session, username: str) -> AuditContext:
    user = accounts.get_user_by_username(session, username)
    assert user is not None
    return AuditContext(user, request_id="test")


def case_of(session: Session, code: str) -> Case:
    person = persons.find_by_identity_code(session, code)
    assert person is not None
    case = session.scalar(select(Case).where(Case.person_id == person.id))
    assert case is not None
    return case


def readable_markers(session: Session, username: str) -> set[str]:
    seen: set[str] = set()
    for case in casework.my_cases(session, ctx(session, username)):
        for shown in casework.view_case(session, ctx(session, username), case).notes:
            seen.update(MARKER_RE.findall(shown.body))
    return seen


@pytest.mark.parametrize(("username", "agency"), [(u, a) for u, _n, _r, a in DEMO_USERS])
def test_every_demo_user_reads_exactly_the_issue_markers(
    scenario: Session, username: str, agency: str
) -> None:
    expected = {marker for marker, agencies in MARKERS.items() if agency in agencies}
    role = accounts.get_user_by_username(scenario, username).role  # type: ignore[union-attr]
    if role in ("auditor", "analyst", "admin"):
        expected = set()
    assert readable_markers(scenario, username) == expected


def test_hidden_notes_are_counted_never_described(scenario: Session) -> None:
    shown = casework.view_case(scenario, ctx(scenario, "pekka"), case_of(scenario, P1))
    assert len(shown.notes) == 3 and shown.hidden == 1
    event = scenario.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "case:read")
        .order_by(AuditEvent.occurred_at.desc())
    ).first()
    assert event is not None and event.details["notes_hidden"] == 1
    assert "own_agency" in event.bases and any(b.startswith("consent:") for b in event.bases)


def test_other_agencies_never_learn_the_person_exists(scenario: Session) -> None:
    # ngo has no part in P1, P3 or P4.
    for code in (P1, P3, P4):
        assert persons.search_by_identity_code(scenario, ctx(scenario, "jari"), code) == []
    # ...but a team agency does, though another agency registered the person (P4: pol).
    assert len(persons.search_by_identity_code(scenario, ctx(scenario, "sanna"), P4)) == 1
    with pytest.raises(PolicyDenied):
        casework.view_case(scenario, ctx(scenario, "jari"), case_of(scenario, P1))


def test_withdrawal_then_emergency_access(scenario: Session) -> None:
    case = case_of(scenario, P1)
    assert "DEMO-P1-SOS-GENERAL" in readable_markers(scenario, "noora")
    consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
    assert consent is not None
    casework.withdraw_consent(scenario, ctx(scenario, "sanna"), case, consent, "asked by Eetu")
    scenario.commit()
    # The very next request no longer shows it.
    assert readable_markers(scenario, "noora") == {"DEMO-P1-NUO-EDUCATION", "DEMO-P3-NUO-GENERAL"}
    access = casework.request_emergency_access(
        scenario, ctx(scenario, "noora"), case, "Eetu is missing; we need the contact history."
    )
    scenario.commit()
    assert "DEMO-P1-SOS-GENERAL" in readable_markers(scenario, "noora")
    assert "DEMO-P1-SOS-HEALTH" not in readable_markers(scenario, "noora")  # restricted: never
    assert [a.id for a in casework.emergency_reviews(scenario, ctx(scenario, "helena"))] == [
        access.id
    ]
    assert casework.emergency_reviews(scenario, ctx(scenario, "nelli")) == []
    flags = auditing.flagged(scenario, ctx(scenario, "aino"), threshold=1000)
    assert any(e.action == "case:emergency:grant" for e in flags.events)
    with time_machine.travel(utcnow() + timedelta(hours=4, minutes=1)):
        assert "DEMO-P1-SOS-GENERAL" not in readable_markers(scenario, "noora")
    with pytest.raises(PolicyDenied):
        casework.review_emergency_access(scenario, ctx(scenario, "noora"), access)
    casework.review_emergency_access(scenario, ctx(scenario, "helena"), access)
    assert casework.emergency_reviews(scenario, ctx(scenario, "helena")) == []


def test_police_never_get_health_notes_by_emergency(scenario: Session) -> None:
    case = case_of(scenario, P2)
    note = scenario.scalar(
        select(CaseNote).where(CaseNote.case_id == case.id, CaseNote.category == "family")
    )
    assert note is not None
    casework.write_note(
        scenario,
        ctx(scenario, "sanna"),
        case_of(scenario, P1),
        category="social_welfare",
        sensitivity="normal",
        body="Toimeentulotuen päätös. DEMO-X-SOS-SW",
    )
    casework.request_emergency_access(
        scenario, ctx(scenario, "pekka"), case_of(scenario, P1), "urgent"
    )
    view = casework.view_case(scenario, ctx(scenario, "pekka"), case_of(scenario, P1))
    bodies = " ".join(n.body for n in view.notes)
    assert "DEMO-X-SOS-SW" not in bodies and "DEMO-P1-SOS-HEALTH" not in bodies


def test_adding_an_agency_needs_a_consent_or_disclosure_covering_it(scenario: Session) -> None:
    case = case_of(scenario, P2)
    pol = accounts.get_agency_by_code(scenario, "pol")
    assert pol is not None
    with pytest.raises(InputError) as refused:
        casework.add_team_agency(scenario, ctx(scenario, "sanna"), case, pol)
    assert refused.value.code == "no_basis_for_agency"
    casework.create_disclosure(
        scenario,
        ctx(scenario, "sanna"),
        case,
        to_agency=pol,
        categories=["family"],
        # Issue 9: social services may not use Child Welfare Act §25a (it is *to* them); §18
        # is the basis on which they disclose to police.
        basis="act_812_2000_18",
        justification="police request",
        expires_on=work_day() + timedelta(days=10),
    )
    member = casework.add_team_agency(scenario, ctx(scenario, "sanna"), case, pol)
    assert member.basis.startswith("disclosure:")
    # Withdrawal later does not remove members (P3: pol stays on the team).
    p3_members = scenario.scalars(
        select(TeamAgency.agency_id).where(TeamAgency.case_id == case_of(scenario, P3).id)
    )
    assert pol.id in set(p3_members)


@pytest.mark.parametrize(
    ("given_by", "born_years_ago", "effective"),
    [
        ("self", 16, True),
        ("guardian", 16, False),
        ("both", 16, True),
        ("self", 14, False),
        ("guardian", 14, True),
        ("both", 14, True),
    ],
)
def test_consent_counts_only_from_the_right_people_for_the_age(
    demo_app: Flask, given_by: str, born_years_ago: int, effective: bool
) -> None:
    with demo_app.app_context():
        session = db()
        today = work_day()
        person = persons.register(
            session,
            ctx(session, "sanna"),
            persons.PersonDetails(
                "Testi",
                "Henkilö",
                today.replace(year=today.year - born_years_ago) - timedelta(days=1),
            ),
            confirmed=True,
        )
        case = casework.open_case(session, ctx(session, "sanna"), person, ["other"])
        nuo = accounts.get_agency_by_code(session, "nuo")
        assert nuo is not None
        consent = casework.record_consent(
            session,
            ctx(session, "sanna"),
            case,
            casework.ConsentInput(
                given_by=given_by,
                recipients=(nuo.id,),
                categories=("general",),
                purpose="tuki",
                how_recorded="written",
            ),
        )
        assert consent.age_when_given == born_years_ago
        assert consent.valid_until.date() == add_months_last_day(today, 12)
        if effective:
            assert casework.add_team_agency(session, ctx(session, "sanna"), case, nuo)
        else:
            with pytest.raises(InputError):
                casework.add_team_agency(session, ctx(session, "sanna"), case, nuo)


def test_closure_needs_a_lead_supervisor(scenario: Session) -> None:
    case = case_of(scenario, P1)
    request = casework.request_closure(scenario, ctx(scenario, "noora"), case, "no_further_need")
    with pytest.raises(InputError):
        casework.request_closure(scenario, ctx(scenario, "sanna"), case, "no_further_need")
    for username in ("sanna", "nelli", "petri"):
        with pytest.raises(PolicyDenied):
            casework.decide_closure(scenario, ctx(scenario, username), request, approve=True)
    with pytest.raises(InputError):
        casework.decide_closure(scenario, ctx(scenario, "helena"), request, approve=False)
    casework.decide_closure(
        scenario, ctx(scenario, "helena"), request, approve=False, comment="Vielä yksi tapaaminen"
    )
    assert case.status == "open"
    again = casework.request_closure(scenario, ctx(scenario, "sanna"), case, "no_further_need")
    casework.decide_closure(scenario, ctx(scenario, "helena"), again, approve=True)
    assert case.status == "closed" and case.outcome == "no_further_need"


def test_notes_are_corrected_by_new_versions(scenario: Session) -> None:
    case = case_of(scenario, P1)
    original = scenario.scalar(
        select(CaseNote).where(CaseNote.case_id == case.id, CaseNote.category == "general")
    )
    assert original is not None
    casework.write_note(
        scenario,
        ctx(scenario, "sanna"),
        case,
        category="general",
        sensitivity="normal",
        body="Korjattu merkintä. DEMO-P1-SOS-GENERAL",
        supersedes=original,
    )
    bodies = [n.body for n in casework.view_case(scenario, ctx(scenario, "sanna"), case).notes]
    assert any(b.startswith("Korjattu") for b in bodies)
    assert original.body not in bodies
    assert scenario.get(CaseNote, original.id) is not None  # kept
    with pytest.raises(InputError):
        casework.write_note(
            scenario,
            ctx(scenario, "noora"),
            case,
            category="general",
            sensitivity="normal",
            body="x",
            supersedes=original,
        )


def _agency(session: Session, code: str):  # type: ignore[no-untyped-def]
    agency = accounts.get_agency_by_code(session, code)
    assert agency is not None
    return agency


def _consent_input(session: Session, **changes: object) -> casework.ConsentInput:
    base = casework.ConsentInput(
        given_by="self",
        recipients=(_agency(session, "nuo").id,),
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
                    "to_agency": _agency(scenario, "pol"),
                    "categories": ["family"],
                    "basis": "act_812_2000_18",
                    "justification": "syy",
                    "expires_on": work_day() + timedelta(days=5),
                }
                if "to_agency" in change:
                    change = {**change, "to_agency": _agency(scenario, str(change["to_agency"]))}
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
                    scenario, sanna, case, _agency(scenario, str(change["agency"]))
                )
            case "team_user":
                user = accounts.get_user_by_username(scenario, str(change["user"]))
                casework.add_team_user(scenario, sanna, case, user)  # type: ignore[arg-type]
    assert raised.value.code == code
    scenario.rollback()
    assert scenario.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_withdrawal_and_decisions_happen_once(scenario: Session) -> None:
    case = case_of(scenario, P3)
    consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
    assert consent is not None
    assert casework.consent_state(consent, utcnow(), case_facts(scenario, case)) == "withdrawn"
    with pytest.raises(InputError, match="already_withdrawn"):
        casework.withdraw_consent(scenario, ctx(scenario, "noora"), case, consent, "again")
    other = scenario.scalar(select(Consent).where(Consent.case_id == case_of(scenario, P1).id))
    with pytest.raises(InputError, match="not_found"):
        casework.withdraw_consent(scenario, ctx(scenario, "noora"), case, other, "wrong case")  # type: ignore[arg-type]
    access = casework.request_emergency_access(scenario, ctx(scenario, "pekka"), case, "kiire")
    casework.review_emergency_access(scenario, ctx(scenario, "nelli"), access)
    with pytest.raises(InputError, match="already_reviewed"):
        casework.review_emergency_access(scenario, ctx(scenario, "nelli"), access)
    request = casework.request_closure(scenario, ctx(scenario, "noora"), case, "moved_away")
    casework.decide_closure(scenario, ctx(scenario, "nelli"), request, approve=True)
    with pytest.raises(InputError, match="already_decided"):
        casework.decide_closure(scenario, ctx(scenario, "nelli"), request, approve=True)
    # Issue 9: a closed case takes no new closure request either; the policy refuses it.
    with pytest.raises(PolicyDenied, match="case_closed"):
        casework.request_closure(scenario, ctx(scenario, "noora"), case, "moved_away")
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


def case_of_id(session: Session, person_id: uuid.UUID) -> Case:
    case = session.scalar(select(Case).where(Case.person_id == person_id))
    assert case is not None
    return case
