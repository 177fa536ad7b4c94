"""A small referral scenario on a plain session: social services (sanna, a caseworker; siiri, a
supervisor), youth work (noora, nuutti; nelli, a supervisor), police (pekka) and an NGO (jari),
with a case led by social services whose consent covers youth work for general notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts.models import Agency, User
from cases.casework.models import Case, Consent
from cases.referrals import services as referrals
from cases.referrals.models import Referral
from tests.factories import Builders, as_user


@dataclass
class Scene:
    session: Session
    build: Builders
    sanna: User
    siiri: User
    noora: User
    nuutti: User
    nelli: User
    pekka: User
    jari: User
    sos: Agency
    nuo: Agency
    pol: Agency
    ngo: Agency
    case: Case
    consent: Consent

    def send(self, by: User | None = None, **given: object) -> Referral:
        fields: dict[str, object] = {
            "to_agency": self.nuo.id,
            "urgency": "urgent",
            "category": "general",
            "reason": "Tarvitsee tukea vapaa-aikaan. DEMO-TEST",
        }
        fields.update(given)
        return referrals.send_referral(
            self.session,
            as_user(by or self.sanna),
            self.case,
            referrals.ReferralInput(**fields),  # type: ignore[arg-type]
        )


def scene(session: Session, *, birth_date: date = date(2009, 5, 17)) -> Scene:
    build = Builders(session)
    sanna = build.user("sanna", agency="sos")
    siiri = build.user("siiri", agency="sos", role="supervisor")
    noora = build.user("noora", agency="nuo")
    nuutti = build.user("nuutti", agency="nuo")
    nelli = build.user("nelli", agency="nuo", role="supervisor")
    pekka = build.user("pekka", agency="pol")
    jari = build.user("jari", agency="ngo")
    person = build.person(sanna, surname="Virtanen", birth_date=birth_date)
    case = build.case(sanna, person)
    consent = build.consent(case, sanna, recipients=[noora.agency], categories=["general"])
    return Scene(
        session,
        build,
        sanna,
        siiri,
        noora,
        nuutti,
        nelli,
        pekka,
        jari,
        sanna.agency,
        noora.agency,
        pekka.agency,
        jari.agency,
        case,
        consent,
    )


def ctx(user: User) -> AuditContext:
    return as_user(user)


def events(session: Session, action: str, object_id: object = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return int(session.scalar(query) or 0)


def referral_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Referral)) or 0)
