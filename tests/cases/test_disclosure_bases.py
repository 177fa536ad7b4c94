"""Issue 9, finding 5: each legal basis fixes who may disclose under it and who may receive.

The expected table is the issue's, typed out here (not read from `cases.policy.legal_bases`):
| basis | discloser kinds | recipient kinds |
| Child Welfare Act §25 notification | any but social_services | social_services |
| Child Welfare Act §25a joint contact | any but social_services | social_services |
| Social Welfare Act §35 contact | any but social_services | social_services |
| Youth Act §11 outreach | any but ngo (authorities only) | youth_work |
| Act 812/2000 §18 | social_services, health | police |
Youth Act §11 releases identification and contact data only, never notes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from cases.accounts import services as accounts
from cases.accounts.models import Agency
from cases.casework import services as casework
from cases.casework.models import Disclosure
from cases.inputs import InputError
from cases.policy import Permission, decide
from cases.policy.facts import (
    CaseFacts,
    CaseRules,
    DisclosureFacts,
    LegalBasis,
    NoteFacts,
    Sensitivity,
)
from cases.policy.sharing import disclosure_problem
from tests.cases.casework_scenario import P1, case_of, ctx, readable_markers, scenario
from tests.clock import work_day

__all__ = ["scenario"]

KINDS = ["social_services", "youth_work", "police", "ngo", "school", "health", "coordination"]
EXPECTED = {
    "child_welfare_417_2007_25": (set(KINDS) - {"social_services"}, {"social_services"}),
    "child_welfare_417_2007_25a": (set(KINDS) - {"social_services"}, {"social_services"}),
    "social_welfare_1301_2014_35": (set(KINDS) - {"social_services"}, {"social_services"}),
    "youth_act_1285_2016_11": (set(KINDS) - {"ngo"}, {"youth_work"}),
    "act_812_2000_18": ({"social_services", "health"}, {"police"}),
}
RELEASES_NOTES = {code: code != "youth_act_1285_2016_11" for code in EXPECTED}
TABLE = [
    (basis, discloser, recipient, discloser in who and recipient in to)
    for basis, (who, to) in EXPECTED.items()
    for discloser in KINDS
    for recipient in KINDS
]
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_table_covers_every_basis() -> None:
    assert set(EXPECTED) == {b.value for b in LegalBasis}


@pytest.mark.parametrize(("basis", "discloser", "recipient", "fits"), TABLE)
def test_granting_follows_the_basis_table(
    basis: str, discloser: str, recipient: str, fits: bool
) -> None:
    today = NOW.date()
    problem = disclosure_problem(
        basis, discloser, recipient, today, today + timedelta(days=30), CaseRules()
    )
    assert (problem is None) == fits, problem


AUTHOR, READER, READER_USER = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=10)


class Reader:
    role = "caseworker"
    id = READER_USER
    agency_id = READER
    active = True


@pytest.mark.parametrize(("basis", "discloser", "recipient", "fits"), TABLE)
@pytest.mark.parametrize("category", ["general", "health"])
def test_the_policy_releases_only_through_a_fitting_basis(
    basis: str, discloser: str, recipient: str, fits: bool, category: str
) -> None:
    """Rows recorded before the table was enforced release nothing when they do not fit."""
    if discloser == recipient:
        return  # one agency of each kind here; a disclosure is always to another agency
    disclosure = DisclosureFacts(
        from_agency=AUTHOR,
        to_agency=READER,
        categories=frozenset({category}),
        basis=LegalBasis(basis),
        granted_at=NOW - timedelta(days=5),
        expires_at=NOW + timedelta(days=5),
        id=uuid.uuid4(),
    )
    case = CaseFacts(
        id=uuid.uuid4(),
        lead_agency=AUTHOR,
        member_agencies=frozenset({AUTHOR, READER}),
        member_users=frozenset({READER_USER}),
        agency_kinds={AUTHOR: discloser, READER: recipient},
        disclosures=(disclosure,),
    )
    note = NoteFacts(case, AUTHOR, category, Sensitivity.RESTRICTED)
    decision = decide(Reader(), Permission.NOTE_READ, note, NOW)
    police_health = recipient == "police" and category == "health"
    released = fits and RELEASES_NOTES[basis] and (not police_health or basis == "act_812_2000_18")
    assert decision.allowed == released, decision


def _agency(session: Session, code: str) -> Agency:
    agency = accounts.get_agency_by_code(session, code)
    assert agency is not None
    return agency


# The demo's agencies on P1's team disclose (sos, nuo, pol) to each other demo agency.
DEMO_KINDS = {
    "sos": "social_services",
    "nuo": "youth_work",
    "pol": "police",
    "ngo": "ngo",
    "tur": "coordination",
}
DISCLOSERS = {"sos": "sanna", "nuo": "noora", "pol": "pekka"}


def test_the_service_refuses_every_unfitting_basis(scenario: Session) -> None:
    case = case_of(scenario, P1)
    expires = work_day() + timedelta(days=30)
    tried = 0
    for code, username in DISCLOSERS.items():
        for to_code in DEMO_KINDS:
            if to_code == code:
                continue
            for basis, (who, to) in EXPECTED.items():
                fits = DEMO_KINDS[code] in who and DEMO_KINDS[to_code] in to
                savepoint = scenario.begin_nested()
                try:
                    casework.create_disclosure(
                        scenario,
                        ctx(scenario, username),
                        case,
                        to_agency=_agency(scenario, to_code),
                        categories=["general"],
                        basis=basis,
                        justification="testi",
                        expires_on=expires,
                    )
                except InputError as refused:
                    assert not fits, (code, to_code, basis, refused.code)
                    assert refused.code in ("basis_not_for_discloser", "basis_not_for_recipient")
                else:
                    assert fits, (code, to_code, basis)
                savepoint.rollback()
                tried += 1
    assert tried == 3 * 4 * 5


def test_section_18_to_youth_work_no_longer_releases_a_restricted_health_note(
    scenario: Session,
) -> None:
    """The finding: Act 812/2000 §18 accepted with youth work as the recipient released a
    restricted health note (DEMO-P1-SOS-HEALTH)."""
    case = case_of(scenario, P1)
    with pytest.raises(InputError) as refused:
        casework.create_disclosure(
            scenario,
            ctx(scenario, "sanna"),
            case,
            to_agency=_agency(scenario, "nuo"),
            categories=["health"],
            basis="act_812_2000_18",
            justification="x",
            expires_on=work_day() + timedelta(days=30),
        )
    assert refused.value.code == "basis_not_for_recipient"
    scenario.rollback()
    # A row like that recorded before the fix releases nothing either.
    sos, nuo = _agency(scenario, "sos"), _agency(scenario, "nuo")
    scenario.add(
        Disclosure(
            person_id=case.person_id,
            case_id=case.id,
            from_agency_id=sos.id,
            to_agency_id=nuo.id,
            categories=["health"],
            basis="act_812_2000_18",
            granted_at=datetime.now(UTC) - timedelta(days=1),
            expires_at=datetime.now(UTC) + timedelta(days=30),
        )
    )
    scenario.flush()
    assert "DEMO-P1-SOS-HEALTH" not in readable_markers(scenario, "noora")


def test_a_disclosure_lasts_at_most_12_months(scenario: Session) -> None:
    case = case_of(scenario, P1)
    today = work_day()
    arguments = {
        "to_agency": _agency(scenario, "pol"),
        "categories": ["general"],
        "basis": "act_812_2000_18",
        "justification": "x",
    }
    with pytest.raises(InputError, match="expiry_too_far"):
        casework.create_disclosure(
            scenario,
            ctx(scenario, "sanna"),
            case,
            expires_on=today.replace(year=today.year + 1),
            **arguments,  # type: ignore[arg-type]
        )
    last = today.replace(year=today.year + 1) - timedelta(days=1)
    granted = casework.create_disclosure(
        scenario,
        ctx(scenario, "sanna"),
        case,
        expires_on=last,
        **arguments,  # type: ignore[arg-type]
    )
    assert granted.expires_at.date() == last
