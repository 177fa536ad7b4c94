"""Crash safety on PostgreSQL (issue 15, item 4): `keys rewrap` and `retention sweep` killed with
SIGKILL at random points of their work, twenty times each.

Each command commits its work in batches (a batch of data keys, one person), each with its audit
event. After every kill: what was committed has its audit event and nothing else changed (the
keys wrapped under the current version are exactly those the events count, and each still
unwraps to the key it was; a person is erased exactly when their erasure event exists, with their
key and their index entries gone), and no event is lost from the chain queue (each is chained or
waits in `audit_pending`). Afterwards a run without a kill finishes the job and `audit verify`
passes against a signed checkpoint. The killed worker of a web server: tests/test_worker_kill.py.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, insert, not_, select
from sqlalchemy.engine import Engine

from app.extensions import db
from audit.events import Action
from cases.persons import services as persons
from cases.persons.models import Person, PersonIndexEntry
from core import crypto, datakeys, keyring
from core.datakeys import DataKey
from core.db import make_engine
from tests.conftest import AppFactory, requires_postgres
from tests.factories import Builders
from tests.processes import (
    command_environment,
    committed_events,
    flask_command,
    kill_once_started,
    lost_events,
    run_command,
    verified,
)

pytestmark = [requires_postgres, pytest.mark.slow]

KILLS = 20
KEYS = 1500
REWRAP_BATCH = 20
PERSONS_PER_TOP_UP = 60
REGISTERED_LONG_AGO = datetime(2015, 3, 2, 12, tzinfo=UTC)  # five years past long ago: due


@pytest.fixture
def crash_app(make_app: AppFactory, tmp_path: Path) -> Flask:
    """An app on a fresh PostgreSQL database with a keyring of its own (these tests rotate it)."""
    ring = tmp_path / "keyring.json"
    keyring.write_new(ring, keyring.generate())
    return make_app(SILTA_KEYRING=str(ring))


@pytest.fixture
def observer(crash_app: Flask) -> Iterator[Engine]:
    """A connection pool of the test's own, to look at what the killed commands committed."""
    engine = make_engine(crash_app.config["SILTA_DATABASE_URL"])
    yield engine
    engine.dispose()


class TestKeysRewrap:
    def _seed(self, app: Flask) -> dict[str, bytes]:
        """KEYS data keys wrapped under version 1 (inserted in bulk) and a few real persons;
        the plain keys, by owner."""
        keys = keyring.KeyringFile(Path(app.config["SILTA_KEYRING"]))
        plain = {f"crash-test:{index}": crypto.new_data_key() for index in range(KEYS)}
        with app.app_context():
            session = db()
            session.execute(
                insert(DataKey),
                [
                    {
                        "id": uuid.uuid4(),
                        "owner": owner,
                        "kek_version": keys.current_kek_version,
                        "wrapped": crypto.wrap_key(
                            keys.kek(keys.current_kek_version), keys.current_kek_version, key, owner
                        ),
                    }
                    for owner, key in plain.items()
                ],
            )
            build = Builders(session)
            sanna = build.user("sanna", agency="sos")
            for _ in range(5):
                build.person(sanna)
            session.commit()
        return plain

    def _check(self, engine: Engine, ring: Path, plain: dict[str, bytes]) -> None:
        keys = keyring.KeyringFile(ring)
        current = keys.current_kek_version
        with engine.connect() as connection:
            rows = connection.execute(
                select(DataKey.owner, DataKey.kek_version, DataKey.wrapped)
            ).all()
        # Every key still unwraps, under the version its row names, to the key it was.
        for owner, version, wrapped in rows:
            assert wrapped is not None, owner  # nothing is shredded here
            key = crypto.unwrap_key(keys.kek(version), wrapped, owner)
            assert plain.get(owner, key) == key, owner
        # The keys under the current version are exactly those its committed batches counted
        # (a version is made current only once the previous rewrap finished: nothing else is).
        counted = sum(
            details["count"]
            for _, details in committed_events(engine, Action.KEYS_REWRAPPED)
            if details["to_version"] == current
        )
        assert Counter(version for _, version, _ in rows)[current] == counted
        assert lost_events(engine) == 0

    def test_killed_twenty_times_it_loses_nothing_and_a_rerun_finishes(
        self, crash_app: Flask, observer: Engine
    ) -> None:
        rng = random.Random(15_4)
        ring = Path(crash_app.config["SILTA_KEYRING"])
        plain = self._seed(crash_app)
        env = command_environment(crash_app)
        run_command(flask_command("audit", "checkpoint"), env)

        def under_current(current: bool) -> int:
            """Live keys wrapped under the current version (or under another)."""
            version = keyring.KeyringFile(ring).current_kek_version
            wrapped_under = DataKey.kek_version == version
            with observer.connect() as connection:
                return int(
                    connection.scalar(
                        select(func.count())
                        .select_from(DataKey)
                        .where(wrapped_under if current else not_(wrapped_under))
                        .where(DataKey.wrapped.is_not(None))
                    )
                    or 0
                )

        kills = runs = 0
        while kills < KILLS:
            runs += 1
            assert runs <= 3 * KILLS, f"only {kills} kills landed in {runs} runs"
            if under_current(False) == 0:  # the last rewrap finished: rotate again
                run_command(flask_command("keys", "rotate"), env)
            before = under_current(True)

            def progressed(floor: int = before) -> bool:
                return under_current(True) > floor

            killed = kill_once_started(
                flask_command("keys", "rewrap", "--batch-size", str(REWRAP_BATCH)),
                env,
                progressed,
                rng,
            )
            kills += killed
            self._check(observer, ring, plain)

        run_command(flask_command("keys", "rewrap", "--batch-size", str(REWRAP_BATCH)), env)
        status = run_command(flask_command("keys", "status"), env)
        assert "need 'flask keys rewrap'" not in status, status
        self._check(observer, ring, plain)
        verified(env)
        with crash_app.app_context():
            session = db()
            for person in session.scalars(select(Person)):
                assert persons.current_details(session, person) is not None
            session.rollback()


