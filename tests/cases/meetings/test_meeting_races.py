"""Issue 12: racing requests on one meeting, each in its own session (SQLite; on PostgreSQL
too when the run has one). A write that reaches the minutes after another session committed
their approval is refused and writes nothing; of simultaneous approvals, exactly one wins."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.casework.models import Case
from cases.inputs import InputError
from cases.meetings import services as meetings
from cases.meetings.models import ActionItem, AgendaItem, InvitedUser, Meeting, MinuteEntry
from cases.policy import PolicyDenied
from core import keyring
from core.db import make_engine, make_session_factory
from core.fields import KEYS_INFO
from tests.cases.meetings.scenario import ctx, scene
from tests.clock import work_day
from tests.conftest import PG_URL, requires_postgres
from tests.databases import PostgresDatabases, SqliteDatabases

THREADS = 6


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def factory(
    request: pytest.FixtureRequest,
    databases: SqliteDatabases | PostgresDatabases,
    keyring_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sessionmaker[Session]]:
    own: SqliteDatabases | PostgresDatabases | None = None
    if databases.kind == request.param:
        source = databases
    elif request.param == "sqlite":
        source = own = SqliteDatabases(Path(tmp_path_factory.mktemp("sqlite-meetings")))
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


def _submitted(factory: sessionmaker[Session], *, returned: bool = False) -> uuid.UUID:
    """A meeting whose minutes await approval (or were returned to the chair), and a second
    case of sanna's not on its agenda."""
    with factory() as session:
        s = scene(session)
        meeting, *_ = s.with_minutes()
        s.submit(meeting)
        if returned:
            meetings.return_minutes(session, ctx(s.siiri), meeting, comment="Korjaa.")
        s.build.case(s.sanna)
        session.commit()
        return meeting.id


def _user(session: Session, name: str) -> User:
    user = accounts.get_user_by_username(session, name)
    assert user is not None
    return user


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _approve_and_resubmit(factory: sessionmaker[Session], meeting_id: uuid.UUID) -> None:
    with factory() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meetings.submit_minutes(session, ctx(_user(session, "sanna")), meeting)
        meetings.approve_minutes(session, ctx(_user(session, "siiri")), meeting)
        session.commit()


def _write(kind: str) -> Callable[[Session, Meeting, AgendaItem], object]:
    def write(session: Session, meeting: Meeting, item: AgendaItem) -> object:
        sanna = ctx(_user(session, "sanna"))
        match kind:
            case "entry":
                return meetings.write_entry(
                    session, sanna, meeting, item, kind="decision", category="general", body="Myöh."
                )
            case "action":
                return meetings.add_action_item(
                    session,
                    sanna,
                    meeting,
                    item,
                    owner_id=_user(session, "noora").id,
                    category="general",
                    due_on=work_day(),
                    description="Myöhässä.",
                )
            case "attendance":
                invited = session.scalars(
                    select(InvitedUser.user_id).where(InvitedUser.meeting_id == meeting.id)
                )
                meetings.record_attendance(session, sanna, meeting, {u: False for u in invited})
                return None
            case "agenda":
                on_agenda = select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)
                other = session.scalars(select(Case).where(Case.id.not_in(on_agenda))).one()
                return meetings.add_agenda_item(session, sanna, meeting, other)
        raise AssertionError(kind)

    return write


@pytest.mark.parametrize("kind", ["entry", "action", "attendance", "agenda"])
def test_a_write_after_another_session_approved_is_refused(
    factory: sessionmaker[Session], kind: str
) -> None:
    meeting_id = _submitted(factory, returned=True)
    with factory() as writer:
        # The writer read the returned minutes before the approval was committed.
        meeting = writer.get(Meeting, meeting_id)
        item = writer.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).one()
        assert meeting is not None and meeting.status == "returned"
        writer.commit()
        _approve_and_resubmit(factory, meeting_id)
        with pytest.raises((InputError, PolicyDenied)):
            _write(kind)(writer, meeting, item)
        writer.rollback()
    with factory() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.status == "approved"
        assert (_count(session, MinuteEntry), _count(session, ActionItem)) == (1, 1)
        assert _count(session, AgendaItem) == 1
        present = set(session.scalars(select(InvitedUser.present)))
        assert present == {True}


def test_of_two_approvals_one_wins(factory: sessionmaker[Session]) -> None:
    meeting_id = _submitted(factory)
    with factory() as first, factory() as second:
        m1, m2 = first.get(Meeting, meeting_id), second.get(Meeting, meeting_id)
        assert m1 is not None and m2 is not None
        siiri, saara = _user(first, "siiri"), _user(second, "saara")
        first.commit()
        second.commit()
        meetings.approve_minutes(first, ctx(siiri), m1)
        first.commit()
        with pytest.raises((InputError, PolicyDenied)):
            meetings.approve_minutes(second, ctx(saara), m2)
        second.rollback()
    with factory() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.reviewed_by_user_id == siiri.id
        approved = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == Action.MINUTES_APPROVED)
        )
        assert approved == 1


