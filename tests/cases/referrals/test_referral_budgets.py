"""The inbox, the sent list and the overview cost the same statements however many referrals
the database holds (issue 11: constant with 10,000 closed referrals), and the overview's
numbers agree with the referrals, counted here one by one."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cases.referrals import services as referrals
from cases.referrals.models import Referral
from core.db import new_uuid, utcnow
from tests.budgets.counting import counting
from tests.cases.referrals.scenario import Scene, ctx, scene

CLOSED = 10_000


def _closed_referrals(s: Scene, number: int, *, seed: int = 11) -> None:
    """`number` closed referrals between the scene's agencies, written in one statement."""
    rng = random.Random(seed)
    now = utcnow()
    agencies = [s.sos.id, s.nuo.id, s.pol.id, s.ngo.id]
    rows = []
    for _ in range(number):
        source, target = rng.sample(agencies, 2)
        sent = now - timedelta(days=rng.randint(30, 400))
        rows.append(
            {
                "id": new_uuid(),
                "person_id": s.case.person_id,
                "case_id": s.case.id,
                "from_agency_id": source,
                "from_user_id": s.sanna.id if source == s.sos.id else None,
                "to_agency_id": target,
                "urgency": rng.choice(["routine", "urgent", "immediate"]),
                "category": "general",
                "basis": f"consent:{s.consent.id}",
                "legal_basis": "consent",
                "attached_note_ids": [],
                "youth_act_grounds": [],
                "state": rng.choice(["declined", "completed", "withdrawn"]),
                "sent_at": sent,
                "acknowledge_due_at": sent + timedelta(days=1),
                "response_due_at": sent + timedelta(days=3),
                "closed_at": sent + timedelta(days=5),
                "needs_assessment": False,
            }
        )
    s.session.execute(insert(Referral), rows)


def _statements(s: Scene, listing: str) -> int:
    engine = s.session.get_bind()
    # Both runs start from the same state of the session: nothing loaded.
    s.session.expire_all()
    with counting(engine) as seen:  # type: ignore[arg-type]
        if listing == "inbox":
            referrals.inbox_page(s.session, ctx(s.noora))
        elif listing == "sent":
            referrals.sent_page(s.session, ctx(s.sanna))
        else:
            referrals.overview(s.session, ctx(s.nelli))
    return seen.count


@pytest.mark.parametrize("listing", ["inbox", "sent", "overview"])
def test_listings_keep_their_statements_with_10000_closed_referrals(
    domain_session: Session, listing: str
) -> None:
    s = scene(domain_session)
    s.send()
    s.session.flush()
    small = _statements(s, listing)
    for _ in range(4):
        s.send(urgency="routine")
    _closed_referrals(s, CLOSED)
    s.session.flush()
    large = _statements(s, listing)
    assert large == small, (listing, small, large)


def test_the_overview_agrees_with_the_referrals(domain_session: Session) -> None:
    s = scene(domain_session)
    for urgency in ("routine", "urgent", "immediate"):
        s.send(urgency=urgency)
    _closed_referrals(s, 500, seed=3)
    s.session.flush()
    every = list(s.session.scalars(select(Referral)))
    incoming = Counter(r.state for r in every if r.to_agency_id == s.nuo.id)
    outgoing = Counter(r.state for r in every if r.from_agency_id == s.nuo.id)
    opened = {r.id for r in every if r.state in ("sent", "acknowledged", "accepted")}
    got = referrals.overview(s.session, ctx(s.nelli))
    assert got.incoming == dict(incoming) and got.outgoing == dict(outgoing)
    assert {r.id for r in got.open_in} == {
        r
        for r in opened
        if s.session.get(Referral, r).to_agency_id == s.nuo.id  # type: ignore[union-attr]
    }
    assert got.open_out == [] and got.overdue_in == 0
    assert sum(got.incoming.values()) + sum(got.outgoing.values()) == sum(
        1 for r in every if s.nuo.id in (r.to_agency_id, r.from_agency_id)
    )
