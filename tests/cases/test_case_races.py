"""The issue-9 re-attack's races on one-time decisions, replayed deterministically.

Two requests that each read the case (or the closure request) before either writes are two
sessions here: `stale` reads first, `other` changes the row and commits, then `stale` acts on what
it read. Before the fix every such pair succeeded twice (two decisions on one closure request,
two reopenings, a note stored on a closed case). The last test races real threads, each with
its own session, on SQLite or PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote, CaseReopening, ClosureRequest, Consent
from cases.inputs import InputError
from cases.policy import Decision, Permission, PolicyDenied, Reason
from cases.policy.loading import case_facts
from tests.cases.test_casework import P1, case_of, ctx, scenario
from tests.cases.test_casework_input import _consent_input

__all__ = ["scenario"]


@pytest.fixture
def stale(scenario: Session) -> Iterator[Session]:
    """A second session on the same database, as a second request would have."""
    session = type(scenario)(bind=scenario.get_bind(), info=dict(scenario.info))
    yield session
    session.rollback()
    session.close()


def _closure_request(session: Session) -> ClosureRequest:
    request = casework.request_closure(
        session, ctx(session, "sanna"), case_of(session, P1), "no_further_need"
    )
    session.commit()
    return request


def _events(session: Session, action: Action, about: object = None) -> int:
    """Events of `action` (about one object, when named: the demo has a closure of its own)."""
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if about is not None:
        query = query.where(AuditEvent.object_id == str(about))
    return int(session.scalar(query) or 0)


def test_a_closure_request_is_decided_once(scenario: Session, stale: Session) -> None:
    request = _closure_request(scenario)
    seen = stale.get(ClosureRequest, request.id)  # read while still undecided
    assert seen is not None and seen.decision is None
    casework.decide_closure(scenario, ctx(scenario, "helena"), request, approve=True)
    scenario.commit()
    with pytest.raises(InputError) as raised:
        casework.decide_closure(
            stale, ctx(stale, "helena"), seen, approve=False, comment="Vielä yksi tapaaminen"
        )
    assert raised.value.code == "already_decided"
    stale.rollback()
    scenario.expire_all()
    assert scenario.get(ClosureRequest, request.id).decision == "approved"  # type: ignore[union-attr]
    assert _events(scenario, Action.CLOSURE_DECIDED, request.id) == 1


def test_a_closed_case_is_reopened_once(scenario: Session, stale: Session) -> None:
    request = _closure_request(scenario)
    casework.decide_closure(scenario, ctx(scenario, "helena"), request, approve=True)
    scenario.commit()
    seen = stale.get(Case, request.case_id)  # read while closed
    assert seen is not None and seen.status == "closed"
    casework.reopen_case(scenario, ctx(scenario, "helena"), case_of(scenario, P1), "Uusi huoli")
    scenario.commit()
    with pytest.raises(PolicyDenied):
        casework.reopen_case(stale, ctx(stale, "helena"), seen, "Toinen syy")
    stale.rollback()
    reopenings = scenario.scalar(select(func.count()).select_from(CaseReopening))
    assert reopenings == 1
    assert _events(scenario, Action.CASE_REOPENED) == 1


def test_a_note_racing_the_approval_is_refused_as_on_a_closed_case(
    scenario: Session, stale: Session
) -> None:
    request = _closure_request(scenario)
    seen = stale.get(Case, request.case_id)  # the note's request read the case while open
    assert seen is not None and seen.status == "open"
    casework.decide_closure(scenario, ctx(scenario, "helena"), request, approve=True)
    scenario.commit()
    before = scenario.scalar(select(func.count()).select_from(CaseNote))
    with pytest.raises(PolicyDenied) as raised:
        casework.write_note(
            stale, ctx(stale, "sanna"), seen, category="general", sensitivity="normal", body="x"
        )
    assert raised.value.decision.reason == "case_closed"
    stale.rollback()
    assert scenario.scalar(select(func.count()).select_from(CaseNote)) == before


@pytest.mark.parametrize("write", ["consent", "emergency", "closure_request"])
def test_other_writes_racing_the_approval_are_refused_too(
    scenario: Session, stale: Session, write: str
) -> None:
    request = _closure_request(scenario)
    seen = stale.get(Case, request.case_id)
    assert seen is not None
    casework.decide_closure(scenario, ctx(scenario, "helena"), request, approve=True)
    scenario.commit()
    sanna = ctx(stale, "sanna")
    with pytest.raises(PolicyDenied) as raised:
        if write == "consent":
            casework.record_consent(stale, sanna, seen, _consent_input(stale))
        elif write == "emergency":
            casework.request_emergency_access(stale, sanna, seen, "kiire")
        else:
            casework.request_closure(stale, sanna, seen, "no_further_need")
    assert raised.value.decision.reason == "case_closed"
    stale.rollback()


THREADS = 12


def test_simultaneous_decisions_on_one_request_decide_it_once(scenario: Session) -> None:
    """The attack's six posts (three approve, three return) made four decisions."""
    request = _closure_request(scenario)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def decide(approve: bool) -> None:
        session = type(scenario)(bind=scenario.get_bind(), info=dict(scenario.info))
        try:
            seen = session.get(ClosureRequest, request.id)
            assert seen is not None
            helena = ctx(session, "helena")
            barrier.wait(timeout=30)
            try:
                casework.decide_closure(session, helena, seen, approve, comment="Kilpa")
                session.commit()
                outcomes.append("decided")
            except (InputError, PolicyDenied):
                session.rollback()
                outcomes.append("refused")
        except BaseException as exc:
            errors.append(exc)
        finally:
            session.close()

    workers = [threading.Thread(target=decide, args=(n % 2 == 0,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["decided"] + ["refused"] * (THREADS - 1)
    scenario.expire_all()
    decided = scenario.get(ClosureRequest, request.id)
    case = scenario.get(Case, request.case_id)
    assert decided is not None and case is not None
    assert case.status == ("closed" if decided.decision == "approved" else "open")
    assert _events(scenario, Action.CLOSURE_DECIDED, request.id) == 1


def test_a_consent_is_withdrawn_once(scenario: Session, stale: Session) -> None:
    """The second attack's race: ten simultaneous withdrawals recorded four."""
    case = case_of(scenario, P1)
    consent = scenario.scalar(
        select(Consent).where(Consent.case_id == case.id, Consent.withdrawn_at.is_(None))
    )
    assert consent is not None
    seen = stale.get(Consent, consent.id)
    seen_case = stale.get(Case, case.id)
    assert seen is not None and seen_case is not None and seen.withdrawn_at is None
    casework.withdraw_consent(scenario, ctx(scenario, "sanna"), case, consent, "Eetu pyysi")
    scenario.commit()
    with pytest.raises(InputError) as raised:
        casework.withdraw_consent(stale, ctx(stale, "noora"), seen_case, seen, "Toinen kerta")
    assert raised.value.code == "already_withdrawn"
    stale.rollback()
    events = scenario.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == Action.CONSENT_WITHDRAWN,
            AuditEvent.object_id == str(consent.id),
        )
    )
    assert events == 1


def test_a_refusal_on_a_case_is_audited_as_about_the_case(scenario: Session) -> None:
    """The second attack saw denials with object type `casefacts`; auditors filter on `case`."""
    case = case_of(scenario, P1)
    facts = case_facts(scenario, case)
    denied = PolicyDenied(Permission.NOTE_WRITE, Decision(False, Reason.CASE_CLOSED), facts)
    assert (denied.object_type, denied.object_id) == ("case", case.id)
    assert denied.subject_id == case.person_id