@pytest.mark.parametrize(
    "steps",
    [["approve"] * THREADS, ["approve", "return"] * (THREADS // 2)],
    ids=["approvals", "approvals-and-returns"],
)
def test_simultaneous_sign_offs_one_wins(factory: sessionmaker[Session], steps: list[str]) -> None:
    meeting_id = _submitted(factory)
    barrier = threading.Barrier(len(steps))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt(step: str, username: str) -> None:
        try:
            with factory() as session:
                user = _user(session, username)
                meeting = session.get(Meeting, meeting_id)
                assert meeting is not None and meeting.status == "submitted"
                session.commit()
                barrier.wait(timeout=30)
                try:
                    if step == "approve":
                        meetings.approve_minutes(session, ctx(user), meeting)
                    else:
                        meetings.return_minutes(session, ctx(user), meeting, comment="Korjaa.")
                    session.commit()
                    outcomes.append(step)
                except (InputError, PolicyDenied):
                    session.rollback()
                    outcomes.append("refused")
        except BaseException as exc:
            errors.append(exc)

    workers = [
        threading.Thread(target=attempt, args=(step, ("siiri", "saara")[i % 2]))
        for i, step in enumerate(steps)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1 and len(outcomes) == len(steps), outcomes
    with factory() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.status == ("approved" if winners == ["approve"] else "returned")
        signed = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_id == str(meeting_id),
                AuditEvent.action.in_([Action.MINUTES_APPROVED, Action.MINUTES_RETURNED]),
            )
        )
        assert signed == 1


def test_a_double_click_on_done_marks_it_done_once(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        s = scene(session)
        _meeting, _item, _entry, action = s.with_minutes()
        session.commit()
        action_id = action.id
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with factory() as session:
                noora = _user(session, "noora")
                row = session.get(ActionItem, action_id)
                assert row is not None
                session.commit()
                barrier.wait(timeout=30)
                try:
                    meetings.mark_action_done(session, ctx(noora), row)
                    session.commit()
                    outcomes.append("done")
                except InputError as refused:
                    session.rollback()
                    outcomes.append(refused.code)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    assert outcomes.count("done") == 1 and len(outcomes) == THREADS, outcomes
    with factory() as session:
        done = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == Action.ACTION_ITEM_DONE)
        )
        assert done == 1


def _at_once(factory: sessionmaker[Session], step: Callable[[Session], object]) -> list[str]:
    """Run the step in THREADS sessions at one moment; "ok" or the refusal's code of each."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            with factory() as session:
                session.commit()
                barrier.wait(timeout=30)
                try:
                    step(session)
                    session.commit()
                    outcomes.append("ok")
                except (InputError, PolicyDenied) as refused:
                    session.rollback()
                    outcomes.append(getattr(refused, "code", "denied"))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    return outcomes


def test_two_changes_of_one_entry_at_once_make_one_new_version(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        s = scene(session)
        meeting, item, entry, _action = s.with_minutes()
        session.commit()
        ids = meeting.id, item.id, entry.id

    def change(session: Session) -> object:
        meeting, item = session.get(Meeting, ids[0]), session.get(AgendaItem, ids[1])
        first = session.get(MinuteEntry, ids[2])
        assert meeting is not None and item is not None and first is not None
        return meetings.write_entry(
            session,
            ctx(_user(session, "sanna")),
            meeting,
            item,
            kind="decision",
            category="general",
            body="Korjattu.",
            supersedes=first,
        )

    outcomes = _at_once(factory, change)
    assert sorted(outcomes) == ["not_correctable"] * (THREADS - 1) + ["ok"], outcomes
    with factory() as session:
        versions = session.scalars(select(MinuteEntry).where(MinuteEntry.supersedes_id == ids[2]))
        assert len(list(versions)) == 1


def test_one_case_put_on_an_agenda_at_once_is_on_it_once(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        s = scene(session)
        meeting = s.meeting()
        session.commit()
        meeting_id, case_id = meeting.id, s.case.id

    def add(session: Session) -> object:
        meeting, case = session.get(Meeting, meeting_id), session.get(Case, case_id)
        assert meeting is not None and case is not None
        return meetings.add_agenda_item(session, ctx(_user(session, "sanna")), meeting, case)

    outcomes = _at_once(factory, add)
    assert sorted(outcomes) == ["already_on_agenda"] * (THREADS - 1) + ["ok"], outcomes
