"""Who is notified of which referral event, escalation once per deadline, and the receiving
agency's sight of the young person (roles x referral states, written from issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from audit.events import AuditContext
from cases.casework import services as casework
from cases.notifications import services as notifications
from cases.notifications.models import Notification
from cases.persons import services as persons
from cases.persons.search import search_by_name
from cases.policy import CliActor, PolicyDenied
from cases.referrals import services as referrals
from cases.referrals.models import Referral, ReferralEvent
from core.db import utcnow
from tests.cases.referrals.scenario import ctx, events, scene

CLI = AuditContext(CliActor("tests"))


def _told(session: Session, referral: Referral) -> dict[str, set[str]]:
    rows = session.execute(
        select(Notification.user_id, Notification.kind, Notification.event).where(
            Notification.referral_id == referral.id
        )
    )
    got: dict[str, set[str]] = {}
    for user, kind, event in rows:
        got.setdefault(f"{kind}:{event}", set()).add(str(user))
    return got


class TestWhoIsTold:
    def test_a_new_referral_tells_every_practitioner_of_the_receiving_agency(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session)
        referral = s.send()
        assert _told(s.session, referral) == {
            "new_referral:sent": {str(u.id) for u in (s.noora, s.nuutti, s.nelli)}
        }

    def test_a_step_tells_the_sender_and_the_handlers_never_the_actor(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session)
        referral = s.send()
        referrals.acknowledge(s.session, ctx(s.noora), referral)
        assert _told(s.session, referral)["referral_changed:acknowledged"] == {str(s.sanna.id)}
        referrals.accept(s.session, ctx(s.nuutti), referral)
        assert _told(s.session, referral)["referral_changed:accepted"] == {
            str(s.sanna.id),
            str(s.noora.id),
        }
        referrals.withdraw(s.session, ctx(s.sanna), referral)
        assert _told(s.session, referral)["referral_changed:withdrawn"] == {
            str(s.noora.id),
            str(s.nuutti.id),
        }

    def test_unread_count_list_and_marking_read(self, domain_session: Session) -> None:
        s = scene(domain_session)
        for _ in range(3):
            s.send()
        assert notifications.unread_count(s.session, s.noora) == 3
        assert notifications.unread_count(s.session, s.sanna) == 0
        page = notifications.list_page(s.session, ctx(s.noora))
        assert len(page.items) == 3 and not page.more
        first = page.items[-1]
        notifications.open_notification(s.session, ctx(s.noora), first.id)
        assert notifications.unread_count(s.session, s.noora) == 2
        with pytest.raises(PolicyDenied):
            notifications.open_notification(s.session, ctx(s.nuutti), first.id)
        assert notifications.mark_all_read(s.session, ctx(s.noora)) == 2
        assert notifications.unread_count(s.session, s.noora) == 0


class TestEscalation:
    def _overdue(self, s: object, referral: Referral, *, days: int = 30) -> None:
        past = utcnow() - timedelta(days=days)
        s.session.execute(  # type: ignore[attr-defined]
            update(Referral)
            .where(Referral.id == referral.id)
            .values(acknowledge_due_at=past, response_due_at=past)
        )
        s.session.expire_all()  # type: ignore[attr-defined]

    def test_escalates_once_per_deadline_to_the_receiving_supervisors(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session)
        referral = s.send()
        self._overdue(s, referral)
        done = referrals.escalate_overdue(s.session, CLI)
        assert sorted(str(e.clock) for e in done) == ["acknowledge", "response"]
        assert referrals.escalate_overdue(s.session, CLI) == []
        told = _told(s.session, referral)
        assert told["referral_escalated:acknowledge"] == {str(s.nelli.id)}
        assert told["referral_escalated:response"] == {str(s.nelli.id)}
        history = s.session.scalar(
            select(func.count())
            .select_from(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id, ReferralEvent.kind == "escalated")
        )
        assert history == 2
        assert events(s.session, "case:referral:escalate", referral.id) == 2

    def test_an_acknowledged_referral_escalates_only_its_response(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session)
        referral = s.send()
        referrals.acknowledge(s.session, ctx(s.noora), referral)
        self._overdue(s, referral)
        done = referrals.escalate_overdue(s.session, CLI)
        assert [str(e.clock) for e in done] == ["response"]

    def test_practitioners_may_not_escalate(self, domain_session: Session) -> None:
        s = scene(domain_session)
        with pytest.raises(PolicyDenied):
            referrals.escalate_overdue(s.session, ctx(s.nelli))


# Issue 11 point 5, written from the issue: the receiving agency's practitioners see the young
# person while the referral is open (sent, acknowledged; accepted puts them on the team), and
# not after a decline or withdrawal. An outside agency never does.
SEES = {
    "sent": True,
    "acknowledged": True,
    "accepted": True,
    "declined": False,
    "withdrawn": False,
    "completed": True,  # accepted first: the agency is on the team
}


def _to_state(s: object, referral: Referral, state: str) -> None:
    noora = s.noora  # type: ignore[attr-defined]
    session = s.session  # type: ignore[attr-defined]
    if state in ("acknowledged", "declined"):
        referrals.acknowledge(session, ctx(noora), referral)
    if state == "declined":
        referrals.decline(session, ctx(noora), referral, reason_code="no_capacity", text="Ei.")
    if state in ("accepted", "completed"):
        referrals.accept(session, ctx(noora), referral)
    if state == "completed":
        referrals.complete(session, ctx(noora), referral, outcome="Tehty.")
    if state == "withdrawn":
        referrals.withdraw(session, ctx(s.sanna), referral)  # type: ignore[attr-defined]


@pytest.mark.parametrize("state", list(SEES))
@pytest.mark.parametrize("who", ["nuutti", "nelli", "jari"])
def test_the_receiving_agency_sees_the_person_while_the_referral_is_open(
    domain_session: Session, state: str, who: str
) -> None:
    s = scene(domain_session)
    referral = s.send()
    _to_state(s, referral, state)
    reader = getattr(s, who)
    expected = SEES[state] and who != "jari"
    person = persons.get_person(s.session, s.case.person_id)
    assert person is not None
    try:
        persons.view(s.session, ctx(reader), person)
        seen = True
    except PolicyDenied:
        seen = False
    assert seen == expected
    hits = search_by_name(s.session, ctx(reader), "Virtanen", date(2009, 5, 17))
    assert [h.id for h in hits] == ([person.id] if expected else [])


@pytest.mark.parametrize("state", ["sent", "acknowledged"])
def test_a_withdrawn_consent_ends_the_receivers_sight_of_the_person(
    domain_session: Session, state: str
) -> None:
    """Attack on issue 11: search and the person page outlived the consent a referral was
    sent on, while the referral page had already gone to its state only."""
    s = scene(domain_session)
    referral = s.send()
    _to_state(s, referral, state)
    person = persons.get_person(s.session, s.case.person_id)
    assert person is not None
    persons.view(s.session, ctx(s.nuutti), person)
    casework.withdraw_consent(s.session, ctx(s.sanna), s.case, s.consent, "Peruttu.")
    with pytest.raises(PolicyDenied):
        persons.view(s.session, ctx(s.nuutti), person)
    assert search_by_name(s.session, ctx(s.nuutti), "Virtanen", date(2009, 5, 17)) == []
