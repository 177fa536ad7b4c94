"""Releasing the agency part (issue 14, point 4): every item by an explicit choice, withheld
items absent (only a count by reason), bad choices refused with nothing produced, and no
guardian version for a young person who forbids disclosure to their guardian."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from cases.inputs import InputError
from cases.persons import services as persons
from cases.rights.agency_part import GuardianVersionRefused, prepare_part, produce_part
from tests.budgets.counting import counting
from tests.cases.rights.scene import PartScene, part_scene
from tests.factories import as_user


@pytest.fixture
def ps(domain_session: Session) -> PartScene:
    return part_scene(domain_session)


def _all(ps: PartScene, who: str = "siiri", choice: str = "release") -> dict[str, tuple[str, str]]:
    part = prepare_part(ps.s.session, as_user(ps.s.users[who]), ps.eetu.id)
    reason = "third_party_data" if choice == "withhold" else ""
    return {item.token: (choice, reason) for item in part.items}


def _events(session: Session, action: str) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    return int(session.scalar(query) or 0)


def test_released_items_are_exactly_the_chosen_ones(ps: PartScene) -> None:
    choices = _all(ps)
    part = prepare_part(ps.s.session, as_user(ps.s.siiri), ps.eetu.id)
    [health] = [i for i in part.items if "SOS-HEALTH-A" in repr(i)]
    [entry] = [i for i in part.items if "SOS-ENTRY-A" in repr(i)]
    choices[health.token] = ("withhold", "third_party_data")
    choices[entry.token] = ("withhold", "endangers_young_person_or_another")
    produced = produce_part(ps.s.session, as_user(ps.s.siiri), ps.eetu.id, "young_person", choices)
    document = json.dumps(produced.as_json(), ensure_ascii=False)
    assert "SOS-GENERAL-A" in document and "SOS-ACTION-A" in document
    assert "SOS-HEALTH-A" not in document and "SOS-ENTRY-A" not in document
    assert str(health.id) not in document and str(entry.id) not in document
    assert produced.as_json()["withheld_by_reason"] == {
        "endangers_young_person_or_another": 1,
        "third_party_data": 1,
    }
    assert len(produced.released) == len(part.items) - 2


def test_producing_is_audited_with_counts_and_no_content(ps: PartScene) -> None:
    choices = _all(ps, "petri", "withhold")
    produce_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id, "guardian", choices)
    event = ps.s.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rights:agency-part:produce")
    ).one()
    assert event.subject_id == ps.eetu.id
    assert event.details["released"] == 0
    assert event.details["withheld"] == len(choices)
    assert event.details["withheld_third_party_data"] == len(choices)
    assert event.details["recipient"] == "guardian"
    assert "POL-" not in repr(event.details) and "Virtanen" not in repr(event.details)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("missing", "choice_required"),
        ("blank", "choice_required"),
        ("nonsense", "choice_required"),
        ("withhold_no_reason", "reason_required"),
        ("withhold_bad_reason", "invalid_reason"),
        ("other_agencys_item", "unknown_item"),
        ("other_persons_item", "unknown_item"),
        ("made_up_item", "unknown_item"),
    ],
)
def test_bad_choices_produce_nothing(ps: PartScene, change: str, code: str) -> None:
    choices = _all(ps, "petri")
    first = next(iter(choices))
    if change == "missing":
        del choices[first]
    elif change == "blank":
        choices[first] = ("", "")
    elif change == "nonsense":
        choices[first] = ("publish", "")
    elif change == "withhold_no_reason":
        choices[first] = ("withhold", "")
    elif change == "withhold_bad_reason":
        choices[first] = ("withhold", "because")
    elif change == "other_agencys_item":
        choices.update(_all(ps, "siiri"))
    elif change == "other_persons_item":
        bea = prepare_part(ps.s.session, as_user(ps.s.petri), ps.bea.id)
        choices[bea.items[-1].token] = ("release", "")
    else:
        choices["note:00000000-0000-4000-8000-000000000001"] = ("release", "")
    before = _events(ps.s.session, "rights:agency-part:produce")
    with pytest.raises(InputError) as refused:
        produce_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id, "young_person", choices)
    assert refused.value.code == code
    assert _events(ps.s.session, "rights:agency-part:produce") == before


def test_an_unknown_recipient_is_refused(ps: PartScene) -> None:
    with pytest.raises(InputError) as refused:
        produce_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id, "neighbour", _all(ps, "petri"))
    assert refused.value.code == "invalid_recipient"


def _forbid_guardian(ps: PartScene) -> None:
    details = persons.current_details(ps.s.session, ps.eetu)
    assert details is not None
    changed = dataclasses.replace(details, forbids_guardian_disclosure=True)
    persons.update(ps.s.session, as_user(ps.s.sanna), ps.eetu, changed)


def test_no_guardian_version_when_the_young_person_forbids_it(ps: PartScene) -> None:
    _forbid_guardian(ps)
    choices = _all(ps, "petri")
    with pytest.raises(GuardianVersionRefused):
        produce_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id, "guardian", choices)
    assert _events(ps.s.session, "rights:agency-part:produce") == 0
    refusal = ps.s.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rights:agency-part:refuse")
    ).one()
    assert refusal.subject_id == ps.eetu.id and refusal.outcome == "denied"
    # The young person's own version is still produced.
    produced = produce_part(ps.s.session, as_user(ps.s.petri), ps.eetu.id, "young_person", choices)
    assert produced.released


def test_preparing_sends_the_same_statements_however_many_items(ps: PartScene) -> None:
    s = ps.s
    engine = s.session.get_bind()
    s.session.expire_all()
    with counting(engine) as few:
        prepare_part(s.session, as_user(s.siiri), ps.eetu.id)
    for n in range(5):
        s.build.note(s.case, s.sanna, body=f"Lisää. SOS-MORE-{n}")
    s.session.expire_all()
    with counting(engine) as more:
        part = prepare_part(s.session, as_user(s.siiri), ps.eetu.id)
    assert sum("SOS-MORE-" in repr(item) for item in part.items) == 5
    assert more.count == few.count, f"{few}\n---\n{more}"
    # The names of the agencies the items name only, never every agency's row.
    every_agency = [q for q in more.sql if q.startswith("SELECT agencies.id, agencies.code")]
    assert every_agency and all(" WHERE agencies.id IN " in q for q in every_agency), every_agency
    # The register data is read once (and the birth dates once, for the facts).
    assert sum(q.startswith("SELECT person_versions.") for q in more.sql) <= 2, str(more)