class TestRetentionSweep:
    def _top_up(self, app: Flask) -> None:
        """PERSONS_PER_TOP_UP persons registered long ago, without a case: all due."""
        with app.app_context():
            session = db()
            build = Builders(session)
            sanna = build.user(f"sanna{uuid.uuid4().hex[:6]}", agency="sos")
            for _ in range(PERSONS_PER_TOP_UP):
                build.person(sanna).registered_at = REGISTERED_LONG_AGO
            session.commit()

    def _erased(self, engine: Engine) -> int:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).select_from(Person).where(Person.erased_at.is_not(None))
                )
                or 0
            )

    def _check(self, engine: Engine) -> None:
        """A person is erased (row marked, key destroyed, index entries gone) exactly when their
        one erasure event committed; the others are untouched."""
        events = Counter(subject for subject, _ in committed_events(engine, Action.PERSON_SHREDDED))
        with engine.connect() as connection:
            people = connection.execute(select(Person.id, Person.erased_at)).all()
            wrapped = dict(connection.execute(select(DataKey.owner, DataKey.wrapped)).all())
            indexed = set(connection.scalars(select(PersonIndexEntry.person_id).distinct()))
        assert people
        for person_id, erased_at in people:
            erased = erased_at is not None
            assert events[person_id] == int(erased), person_id
            assert (wrapped[datakeys.person_owner(person_id)] is None) == erased, person_id
            assert (person_id in indexed) != erased, person_id
        assert lost_events(engine) == 0

    def test_killed_twenty_times_it_loses_nothing_and_a_rerun_finishes(
        self, crash_app: Flask, observer: Engine
    ) -> None:
        rng = random.Random(15_4_2)
        env = command_environment(crash_app)
        self._top_up(crash_app)
        run_command(flask_command("audit", "checkpoint"), env)
        kills = runs = 0
        while kills < KILLS:
            runs += 1
            assert runs <= 3 * KILLS, f"only {kills} kills landed in {runs} runs"
            before = self._erased(observer)
            if self._total(observer) - before < 10:
                self._top_up(crash_app)

            def progressed(floor: int = before) -> bool:
                return self._erased(observer) > floor

            killed = kill_once_started(flask_command("retention", "sweep"), env, progressed, rng)
            kills += killed
            self._check(observer)

        run_command(flask_command("retention", "sweep"), env)
        assert self._erased(observer) == self._total(observer)
        self._check(observer)
        verified(env)

    def _total(self, engine: Engine) -> int:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Person)) or 0)
