"""Case work on the demo scenario, one behaviour each: the issue's marker table, withdrawal,
emergency access, team rules, consent by age, closure and note corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DEMO_USERS
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import (
    Case,
    CaseNote,
    ClosureRequest,
    Consent,
    EmergencyAccess,
    TeamAgency,
)
from cases.inputs import InputError
from cases.oversight import workspace as auditing
from cases.persons import services as persons
from cases.policy import PolicyDenied
from cases.policy.sharing import add_months_last_day
from core.db import utcnow
from tests.cases.casework_scenario import (
    MARKERS,
    P1,
    P2,
    P3,
    P4,
    agency,
    case_of,
    ctx,
    readable_markers,
    scenario,
)
from tests.clock import work_day

__all__ = ["scenario"]  # the fixture


# The roles that read no case content, written from DESIGN.md §3 (not from the policy).
NO_CONTENT = {"auditor", "analyst", "admin"}


@pytest.mark.parametrize(("username", "agency_code"), [(u, a) for u, _n, _r, a in DEMO_USERS])
def test_every_demo_user_reads_exactly_the_issue_markers(
    scenario: Session, username: str, agency_code: str
) -> None:
    expected = {marker for marker, agencies in MARKERS.items() if agency_code in agencies}
    role = accounts.get_user_by_username(scenario, username).role  # type: ignore[union-attr]
    if role in NO_CONTENT:
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


class TestWhoLearnsThePersonExists:
    @pytest.mark.parametrize("code", [P1, P3, P4])
    def test_an_agency_with_no_part_finds_nobody(self, scenario: Session, code: str) -> None:
        # ngo has no part in P1, P3 or P4.
        assert persons.search_by_identity_code(scenario, ctx(scenario, "jari"), code) == []

    def test_a_team_agency_finds_a_person_another_agency_registered(
        self, scenario: Session
    ) -> None:
        # P4 was registered by pol; sos is on the team.
        assert len(persons.search_by_identity_code(scenario, ctx(scenario, "sanna"), P4)) == 1

    def test_an_agency_with_no_part_cannot_read_the_case(self, scenario: Session) -> None:
        with pytest.raises(PolicyDenied):
            casework.view_case(scenario, ctx(scenario, "jari"), case_of(scenario, P1))


@pytest.fixture
def withdrawn(scenario: Session) -> Case:
    """P1's consent withdrawn by sanna (its lead caseworker), committed."""
    case = case_of(scenario, P1)
    assert "DEMO-P1-SOS-GENERAL" in readable_markers(scenario, "noora")
    consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
    assert consent is not None
    casework.withdraw_consent(scenario, ctx(scenario, "sanna"), case, consent, "asked by Eetu")
    scenario.commit()
    return case


@pytest.fixture
def emergency(scenario: Session, withdrawn: Case) -> EmergencyAccess:
    """Noora's emergency access to P1's case after the withdrawal, committed."""
    access = casework.request_emergency_access(
        scenario, ctx(scenario, "noora"), withdrawn, "Eetu is missing; we need the contact history."
    )
    scenario.commit()
    return access


