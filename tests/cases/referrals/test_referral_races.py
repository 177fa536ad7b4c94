"""Racing transitions: of simultaneous accept and decline requests (or several accepts), exactly
one succeeds and the others are refused and write nothing, on SQLite and PostgreSQL alike.

Each thread has its own session on one database; all have read the referral in state "sent"
before any of them writes (as simultaneous requests do).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.casework import services as casework
from cases.casework.models import Case, Consent, TeamAgency, TeamUser
from cases.inputs import InputError
from cases.policy import PolicyDenied
from cases.referrals import services as referrals
from cases.referrals import transitions
from cases.referrals.models import Referral, ReferralEvent
from core import keyring
from core.db import make_engine, make_session_factory
from core.fields import KEYS_INFO
from tests.cases.referrals.scenario import ctx, scene
from tests.conftest import PG_URL, requires_postgres
from tests.databases import PostgresDatabases, SqliteDatabases

THREADS = 8


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def factory(
    request: pytest.FixtureRequest,
    databases: SqliteDatabases | PostgresDatabases,
    keyring_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database of the asked kind, whichever kind the run uses."""
    own: SqliteDatabases | PostgresDatabases | None = None
    if databases.kind == request.param:
        source = databases
    elif request.param == "sqlite":
        source = own = SqliteDatabases(Path(tmp_path_factory.mktemp("sqlite-referrals")))
    else:
        assert PG_URL is not None
        source = own = PostgresDatabases(PG_URL)
    url = source.new()
    engine = make_engine(url)
    made = make_session_factory(engine)
    made.configure(info={KEYS_INFO: keyring.KeyringFile(keyring_file)})
    yield made
    engine.dispose()
    source.drop(url)
    if own is not None:
        own.close()


def _race(factory: sessionmaker[Session], referral_id: uuid.UUID, steps: list[str]) -> list[str]:
    """Run the steps at one moment, each in its own session; the outcome of each."""
    barrier = threading.Barrier(len(steps))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(step: str, username: str) -> None:
        try:
            with factory() as session:
                user = accounts.get_user_by_username(session, username)
                referral = session.get(Referral, referral_id)
                assert user is not None and referral is not None and referral.state == "sent"
                session.commit()
                barrier.wait(timeout=30)
                try:
                    if step == "accept":
                        referrals.accept(session, ctx(user), referral)
                    else:
                        referrals.decline(
                            session, ctx(user), referral, reason_code="no_capacity", text="Ei."
                        )
                    session.commit()
                    outcomes.append(step)
                except InputError as refused:
                    session.rollback()
                    outcomes.append(refused.code)
                except PolicyDenied as denied:
                    # An acceptance holds the case row first, so a later racer decides on the
                    # committed state and is refused by the policy itself.
                    session.rollback()
                    outcomes.append(
                        "state_changed"
                        if denied.decision.reason == "wrong_state"
                        else str(denied.decision.reason)
                    )
        except BaseException as exc:
            errors.append(exc)

    users = ["noora", "nuutti"]
    workers = [
        threading.Thread(target=attempt, args=(step, users[i % 2])) for i, step in enumerate(steps)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    return outcomes


def _sent(factory: sessionmaker[Session]) -> uuid.UUID:
    with factory() as session:
        s = scene(session)
        referral = s.send()
        session.commit()
        return referral.id


@pytest.mark.parametrize(
    "steps",
    [["accept", "decline"] * (THREADS // 2), ["accept"] * THREADS],
    ids=["accept-and-decline", "accepts"],
)
def test_one_of_simultaneous_answers_wins(factory: sessionmaker[Session], steps: list[str]) -> None:
    referral_id = _sent(factory)
    outcomes = _race(factory, referral_id, steps)
    winners = [o for o in outcomes if o != "state_changed"]
    assert len(winners) == 1 and len(outcomes) == len(steps), outcomes
    with factory() as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.state == (
            "accepted" if winners == ["accept"] else "declined"
        )
        history = list(
            session.scalars(
                select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral_id)
            )
        )
        assert sorted(history) == sorted(
            ["sent", "accepted" if winners == ["accept"] else "declined"]
        )
        answered = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_id == str(referral_id),
                AuditEvent.action.in_([Action.REFERRAL_ACCEPTED, Action.REFERRAL_DECLINED]),
            )
        )
        assert answered == 1
        named = session.scalar(
            select(func.count()).select_from(TeamUser).where(TeamUser.case_id == referral.case_id)
        )
        # The lead caseworker, and the accepting one only if an acceptance won.
        assert named == (2 if winners == ["accept"] else 1)


