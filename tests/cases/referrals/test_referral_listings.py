"""The referral pages' listings on a plain session: the inbox a page at a time with overdue
first, a case's referrals as each reader may see them, what the send form offers and why,
and the weekly flow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from cases.policy import PolicyDenied
from cases.referrals import services as referrals
from cases.referrals.models import Referral
from core.db import utcnow
from tests.cases.referrals.scenario import ctx, events, scene


class TestInboxPages:
    def test_pages_do_not_overlap_and_overdue_comes_first(self, domain_session: Session) -> None:
        s = scene(domain_session)
        made = [s.send(urgency="routine") for _ in range(7)]
        referrals.acknowledge(s.session, ctx(s.noora), made[0])
        late = made[5]
        s.session.execute(
            update(Referral)
            .where(Referral.id == late.id)
            .values(acknowledge_due_at=utcnow() - timedelta(hours=1))
        )
        s.session.flush()
        s.session.expire_all()
        first = referrals.inbox_page(s.session, ctx(s.noora), page=1, per_page=3)
        second = referrals.inbox_page(s.session, ctx(s.noora), page=2, per_page=3)
        third = referrals.inbox_page(s.session, ctx(s.noora), page=3, per_page=3)
        assert first.has_next and second.has_next and not third.has_next
        ids = [row.referral.id for p in (first, second, third) for row in p.rows]
        assert sorted(ids) == sorted(r.id for r in made)
        assert ids[0] == late.id and first.rows[0].overdue
        # The acknowledged one comes after every new one.
        assert ids[-1] == made[0].id
        assert first.names[s.sos.id] == s.sos.name

    def test_a_page_past_the_end_is_empty(self, domain_session: Session) -> None:
        s = scene(domain_session)
        s.send()
        page = referrals.inbox_page(s.session, ctx(s.noora), page=5)
        assert page.rows == [] and not page.has_next


class TestCaseReferrals:
    def test_other_team_agencies_see_the_state_only(self, domain_session: Session) -> None:
        s = scene(domain_session)
        s.build.consent(s.case, s.sanna, recipients=[s.pekka.agency])
        s.build.member(s.case, s.sanna, s.pekka)
        referral = s.send()
        before = events(s.session, "case:referral:list", referral.id)
        as_sender = referrals.case_referrals(s.session, ctx(s.sanna), s.case)
        as_team = referrals.case_referrals(s.session, ctx(s.pekka), s.case)
        assert [(i.referral.id, i.content) for i in as_sender.items] == [(referral.id, True)]
        assert [(i.referral.id, i.content) for i in as_team.items] == [(referral.id, False)]
        assert events(s.session, "case:referral:list", referral.id) == before + 2


class TestSendOptions:
    def test_each_agency_and_category_with_the_reason(self, domain_session: Session) -> None:
        s = scene(domain_session)
        options = referrals.send_options(s.session, ctx(s.sanna), s.case)
        by_code = {a.agency.code: a for a in options.agencies}
        assert "sos" not in by_code  # never the sender's own agency
        assert by_code["nuo"].allowed == ["general"]
        assert by_code["nuo"].decisions["family"].reason == "no_basis"
        assert by_code["pol"].allowed == []
        assert [a.code for a in options.recipients] == ["nuo"]
        assert options.categories == ["general"]

    def test_someone_off_the_team_gets_no_options(self, domain_session: Session) -> None:
        s = scene(domain_session)
        with pytest.raises(PolicyDenied):
            referrals.send_options(s.session, ctx(s.jari), s.case)

    def test_the_attachable_notes_are_the_current_ones_the_sender_reads(
        self, domain_session: Session
    ) -> None:
        s = scene(domain_session)
        old = s.build.note(s.case, s.sanna, body="vanha")
        new = s.build.note(s.case, s.sanna, body="uusi " * 60, supersedes=old)
        options = referrals.send_options(s.session, ctx(s.sanna), s.case)
        assert [n.id for n, _text in options.notes] == [new.id]
        assert options.notes[0][1].endswith("…") and len(options.notes[0][1]) <= 161


class TestWeeklyFlow:
    def test_this_week_counts_what_was_sent_and_received(self, domain_session: Session) -> None:
        s = scene(domain_session)
        for _ in range(3):
            s.send()
        sos = referrals.weekly_flow(s.session, ctx(s.siiri))
        nuo = referrals.weekly_flow(s.session, ctx(s.nelli))
        assert len(sos) == 12 and sos[-1].week.weekday() == 0
        assert (sos[-1].sent, sos[-1].received) == (3, 0)
        assert (nuo[-1].sent, nuo[-1].received) == (0, 3)
        assert sum(w.sent + w.received for w in sos[:-1]) == 0

    def test_caseworkers_have_no_overview(self, domain_session: Session) -> None:
        s = scene(domain_session)
        with pytest.raises(PolicyDenied):
            referrals.weekly_flow(s.session, ctx(s.noora))
