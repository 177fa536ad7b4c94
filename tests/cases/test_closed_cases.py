"""Issue 9, finding 9: a closed case takes nothing new; the team still reads it, a consent can
still be withdrawn (GDPR Art. 7(3)), and a lead-agency supervisor reopens it with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case, Consent
from cases.inputs import InputError
from cases.policy import PolicyDenied
from tests.cases.casework_scenario import P1, case_of, ctx, scenario
from tests.clock import work_day

__all__ = ["scenario"]


def _closed_p1(session: Session) -> Case:
    case = case_of(session, P1)
    request = casework.request_closure(session, ctx(session, "sanna"), case, "no_further_need")
    casework.decide_closure(session, ctx(session, "helena"), request, approve=True)
    session.commit()
    assert case.status == "closed"
    return case


def _agency(session: Session, code: str):  # type: ignore[no-untyped-def]
    return accounts.get_agency_by_code(session, code)


NEW_WORK: dict[str, Callable[[Session, Case], object]] = {
    "note": lambda s, c: casework.write_note(
        s, ctx(s, "sanna"), c, category="general", sensitivity="normal", body="x"
    ),
    "consent": lambda s, c: casework.record_consent(
        s,
        ctx(s, "sanna"),
        c,
        casework.ConsentInput(
            given_by="self",
            recipients=(_agency(s, "nuo").id,),
            categories=("general",),
            purpose="x",
            how_recorded="written",
        ),
    ),
    "disclosure": lambda s, c: casework.create_disclosure(
        s,
        ctx(s, "sanna"),
        c,
        to_agency=_agency(s, "pol"),
        categories=["general"],
        basis="act_812_2000_18",
        justification="x",
        expires_on=work_day() + timedelta(days=10),
    ),
    "emergency": lambda s, c: casework.request_emergency_access(s, ctx(s, "noora"), c, "x"),
    "team_agency": lambda s, c: casework.add_team_agency(s, ctx(s, "sanna"), c, _agency(s, "ngo")),
    "team_user": lambda s, c: casework.add_team_user(
        s,
        ctx(s, "sanna"),
        c,
        accounts.get_user_by_username(s, "helena"),  # type: ignore[arg-type]
    ),
    "closure": lambda s, c: casework.request_closure(s, ctx(s, "sanna"), c, "other"),
}


@pytest.mark.parametrize("step", list(NEW_WORK))
def test_a_closed_case_takes_nothing_new(scenario: Session, step: str) -> None:
    case = _closed_p1(scenario)
    with pytest.raises(PolicyDenied) as refused:
        NEW_WORK[step](scenario, case)
    assert refused.value.decision.reason == "case_closed"


def test_the_team_still_reads_a_closed_case_and_may_withdraw(scenario: Session) -> None:
    case = _closed_p1(scenario)
    view = casework.view_case(scenario, ctx(scenario, "noora"), case)
    assert any("DEMO-P1-SOS-GENERAL" in n.body for n in view.notes)
    assert "case:note:write" not in view.may and "case:reopen" not in view.may
    consent = scenario.scalar(select(Consent).where(Consent.case_id == case.id))
    assert consent is not None
    casework.withdraw_consent(scenario, ctx(scenario, "noora"), case, consent, "Eetu asked")
    view = casework.view_case(scenario, ctx(scenario, "noora"), case)
    assert not any("DEMO-P1-SOS-GENERAL" in n.body for n in view.notes)
    listed = casework.list_closed_cases(scenario, ctx(scenario, "noora"))
    assert [entry.case.id for entry in listed] == [case.id]


def test_a_lead_supervisor_reopens_with_a_reason(scenario: Session) -> None:
    case = _closed_p1(scenario)
    for username in ("sanna", "nelli", "petri"):
        with pytest.raises(PolicyDenied):
            casework.reopen_case(scenario, ctx(scenario, username), case, "more work")
    with pytest.raises(InputError, match="required"):
        casework.reopen_case(scenario, ctx(scenario, "helena"), case, "  ")
    assert "case:reopen" in casework.view_case(scenario, ctx(scenario, "helena"), case).may
    reopening = casework.reopen_case(
        scenario, ctx(scenario, "helena"), case, "Eetu's school asked for another meeting"
    )
    scenario.commit()
    assert case.status == "open" and case.closed_at is None and case.outcome is None
    assert reopening.outcome == "no_further_need" and reopening.closed_at is not None
    assert reopening.reason == "Eetu's school asked for another meeting"
    event = scenario.scalars(select(AuditEvent).where(AuditEvent.action == "case:reopen")).one()
    assert event.subject_id == case.person_id and "reason" not in event.details
    casework.write_note(
        scenario, ctx(scenario, "sanna"), case, category="general", sensitivity="normal", body="y"
    )
    with pytest.raises(PolicyDenied, match="case_not_closed"):
        casework.reopen_case(scenario, ctx(scenario, "helena"), case, "again")
