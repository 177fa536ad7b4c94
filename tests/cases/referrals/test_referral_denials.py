"""A refused send is audited: the policy's refusal (`PolicyDenied`) reaches the application's
denial handler, which records it in its own transaction, naming the young person."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from audit.events import Action
from audit.models import AuditEvent
from cases.policy import PolicyDenied
from tests.cases.referrals.scenario import referral_count, scene


def test_a_send_without_a_basis_is_refused_and_the_refusal_audited(app: Flask) -> None:
    with app.test_request_context("/cases/referrals", method="POST"):
        s = scene(db())
        db().commit()
        with pytest.raises(PolicyDenied) as refused:
            s.send(to_agency=s.ngo.id)
        _page, status = app.handle_user_exception(refused.value)
        assert status == 403
        denial = db().scalar(select(AuditEvent).where(AuditEvent.action == Action.ACCESS_DENIED))
        assert denial is not None and denial.outcome == "denied"
        assert denial.subject_id == s.case.person_id and denial.object_type == "referral"
        assert denial.details["permission"] == "case:referral:send"
        assert denial.details["reason"] == "no_basis"
        assert referral_count(db()) == 0
