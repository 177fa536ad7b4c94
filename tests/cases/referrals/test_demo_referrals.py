"""Issue 11, point 7: the demo's referrals R1–R4 to the letter, read by every demo user."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo import DEMO_USERS
from cases.accounts.models import Agency, User
from cases.casework.models import Disclosure, TeamAgency
from cases.policy.decisions import PolicyDenied
from cases.referrals import services as referrals
from cases.referrals.models import Referral, ReferralEvent
from tests.cases.casework_scenario import P1, P2, P4, case_of, ctx

HELSINKI = ZoneInfo("Europe/Helsinki")
MARKER_RE = re.compile(r"DEMO-R\d-[A-Z]+-[A-Z]+")
# Written from the issue, not from the code: each reason is readable by exactly two agencies.
READERS = {
    "DEMO-R1-POL-SOS": {"pol", "sos"},
    "DEMO-R2-SOS-NUO": {"sos", "nuo"},
    "DEMO-R3-SOS-NGO": {"sos", "ngo"},
    "DEMO-R4-POL-SOS": {"pol", "sos"},
}


def _working_days_back(day: datetime, count: int) -> datetime:
    # Counted here, not with cases.referrals.clocks (whose own rules test_clocks checks).
    finnish = holidays.country_holidays("FI", years=range(day.year - 1, day.year + 1))
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5 and day.date() not in finnish:
            count -= 1
    return day


def _by_marker(session: Session) -> dict[str, Referral]:
    found = {}
    for referral in session.scalars(select(Referral)):
        markers = MARKER_RE.findall(referral.reason or "")
        assert len(markers) == 1
        found[markers[0]] = referral
    return found


def _codes(session: Session, referral: Referral) -> tuple[str, str]:
    sender, receiver = session.get(Agency, referral.from_agency_id), session.get(
        Agency, referral.to_agency_id
    )
    assert sender is not None and receiver is not None
    return sender.code, receiver.code


def test_the_four_referrals_follow_the_issue(demo_session: Session) -> None:
    found = _by_marker(demo_session)
    assert set(found) == set(READERS)
    users = {u.id: u.username for u in demo_session.scalars(select(User))}
    expected = {
        "DEMO-R1-POL-SOS": (P4, ("pol", "sos"), "offence", "urgent", "sent", "pekka"),
        "DEMO-R2-SOS-NUO": (P1, ("sos", "nuo"), "general", "routine", "accepted", "sanna"),
        "DEMO-R3-SOS-NGO": (P2, ("sos", "ngo"), "family", "routine", "completed", "sanna"),
        "DEMO-R4-POL-SOS": (P4, ("pol", "sos"), "general", "routine", "declined", "pekka"),
    }
    for marker, (code, agencies, category, urgency, state, sender) in expected.items():
        referral = found[marker]
        assert referral.case_id == case_of(demo_session, code).id, marker
        assert _codes(demo_session, referral) == agencies, marker
        assert (referral.category, referral.urgency, referral.state) == (category, urgency, state)
        assert users[referral.from_user_id] == sender, marker
    assert found["DEMO-R1-POL-SOS"].disclosure_id is not None
    assert found["DEMO-R1-POL-SOS"].legal_basis == "child_welfare_417_2007_25"
    assert found["DEMO-R4-POL-SOS"].disclosure_id is not None
    assert found["DEMO-R2-SOS-NUO"].consent_id is not None
    assert found["DEMO-R3-SOS-NGO"].consent_id is not None
    assert found["DEMO-R4-POL-SOS"].decline_reason == "duplicate"
    handled = ("DEMO-R2-SOS-NUO", "DEMO-R3-SOS-NGO")
    handlers = {m: users.get(found[m].handler_user_id) for m in handled}  # type: ignore[arg-type]
    assert handlers == {"DEMO-R2-SOS-NUO": "noora", "DEMO-R3-SOS-NGO": "jari"}
    r3_events = demo_session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id == found["DEMO-R3-SOS-NGO"].id)
    )
    assert any(e.to_state == "completed" and e.text for e in r3_events)


def test_r1_is_overdue_for_acknowledgement_and_due_the_next_working_day(
    demo_session: Session,
) -> None:
    r1 = _by_marker(demo_session)["DEMO-R1-POL-SOS"]
    seeded = datetime.now(HELSINKI).replace(hour=0, minute=0, second=0, microsecond=0)
    sent_day = r1.sent_at.astimezone(HELSINKI).date()
    assert sent_day == _working_days_back(seeded, 2).date()
    assert r1.acknowledged_at is None
    assert r1.acknowledge_due_at < datetime.now(UTC)
    assert referrals.overdue(r1, datetime.now(UTC))
    response_day = r1.response_due_at.astimezone(HELSINKI)
    assert (response_day.hour, response_day.minute) == (23, 59)
    assert _working_days_back(response_day.replace(hour=0, minute=0), 1).date() == seeded.date()
    # P4's case, sos's membership and the §25 disclosure predate it by a working day.
    began = _working_days_back(seeded, 3).date()
    case = case_of(demo_session, P4)
    assert case.opened_at.astimezone(HELSINKI).date() == began
    sos = demo_session.scalar(select(Agency).where(Agency.code == "sos"))
    assert sos is not None
    membership = demo_session.scalar(
        select(TeamAgency).where(TeamAgency.case_id == case.id, TeamAgency.agency_id == sos.id)
    )
    assert membership is not None and membership.start_at.astimezone(HELSINKI).date() == began
    disclosure = demo_session.scalar(select(Disclosure).where(Disclosure.case_id == case.id))
    assert disclosure is not None
    assert disclosure.granted_at.astimezone(HELSINKI).date() == began
    expires = disclosure.expires_at.astimezone(HELSINKI).date()
    assert expires == (datetime.now(UTC) + timedelta(days=30)).date()


@pytest.mark.parametrize(("username", "agency"), [(u, a) for u, _n, _r, a in DEMO_USERS])
def test_each_marker_is_read_by_exactly_its_two_agencies(
    demo_session: Session, username: str, agency: str
) -> None:
    read: set[str] = set()
    for referral in _by_marker(demo_session).values():
        try:
            view = referrals.view_referral(demo_session, ctx(demo_session, username), referral)
        except PolicyDenied:
            continue
        texts = [view.reason or ""] + [entry.text or "" for entry in view.history]
        read.update(MARKER_RE.findall(" ".join(texts)))
    assert read == {m for m, agencies in READERS.items() if agency in agencies}
