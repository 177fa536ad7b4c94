"""The chain's backlog for the operator's metrics: events committed but not chained yet, the
oldest one's age, and the chain's length; and the size of every batch the sequencer appends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from audit.queries import chain_lag
from audit.sequencer import Sequencer
from cases.policy import CliActor
from core.db import utcnow


def _record(session: Session, count: int) -> None:
    for _ in range(count):
        record(session, AuditContext(CliActor("tests")), Action.DEMO_SEEDED)
    session.commit()


class TestChainLag:
    def test_an_empty_log_has_no_lag(self, domain_session: Session) -> None:
        lag = chain_lag(domain_session, utcnow())
        assert (lag.pending, lag.oldest_pending_seconds, lag.chain_size) == (0, 0.0, 0)

    def test_committed_events_wait_until_chained(self, domain_session: Session) -> None:
        _record(domain_session, 4)  # the plain session runs no sequencer after its commits
        later = utcnow() + timedelta(seconds=90)
        lag = chain_lag(domain_session, later)
        assert lag.pending == 4 and lag.chain_size == 0
        assert 90 <= lag.oldest_pending_seconds < 150

    def test_chaining_clears_the_backlog_and_reports_its_batches(
        self, domain_session: Session
    ) -> None:
        _record(domain_session, 5)
        batches: list[int] = []
        engine = domain_session.get_bind()
        assert isinstance(engine, Engine)
        sequencer = Sequencer(engine, on_batch=batches.append)
        try:
            assert sequencer.run() == 5
        finally:
            sequencer.dispose()
        lag = chain_lag(domain_session, utcnow())
        assert (lag.pending, lag.chain_size) == (0, 5)
        assert batches == [5]
