"""The load test (issue 15): its checks, its scenario, and a whole run at a tiny size on
PostgreSQL (4 users for 20 seconds, 1 worker) that passes them."""

from __future__ import annotations

import importlib
import importlib.util
import re

import pytest

from audit.events import Action
from bench import load_plan, load_run
from tests.conftest import PG_URL, REDIS_URL, requires_postgres

CASE = ("GET", load_plan.CASE_PAGE)
NOTE = ("POST", load_plan.NOTE_FORM)


def outcome(
    served: dict[tuple[str, str], tuple[int, int]],
    events: dict[str, int],
    statuses: dict[int, int] | None = None,
    verified: bool = True,
) -> load_run.Outcome:
    rows = [
        load_run.Row(method, name, requests, failed, 1.0, 10.0, 20.0)
        for (method, name), (requests, failed) in served.items()
    ]
    return load_run.Outcome(rows, statuses or {}, events, verified, [])


class TestChecks:
    def test_a_run_whose_pages_each_have_their_event_passes(self) -> None:
        run = outcome(
            {CASE: (30, 0), NOTE: (4, 0), ("GET", load_plan.QUEUE): (5, 0)},
            {Action.CASE_READ: 30, Action.NOTE_WRITTEN: 4, Action.LOGIN_SUCCEEDED: 0},
        )
        assert run.problems() == []

    def test_a_case_page_without_its_event_fails(self) -> None:
        run = outcome({CASE: (30, 0)}, {Action.CASE_READ: 29})
        assert run.problems() == ["30 served but 29 case:read events"]

    def test_a_saved_note_without_its_event_fails(self) -> None:
        run = outcome({CASE: (3, 0), NOTE: (2, 0)}, {Action.CASE_READ: 3})
        assert run.problems() == ["2 served but 0 case:note:write events"]

    def test_failed_requests_are_not_expected_in_the_log(self) -> None:
        run = outcome({CASE: (30, 2)}, {Action.CASE_READ: 28}, statuses={502: 1, 0: 1})
        assert run.problems() == ["1 answers with 5xx", "2 failed requests: {502: 1, 0: 1}"]

    def test_a_broken_chain_fails(self) -> None:
        run = outcome({CASE: (1, 0)}, {Action.CASE_READ: 1}, verified=False)
        assert run.problems() == ["audit checkpoint or verify failed"]

    def test_a_run_that_served_no_case_page_fails(self) -> None:
        assert outcome({}, {}).problems() == ["no case page was served"]


class TestScenario:
    def test_each_simulated_user_has_its_own_forwarded_address(self) -> None:
        addresses = [load_plan.forwarded_address(seat) for seat in range(70_000)]
        assert len(set(addresses)) == len(addresses)
        assert addresses[0] == "10.0.0.1"
        assert all(address.startswith("10.") for address in addresses)

    def test_the_locustfile_has_caseworkers_supervisors_and_one_auditor(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # This process's threads and sockets stay unpatched (the runner unsets it for locust).
        monkeypatch.setenv("LOCUST_SKIP_MONKEY_PATCH", "1")
        pytest.importorskip("locust")
        locustfile = importlib.import_module("bench.locustfile")
        roles = {user.role: user for user in (locustfile.Caseworker, locustfile.Supervisor)}
        assert set(roles) == {"caseworker", "supervisor"}
        assert locustfile.Auditor.role == "auditor" and locustfile.Auditor.fixed_count == 1
        assert locustfile.Caseworker.weight > locustfile.Supervisor.weight


@requires_postgres
@pytest.mark.slow
def test_a_tiny_load_run_passes_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    # Looked up, not imported: importing locust here would let gevent patch this process's
    # threads, and a pytest-xdist worker then blocks forever (it crashed CI's worker).
    if importlib.util.find_spec("locust") is None:
        pytest.skip("locust is not installed (the bench extra)")
    assert PG_URL is not None
    argv = ["--url", PG_URL, "--users", "4", "--minutes", str(20 / 60), "--workers", "1"]
    exit_code = load_run.main([*argv, "--redis", REDIS_URL or "memory://"])
    printed = capsys.readouterr().out
    assert exit_code == 0, printed
    assert "checks: 0 5xx, every page audited, chain verified" in printed
    assert "GET /cases/<id>" in printed
    rss = re.search(r"worker RSS at the end: (\d+) MB", printed)
    assert rss is not None and 20 < int(rss[1]) < 1000, printed
