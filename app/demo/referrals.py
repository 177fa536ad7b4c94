"""The demo's referrals (issue 11, point 7): R1–R4, each reason carrying its marker."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.demo.casework import local_moment
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case
from cases.persons import services as persons
from cases.policy.facts import DEFAULT_RULES
from cases.policy.sharing import local_day
from cases.referrals import services as referrals
from cases.referrals.clocks import working_days_before
from cases.referrals.models import DeclineReason, Urgency
from core.db import utcnow

REFERRAL_TEXTS = {
    "DEMO-R1-POL-SOS": "Lumi epäiltynä vahingonteosta; pyydämme lastensuojelun arviota.",
    "DEMO-R2-SOS-NUO": "Eetu toivoo harrastusta; ohjataan nuorisotalon toimintaan.",
    "DEMO-R3-SOS-NGO": "Venla hyötyisi vertaisryhmästä; perhe on suostunut.",
    "DEMO-R4-POL-SOS": "Sama vahingonteko kuin aiemmassa ilmoituksessa, tiedoksi.",
}
R3_OUTCOME = "Venla kävi vertaisryhmässä kuusi kertaa; ryhmä päättyi suunnitellusti."
R4_DECLINE = "Sama asia on jo käsittelyssä aiemman ilmoituksen perusteella."


def _reason(marker: str) -> str:
    return f"{REFERRAL_TEXTS[marker]} {marker}"


def _case_of(session: Session, identity_code: str) -> Case | None:
    """The young person's demo case, unless a referral was already seeded on it."""
    person = persons.find_by_identity_code(session, identity_code)
    case = None if person is None else casework.first_case(session, person)
    if case is None or referrals.has_referrals(session, case):
        return None
    return case


def seed_referrals(session: Session) -> int:
    """R1–R4 once per case (a case that already has a referral is left alone)."""
    users = accounts.users_by_username(session)
    agencies = accounts.agencies_by_code(session)
    today = local_day(utcnow(), DEFAULT_RULES)

    def as_(username: str) -> AuditContext:
        return AuditContext(users[username], request_id="demo-seed")

    created = 0
    if (p4 := _case_of(session, "200411A4682")) is not None:
        # R1: sent two working days ago and not acknowledged, so its acknowledgement is overdue
        # and its (urgent, three working days) response is due the working day after today.
        referrals.send_referral(
            session,
            as_("pekka"),
            p4,
            referrals.ReferralInput(
                to_agency=agencies["sos"].id,
                urgency=Urgency.URGENT,
                category="offence",
                reason=_reason("DEMO-R1-POL-SOS"),
            ),
            sent_at=local_moment(working_days_before(today, 2), 10),
        )
        r4 = referrals.send_referral(
            session,
            as_("pekka"),
            p4,
            referrals.ReferralInput(
                to_agency=agencies["sos"].id,
                urgency=Urgency.ROUTINE,
                category="general",
                reason=_reason("DEMO-R4-POL-SOS"),
            ),
        )
        referrals.decline(
            session, as_("sanna"), r4, reason_code=DeclineReason.DUPLICATE, text=R4_DECLINE
        )
        created += 2
    if (p1 := _case_of(session, "140310A1230")) is not None:
        r2 = referrals.send_referral(
            session,
            as_("sanna"),
            p1,
            referrals.ReferralInput(
                to_agency=agencies["nuo"].id,
                urgency=Urgency.ROUTINE,
                category="general",
                reason=_reason("DEMO-R2-SOS-NUO"),
            ),
        )
        referrals.accept(session, as_("noora"), r2)
        created += 1
    if (p2 := _case_of(session, "020612A2465")) is not None:
        r3 = referrals.send_referral(
            session,
            as_("sanna"),
            p2,
            referrals.ReferralInput(
                to_agency=agencies["ngo"].id,
                urgency=Urgency.ROUTINE,
                category="family",
                reason=_reason("DEMO-R3-SOS-NGO"),
            ),
        )
        referrals.accept(session, as_("jari"), r3)
        referrals.complete(session, as_("jari"), r3, outcome=R3_OUTCOME)
        created += 1
    return created