@pytest.mark.parametrize("cases", [1, 2], ids=["one-case", "two-cases"])
def test_one_send_form_sent_at_once_makes_one_referral(
    factory: sessionmaker[Session], cases: int
) -> None:
    """Attack on issue 11: a double-clicked send made a referral per click; the same token
    posted to two cases at once gave PostgreSQL's unique-constraint error (a 500)."""
    with factory() as session:
        s = scene(session)
        case_ids = [s.case.id]
        if cases == 2:
            other = s.build.case(s.sanna, s.build.person(s.sanna, surname="Toinen"))
            s.build.consent(other, s.sanna, recipients=[s.noora.agency], categories=["general"])
            case_ids.append(other.id)
        session.commit()
    token = uuid.uuid4()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(case_id: uuid.UUID) -> None:
        try:
            with factory() as session:
                sanna = accounts.get_user_by_username(session, "sanna")
                nuo = accounts.get_agency_by_code(session, "nuo")
                case = session.get(Case, case_id)
                assert sanna is not None and nuo is not None and case is not None
                session.commit()
                barrier.wait(timeout=30)
                given = referrals.ReferralInput(
                    to_agency=nuo.id,
                    urgency="routine",
                    category="general",
                    reason="Kerran. DEMO-ONCE",
                    send_token=token,
                )
                try:
                    referrals.send_referral(session, ctx(sanna), case, given)
                    session.commit()
                    outcomes.append("sent")
                except InputError as refused:
                    session.rollback()
                    outcomes.append(refused.code)
        except BaseException as exc:
            errors.append(exc)

    workers = [
        threading.Thread(target=attempt, args=(case_ids[i % len(case_ids)],))
        for i in range(THREADS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["already_sent"] * (THREADS - 1) + ["sent"], outcomes
    with factory() as session:
        made = session.scalar(
            select(func.count()).select_from(Referral).where(Referral.send_token == token)
        )
        assert made == 1


def test_an_acceptance_never_joins_on_a_consent_withdrawn_before_it(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack on issue 11: an acceptance a millisecond after a withdrawal joined the team on
    the withdrawn consent (it decided on what it had read before the withdrawal committed).
    Here the acceptance reads its facts, then waits for the withdrawal to commit (at most 3 s:
    while the acceptance holds the case row, the withdrawal waits for it instead)."""
    with factory() as session:
        s = scene(session)
        referral = s.send()
        session.commit()
        referral_id, case_id, consent_id = referral.id, s.case.id, s.consent.id
        nuo_id = s.noora.agency_id
    accept_read, withdrawn = threading.Event(), threading.Event()
    reading = transitions.case_facts

    def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        facts = reading(*args, **kwargs)
        if threading.current_thread().name == "accept" and not accept_read.is_set():
            accept_read.set()
            withdrawn.wait(timeout=3)
        return facts

    monkeypatch.setattr(transitions, "case_facts", read_then_wait)
    errors: list[BaseException] = []
    committed: list[str] = []

    def withdraw() -> None:
        try:
            with factory() as session:
                sanna = accounts.get_user_by_username(session, "sanna")
                case, consent = session.get(Case, case_id), session.get(Consent, consent_id)
                assert sanna is not None and case is not None and consent is not None
                session.commit()
                accept_read.wait(timeout=30)
                casework.withdraw_consent(session, ctx(sanna), case, consent, "Peruttu.")
                session.commit()
                committed.append("withdrawal")
                withdrawn.set()
        except BaseException as exc:
            errors.append(exc)

    def accept() -> None:
        try:
            with factory() as session:
                noora = accounts.get_user_by_username(session, "noora")
                referral = session.get(Referral, referral_id)
                assert noora is not None and referral is not None
                session.commit()
                try:
                    referrals.accept(session, ctx(noora), referral)
                    session.commit()
                    committed.append("acceptance")
                except PolicyDenied:
                    session.rollback()
        except BaseException as exc:
            errors.append(exc)

    workers = [
        threading.Thread(target=withdraw, name="withdraw"),
        threading.Thread(target=accept, name="accept"),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    with factory() as session:
        consent = session.get(Consent, consent_id)
        assert consent is not None and consent.withdrawn_at is not None
        joined = session.scalar(
            select(TeamAgency.start_at).where(
                TeamAgency.case_id == case_id, TeamAgency.agency_id == nuo_id
            )
        )
        # Joined only by an acceptance that committed before the withdrawal did.
        assert (joined is None) == (committed == ["withdrawal"]), committed
        assert committed in (["withdrawal"], ["acceptance", "withdrawal"]), committed
