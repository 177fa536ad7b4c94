"""The agency part's scene: the meeting scenario's case of Eetu Virtanen (led by sos; team sos,
nuo and pol; a consent covering nuo and pol for general and education notes) with records of
each agency that carry a marker, a second case of Eetu's that only sos is on, and a second young
person (Bea) whose case police are on too.

Every marker is a string that appears in exactly one record, so a test can say which records a
part holds by the markers in it."""

from __future__ import annotations

from dataclasses import dataclass

from cases.casework.models import Case
from cases.persons.models import Person
from cases.referrals import services as referrals
from tests.cases.meetings.scenario import Scene, scene
from tests.factories import as_user


@dataclass
class PartScene:
    s: Scene
    eetu: Person
    second_case: Case
    bea: Person


def part_scene(session: object) -> PartScene:
    s = scene(session)  # type: ignore[arg-type]
    b = s.build
    b.note(s.case, s.sanna, body="Tavattiin koululla. SOS-GENERAL-A")
    b.note(
        s.case,
        s.sanna,
        body="Terveystieto. SOS-HEALTH-A",
        category="health",
        sensitivity="restricted",
    )
    b.note(s.case, s.pekka, body="Rikosilmoitus. POL-OFFENCE-A", category="offence")
    b.note(s.case, s.noora, body="Harrastus. NUO-GENERAL-A")
    meeting = s.meeting()
    item = s.agenda(meeting)
    s.held(meeting)
    s.entry(meeting, item, body="Päätettiin tukea. SOS-ENTRY-A")
    s.entry(meeting, item, by="pekka", category="offence", body="Tutkinta. POL-ENTRY-A")
    s.action(meeting, item, description="Soita koululle. SOS-ACTION-A")
    referrals.send_referral(
        s.session,
        as_user(s.sanna),
        s.case,
        referrals.ReferralInput(
            to_agency=s.agencies["nuo"].id,
            urgency="urgent",
            category="general",
            reason="Tarvitsee tukea. REF-SOS-NUO-A",
        ),
    )
    eetu = s.session.get(Person, s.case.person_id)
    assert eetu is not None
    second = b.case(s.sanna, eetu)
    b.note(second, s.sanna, body="Toinen asia. SOS-SECOND-CASE-A")
    bea = b.person(s.sanna, surname="Bergström", given_names="Bea")
    bea_case = b.case(s.sanna, bea)
    b.consent(bea_case, s.sanna, recipients=[s.agencies["pol"]], categories=["general"])
    b.member(bea_case, s.sanna, s.pekka)
    b.note(bea_case, s.sanna, body="Bean asia. SOS-B")
    b.note(bea_case, s.pekka, body="Bean rikos. POL-B", category="offence")
    s.session.flush()
    return PartScene(s, eetu, second, bea)


MARKERS = (
    "SOS-GENERAL-A",
    "SOS-HEALTH-A",
    "POL-OFFENCE-A",
    "NUO-GENERAL-A",
    "SOS-ENTRY-A",
    "POL-ENTRY-A",
    "SOS-ACTION-A",
    "REF-SOS-NUO-A",
    "SOS-SECOND-CASE-A",
    "SOS-B",
    "POL-B",
    "Bergström",
)
