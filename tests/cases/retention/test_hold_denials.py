"""A refused hold is audited: the policy's refusal reaches the application's denial handler,
which records it in its own transaction, naming the young person; no hold is stored."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from audit.events import Action
from audit.models import AuditEvent
from cases.policy import PolicyDenied
from cases.retention.holds import set_hold
from cases.retention.models import LegalHold
from tests.cases.retention.scene import retention_scene
from tests.factories import as_user


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("nelli", "not_lead_supervisor"),
        ("sanna", "not_lead_supervisor"),
        ("aino", "role_no_content"),
    ],
)
def test_a_refused_hold_is_audited(app: Flask, who: str, reason: str) -> None:
    with app.test_request_context("/cases/hold", method="POST"):
        s = retention_scene(db())
        case = s.build.case(s.sanna, s.person("2019-05-02"))
        s.build.consent(case, s.sanna, recipients=[s.noora.agency])
        s.add_nuo(case)
        db().commit()
        actor = {"nelli": s.nelli, "sanna": s.sanna, "aino": s.staff["aino"]}[who]
        with pytest.raises(PolicyDenied) as refused:
            set_hold(db(), as_user(actor), case, "Tutkinta kesken.")
        _page, status = app.handle_user_exception(refused.value)
        assert status == 403
        denial = db().scalar(select(AuditEvent).where(AuditEvent.action == Action.ACCESS_DENIED))
        assert denial is not None and denial.outcome == "denied"
        assert denial.subject_id == case.person_id and denial.object_type == "case"
        assert denial.details["permission"] == "case:hold:set"
        assert denial.details["reason"] == reason
        assert db().scalar(select(func.count()).select_from(LegalHold)) == 0
