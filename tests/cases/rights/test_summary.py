"""The young person's summary (issue 14, point 5), built from the case's consents and
disclosures as the policy reads them now: what is shared, with whom, until which day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case
from cases.persons import services as persons
from cases.persons.erasure import shred
from cases.persons.models import Person
from cases.persons.queries import current_details
from cases.policy import PolicyDenied, Reason
from cases.policy.sharing import add_years
from cases.rights.summary import Audience, youth_summary
from core.db import utcnow
from tests.clock import work_day
from tests.factories import OPERATOR, Builders, as_user


@dataclass
class Scene:
    session: Session
    build: Builders
    sanna: User  # sos (social services) caseworker, leads the case
    noora: User  # nuo (youth work) caseworker, on the team
    pekka: User  # pol (police) caseworker, on the team
    case: Case


@pytest.fixture
def s(domain_session: Session) -> Scene:
    build = Builders(domain_session)
    sanna = build.user("sanna", agency="sos")
    noora = build.user("noora", agency="nuo")
    pekka = build.user("pekka", agency="pol")
    # Seventeen: the young person gives consent themselves.
    person = build.person(sanna, given_names="Aino", surname="Esimerkki", birth_date=_aged(17))
    case = build.case(sanna, person)
    build.consent(case, sanna, recipients=[noora.agency, pekka.agency], categories=["general"])
    build.member(case, sanna, noora)
    build.member(case, sanna, pekka)
    return Scene(domain_session, build, sanna, noora, pekka, case)


def _aged(years: int, days_to_birthday: int = 100) -> date:
    """A birth date of someone `years` old whose next birthday is `days_to_birthday` away."""
    return add_years(work_day() + timedelta(days=days_to_birthday), -(years + 1))


def _summary(s: Scene, audience: Audience = Audience.YOUNG_PERSON, by: User | None = None, **kw):  # type: ignore[no-untyped-def]
    return youth_summary(s.session, as_user(by or s.sanna), s.case.id, audience, "fi", **kw)


def _disclose(s: Scene, to: User, basis: str, categories: list[str], days: int) -> None:
    casework.create_disclosure(
        s.session,
        as_user(s.sanna),
        s.case,
        to_agency=to.agency,
        categories=categories,
        basis=basis,
        justification="Lakisääteinen ilmoitus.",
        expires_on=work_day() + timedelta(days=days),
    )


class TestSharedByConsent:
    def test_each_recipient_of_an_effective_consent_is_listed_with_its_last_day(
        self, s: Scene
    ) -> None:
        until = work_day() + timedelta(days=90)
        s.build.consent(
            s.case,
            s.sanna,
            recipients=[s.noora.agency],
            categories=["education"],
            valid_until=until,
        )
        summary = _summary(s)
        rows = {(r.agency_name, r.categories, r.until) for r in summary.by_consent}
        assert ("Agency nuo", ("education",), until) in rows
        assert ("Agency nuo", ("general",), work_day() + timedelta(days=364)) in rows
        assert all(r.given_by == "self" and not r.ends_at_self_age for r in summary.by_consent)
        assert summary.given_names == "Aino" and summary.surname == "Esimerkki"
        assert summary.lead_agency_name == "Agency sos" and summary.as_of == work_day()
        assert summary.team_agency_names == ("Agency nuo", "Agency pol", "Agency sos")

    def test_a_withdrawn_consent_is_not_listed_as_sharing(self, s: Scene) -> None:
        consent = s.build.consent(
            s.case, s.sanna, recipients=[s.noora.agency], categories=["family"]
        )
        assert "family" in {c for r in _summary(s).by_consent for c in r.categories}
        casework.withdraw_consent(s.session, as_user(s.noora), s.case, consent, "Nuori perui.")
        shared = {c for r in _summary(s).by_consent for c in r.categories}
        assert "family" not in shared and "general" in shared

    def test_an_expired_consent_is_not_listed(self, s: Scene) -> None:
        later = utcnow() + timedelta(days=400)
        assert _summary(s, now=later).by_consent == ()

    def test_police_never_see_health_on_consent(self, s: Scene) -> None:
        s.build.consent(
            s.case, s.sanna, recipients=[s.pekka.agency], categories=["health", "offence"]
        )
        police = [r for r in _summary(s).by_consent if r.agency_name == "Agency pol"]
        assert {c for r in police for c in r.categories} == {"general", "offence"}
        nuo_or_sos = [r for r in _summary(s).by_consent if r.agency_name == "Agency sos"]
        assert "health" in {c for r in nuo_or_sos for c in r.categories}

    def test_a_guardians_consent_ends_the_day_before_the_young_person_turns_fifteen(
        self, domain_session: Session
    ) -> None:
        build = Builders(domain_session)
        sanna = build.user("sanna", agency="sos")
        person = build.person(sanna, birth_date=_aged(14, days_to_birthday=40))
        case = build.case(sanna, person)
        build.consent(case, sanna, given_by="guardian", valid_until=work_day() + timedelta(200))
        summary = youth_summary(domain_session, as_user(sanna), case.id, Audience.GUARDIAN, "sv")
        assert summary is not None
        (row,) = summary.by_consent
        assert row.given_by == "guardian" and row.ends_at_self_age
        assert row.until == work_day() + timedelta(days=39)
        assert summary.self_consent_age == 15


class TestSharedByLaw:
    def test_an_active_disclosure_is_listed_with_its_basis_and_last_day(self, s: Scene) -> None:
        _disclose(s, s.pekka, "act_812_2000_18", ["social_welfare"], days=30)
        (row,) = _summary(s).by_law
        assert (row.from_agency_name, row.to_agency_name) == ("Agency sos", "Agency pol")
        assert row.basis == "act_812_2000_18" and row.categories == ("social_welfare",)
        assert row.releases_notes and row.until == work_day() + timedelta(days=30)

    def test_an_expired_disclosure_is_not_listed(self, s: Scene) -> None:
        _disclose(s, s.pekka, "act_812_2000_18", ["social_welfare"], days=30)
        assert _summary(s, now=utcnow() + timedelta(days=32)).by_law == ()

    def test_a_youth_act_disclosure_releases_contact_data_only(self, s: Scene) -> None:
        _disclose(s, s.noora, "youth_act_1285_2016_11", [], days=10)
        (row,) = _summary(s).by_law
        assert not row.releases_notes and row.categories == ()
        assert row.to_agency_name == "Agency nuo"


class TestWhoGetsOne:
    def test_producing_it_is_audited_without_its_content(self, s: Scene) -> None:
        _summary(s, Audience.GUARDIAN)
        (event,) = s.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.SUMMARY_PRODUCED)
        )
        assert event.subject_id == s.case.person_id and event.object_id == str(s.case.id)
        assert event.actor_user_id == s.sanna.id and event.bases == ["case_team"]
        assert event.details == {
            "audience": "guardian",
            "language": "fi",
            "shared_by_consent": 3,
            "shared_by_law": 0,
        }
        assert "Aino" not in str(event.details) and "Agency" not in str(event.details)

    def test_no_guardian_version_when_the_young_person_forbids_it(self, s: Scene) -> None:
        person = persons.get_person(s.session, s.case.person_id)
        assert person is not None
        details = current_details(s.session, person)
        assert details is not None
        persons.update(
            s.session, as_user(s.sanna), person, replace(details, forbids_guardian_disclosure=True)
        )
        with pytest.raises(PolicyDenied) as refused:
            _summary(s, Audience.GUARDIAN)
        assert refused.value.decision.reason == Reason.GUARDIAN_FORBIDDEN
        assert refused.value.subject_id == s.case.person_id
        assert _summary(s, Audience.YOUNG_PERSON) is not None

    def test_a_practitioner_off_the_team_is_refused(self, s: Scene) -> None:
        outsider = s.build.user("olli", agency="ngo")
        with pytest.raises(PolicyDenied) as refused:
            _summary(s, by=outsider)
        assert refused.value.decision.reason == Reason.NOT_ON_TEAM

    def test_nothing_about_an_erased_person(self, s: Scene) -> None:
        shred(s.session, OPERATOR, s.session.get_one(Person, s.case.person_id), "test")
        with pytest.raises(PolicyDenied) as refused:
            _summary(s)
        assert refused.value.decision.reason == Reason.PERSON_ERASED

    def test_a_missing_case_is_none(self, s: Scene) -> None:
        assert (
            youth_summary(s.session, as_user(s.sanna), s.noora.id, Audience.YOUNG_PERSON, "en")
            is None
        )
