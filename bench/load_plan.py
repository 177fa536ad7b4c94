"""What the load test's runner hands its locust scenario: the sessions, the cases, the names.

`bench.load_run` writes the plan; `bench/locustfile.py` reads it from the file named by
SILTA_LOCUST_PLAN. Neither imports the other: locust patches the standard library with gevent as
it is imported, which the runner (subprocesses, psycopg) must not be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, TypedDict, cast

PLAN_ENV: Final = "SILTA_LOCUST_PLAN"
# Where the scenario writes locust's failures (method, name, error, occurrences) at its end.
ERRORS_ENV: Final = "SILTA_LOCUST_ERRORS"

# Request names in locust's statistics (with the method, its key): the checks count by them.
CASE_PAGE: Final = "/cases/<id>"
NOTE_FORM: Final = "/cases/<id>/notes/new"
MY_CASES: Final = "/cases/"
QUEUE: Final = "/cases/queue"
LOG_BY_ACTION: Final = "/audit/?action=case:read"
LOG_BY_USER: Final = "/audit/?user=<username>"


class Account(TypedDict):
    """One demo account: its signed-in sessions (Cookie headers) and the cases it works on."""

    username: str
    cookies: list[str]
    read: list[str]
    write: list[str]


class Plan(TypedDict):
    # By role: "caseworker", "supervisor", "auditor".
    accounts: dict[str, list[Account]]
    # The accounts the auditor filters the log by.
    usernames: list[str]


def forwarded_address(seat: int) -> str:
    """The address the proxy reports for the `seat`-th simulated user (10.0.0.1 onwards)."""
    seat += 1
    return f"10.{(seat >> 16) & 255}.{(seat >> 8) & 255}.{seat & 255}"


def write(path: Path, plan: Plan) -> None:
    path.write_text(json.dumps(plan), encoding="utf-8")


def read(path: Path) -> Plan:
    return cast(Plan, json.loads(path.read_text(encoding="utf-8")))


def write_errors(path: Path, errors: Sequence[Mapping[str, object]]) -> None:
    path.write_text(json.dumps(list(errors)), encoding="utf-8")
