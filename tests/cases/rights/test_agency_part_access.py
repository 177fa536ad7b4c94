"""Who gets what in the agency part of the subject access report (issue 14, point 4).

The expectations are written out by hand from the scene's story, not computed from the policy:
a supervisor gets exactly their own agency's records on the cases their agency is on; everyone
else is refused, and the refusal is audited with the young person as its subject."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from cases.casework.models import Case
from cases.persons import services as persons
from cases.policy import PolicyDenied
from cases.rights.agency_part import prepare_part, produce_part
from tests.cases.meetings.scenario import leave_team
from tests.cases.rights.scene import MARKERS, PartScene, part_scene
from tests.factories import OPERATOR, as_user


@pytest.fixture
def ps(domain_session: Session) -> PartScene:
    return part_scene(domain_session)


def _text(part_items: list[object]) -> str:
    return " ".join(repr(item) for item in part_items)


# who -> (markers their part holds, cases in it, referrals in it)
GETS = {
    # Social services: its own notes (restricted and health too), its minutes, the case only sos
    # is on; the referral it sent. Never police's or youth work's notes, never Bea.
    "siiri": (
        {
            "SOS-GENERAL-A",
            "SOS-HEALTH-A",
            "SOS-ENTRY-A",
            "SOS-ACTION-A",
            "REF-SOS-NUO-A",
            "SOS-SECOND-CASE-A",
        },
        2,
        1,
    ),
    # Police: its own offence note and minute entry; not the second case (police are not on it),
    # not the sos notes it may read by consent (they are social services' records), not Bea.
    "petri": ({"POL-OFFENCE-A", "POL-ENTRY-A"}, 1, 0),
    # Youth work: its note and the referral it received.
    "nelli": ({"NUO-GENERAL-A", "REF-SOS-NUO-A"}, 1, 1),
}

REFUSED = {
    # Supervisors of agencies on none of Eetu's cases: as if Eetu did not exist.
    "jaana": "not_on_team",
    "oona": "not_on_team",
    # Caseworkers answer for their work, not for their agency's records.
    "sanna": "role_not_allowed",
    "pekka": "role_not_allowed",
    "noora": "role_not_allowed",
    # No content for these roles.
    "aino": "role_no_content",
    "ylva": "role_no_content",
    "timo": "role_no_content",
}


@pytest.mark.parametrize("who", sorted(GETS))
def test_a_supervisor_gets_exactly_their_agencys_records(ps: PartScene, who: str) -> None:
    markers, cases, referrals = GETS[who]
    part = prepare_part(ps.s.session, as_user(ps.s.users[who]), ps.eetu.id)
    text = _text(part.items)
    assert {m for m in MARKERS if m in text} == markers
    kinds = [item.kind for item in part.items]
    assert kinds.count("case") == cases
    assert kinds.count("referral") == referrals
    # The register data the agency sees on the person page, and no one else's.
    assert kinds.count("register") == 1
    assert "Virtanen" in text and "Bergström" not in text


@pytest.mark.parametrize("who", sorted(REFUSED))
def test_everyone_else_is_refused_and_audited(ps: PartScene, who: str) -> None:
    with pytest.raises(PolicyDenied) as refused:
        prepare_part(ps.s.session, as_user(ps.s.users[who]), ps.eetu.id)
    assert str(refused.value.decision.reason) == REFUSED[who]
    assert refused.value.subject_id == ps.eetu.id
    with pytest.raises(PolicyDenied):
        produce_part(ps.s.session, as_user(ps.s.users[who]), ps.eetu.id, "young_person", {})


def test_an_agency_that_left_the_team_gets_nothing(ps: PartScene) -> None:
    leave_team(ps.s, "pol")
    with pytest.raises(PolicyDenied) as refused:
        prepare_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id)
    assert str(refused.value.decision.reason) == "not_on_team"


def test_two_persons_nothing_of_the_other_appears(ps: PartScene) -> None:
    """Police are on both young people's cases: each part holds only its own person's records."""
    for person, own, other in (
        (ps.eetu, {"POL-OFFENCE-A", "POL-ENTRY-A"}, {"POL-B", "SOS-B", "Bergström"}),
        (ps.bea, {"POL-B", "Bergström"}, {"POL-OFFENCE-A", "POL-ENTRY-A", "Virtanen"}),
    ):
        part = prepare_part(ps.s.session, as_user(ps.s.petri), person.id)
        text = _text(part.items)
        assert own <= {m for m in (*MARKERS, "Virtanen") if m in text}
        assert not {m for m in other if m in text}
        assert {item.case_id for item in part.items if item.case_id} <= {
            c for c in _case_ids(ps.s.session, person.id)
        }


def _case_ids(session: Session, person_id: object) -> set[object]:
    return set(session.scalars(select(Case.id).where(Case.person_id == person_id)))


def test_preparing_is_audited_with_counts_only(ps: PartScene) -> None:
    prepare_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id)
    event = ps.s.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rights:agency-part:prepare")
    ).one()
    assert event.subject_id == ps.eetu.id
    assert "POL-OFFENCE" not in repr(event.details) and "Virtanen" not in repr(event.details)


def test_nothing_is_prepared_for_an_erased_young_person(ps: PartScene) -> None:
    persons.shred(ps.s.session, OPERATOR, ps.eetu, "retention")
    with pytest.raises(PolicyDenied) as refused:
        prepare_part(ps.s.session, as_user(ps.s.siiri), ps.eetu.id)
    assert str(refused.value.decision.reason) == "person_erased"


def test_a_person_who_does_not_exist_is_refused_like_one_not_shared(ps: PartScene) -> None:
    with pytest.raises(PolicyDenied) as refused:
        prepare_part(ps.s.session, as_user(ps.s.siiri), uuid.uuid4())
    assert str(refused.value.decision.reason) == "not_on_team"