class TestWithdrawalAndEmergencyAccess:
    def test_the_next_request_after_a_withdrawal_no_longer_shows_the_notes(
        self, scenario: Session, withdrawn: Case
    ) -> None:
        assert readable_markers(scenario, "noora") == {
            "DEMO-P1-NUO-EDUCATION",
            "DEMO-P3-NUO-GENERAL",
        }

    def test_emergency_access_shows_the_normal_notes(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        assert "DEMO-P1-SOS-GENERAL" in readable_markers(scenario, "noora")

    def test_emergency_access_never_shows_restricted_notes(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        assert "DEMO-P1-SOS-HEALTH" not in readable_markers(scenario, "noora")

    def test_emergency_access_ends_after_four_hours(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        with time_machine.travel(utcnow() + timedelta(hours=4, minutes=1)):
            assert "DEMO-P1-SOS-GENERAL" not in readable_markers(scenario, "noora")

    def test_only_the_lead_agencys_supervisor_has_it_to_review(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        helena_queue = casework.emergency_reviews(scenario, ctx(scenario, "helena"))
        assert [a.id for a in helena_queue] == [emergency.id]
        assert casework.emergency_reviews(scenario, ctx(scenario, "nelli")) == []

    def test_it_is_flagged_to_the_auditors(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        flags = auditing.flagged(scenario, ctx(scenario, "aino"), threshold=1000)
        assert any(e.action == "case:emergency:grant" for e in flags.events)

    def test_the_user_who_asked_for_it_cannot_review_it(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        with pytest.raises(PolicyDenied):
            casework.review_emergency_access(scenario, ctx(scenario, "noora"), emergency)

    def test_a_reviewed_access_leaves_the_queue(
        self, scenario: Session, emergency: EmergencyAccess
    ) -> None:
        casework.review_emergency_access(scenario, ctx(scenario, "helena"), emergency)
        assert casework.emergency_reviews(scenario, ctx(scenario, "helena")) == []


def test_police_never_get_health_or_social_welfare_notes_by_emergency(scenario: Session) -> None:
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


class TestJoiningTheTeam:
    def test_an_agency_no_consent_or_disclosure_covers_is_refused(self, scenario: Session) -> None:
        with pytest.raises(InputError) as refused:
            casework.add_team_agency(
                scenario, ctx(scenario, "sanna"), case_of(scenario, P2), agency(scenario, "pol")
            )
        assert refused.value.code == "no_basis_for_agency"

    def test_a_disclosure_to_the_agency_lets_it_join(self, scenario: Session) -> None:
        case, pol = case_of(scenario, P2), agency(scenario, "pol")
        casework.create_disclosure(
            scenario,
            ctx(scenario, "sanna"),
            case,
            to_agency=pol,
            categories=["family"],
            # Issue 9: social services may not use Child Welfare Act §25a (it is *to* them);
            # §18 is the basis on which they disclose to police.
            basis="act_812_2000_18",
            justification="police request",
            expires_on=work_day() + timedelta(days=10),
        )
        member = casework.add_team_agency(scenario, ctx(scenario, "sanna"), case, pol)
        assert member.basis.startswith("disclosure:")

    def test_a_withdrawal_later_does_not_remove_members(self, scenario: Session) -> None:
        # P3: the consent that let pol join was withdrawn; pol stays on the team.
        p3_members = scenario.scalars(
            select(TeamAgency.agency_id).where(TeamAgency.case_id == case_of(scenario, P3).id)
        )
        assert agency(scenario, "pol").id in set(p3_members)


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
    scenario: Session, given_by: str, born_years_ago: int, effective: bool
) -> None:
    today = work_day()
    born = today.replace(year=today.year - born_years_ago) - timedelta(days=1)
    person = persons.register(
        scenario,
        ctx(scenario, "sanna"),
        persons.PersonDetails("Testi", "Henkilö", born),
        confirmed=True,
    )
    case = casework.open_case(scenario, ctx(scenario, "sanna"), person, ["other"])
    nuo = agency(scenario, "nuo")
    consent = casework.record_consent(
        scenario,
        ctx(scenario, "sanna"),
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
        assert casework.add_team_agency(scenario, ctx(scenario, "sanna"), case, nuo)
    else:
        with pytest.raises(InputError):
            casework.add_team_agency(scenario, ctx(scenario, "sanna"), case, nuo)


@pytest.fixture
def closure_request(scenario: Session) -> ClosureRequest:
    """Noora (a team member from youth work) asks to close P1's case (led by sos)."""
    return casework.request_closure(
        scenario, ctx(scenario, "noora"), case_of(scenario, P1), "no_further_need"
    )


class TestClosure:
    def test_a_case_has_one_pending_request_at_a_time(
        self, scenario: Session, closure_request: ClosureRequest
    ) -> None:
        with pytest.raises(InputError):
            casework.request_closure(
                scenario, ctx(scenario, "sanna"), case_of(scenario, P1), "no_further_need"
            )

    @pytest.mark.parametrize("username", ["sanna", "nelli", "petri"])
    def test_only_a_lead_agency_supervisor_decides(
        self, scenario: Session, closure_request: ClosureRequest, username: str
    ) -> None:
        with pytest.raises(PolicyDenied):
            casework.decide_closure(
                scenario, ctx(scenario, username), closure_request, approve=True
            )

    def test_returning_needs_a_comment(
        self, scenario: Session, closure_request: ClosureRequest
    ) -> None:
        with pytest.raises(InputError):
            casework.decide_closure(
                scenario, ctx(scenario, "helena"), closure_request, approve=False
            )

    def test_a_returned_request_leaves_the_case_open(
        self, scenario: Session, closure_request: ClosureRequest
    ) -> None:
        casework.decide_closure(
            scenario,
            ctx(scenario, "helena"),
            closure_request,
            approve=False,
            comment="Vielä yksi tapaaminen",
        )
        assert case_of(scenario, P1).status == "open"

    def test_an_approved_request_closes_the_case_with_its_outcome(
        self, scenario: Session, closure_request: ClosureRequest
    ) -> None:
        casework.decide_closure(scenario, ctx(scenario, "helena"), closure_request, approve=True)
        case = case_of(scenario, P1)
        assert case.status == "closed" and case.outcome == "no_further_need"


@pytest.fixture
def corrected(scenario: Session) -> CaseNote:
    """Sanna's correction of her agency's general note on P1's case; returns the original."""
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
    return original


class TestNoteCorrections:
    def test_the_case_page_shows_the_new_version_only(
        self, scenario: Session, corrected: CaseNote
    ) -> None:
        notes = casework.view_case(scenario, ctx(scenario, "sanna"), case_of(scenario, P1)).notes
        bodies = [n.body for n in notes]
        assert any(b.startswith("Korjattu") for b in bodies)
        assert corrected.body not in bodies

    def test_the_old_version_is_kept(self, scenario: Session, corrected: CaseNote) -> None:
        assert scenario.get(CaseNote, corrected.id) is not None

    def test_another_agency_cannot_correct_the_note(
        self, scenario: Session, corrected: CaseNote
    ) -> None:
        with pytest.raises(InputError):
            casework.write_note(
                scenario,
                ctx(scenario, "noora"),
                case_of(scenario, P1),
                category="general",
                sensitivity="normal",
                body="x",
                supersedes=corrected,
            )


def test_my_cases_is_a_read_of_each_person_listed(scenario: Session) -> None:
    """Each young person on the list gets a `person:read` of their own (their access report)."""
    sanna = ctx(scenario, "sanna")
    listed_before = select(AuditEvent.id).where(AuditEvent.action == "person:read")
    before = set(scenario.scalars(listed_before))
    listing = casework.list_my_cases(scenario, sanna)
    scenario.flush()
    events = [
        e
        for e in scenario.scalars(select(AuditEvent).where(AuditEvent.action == "person:read"))
        if e.id not in before
    ]
    assert len(listing) == 3  # P1, P2 and P4: social services is on their teams
    assert sorted(str(e.subject_id) for e in events) == sorted(
        str(entry.case.person_id) for entry in listing
    )
    assert all(e.details == {"view": "case_list"} and e.bases for e in events)
    assert all(e.actor_user_id == sanna.actor.id for e in events)  # type: ignore[union-attr]
