"""Load test (issue 15): locust's caseworkers, supervisors and auditor against gunicorn on
PostgreSQL with the rate limits in Redis; then the checks.

It creates a scratch PostgreSQL database, migrates it, seeds the demo, brings every open demo
case to NOTES notes, opens a signed-in session per simulated user (through the real sign-in
service, as bench.page_bench does), starts gunicorn (`--workers` sync workers, the limits in
`--redis`, one trusted proxy hop) and runs `bench/locustfile.py` headless for `--minutes` with
`--users` users. It prints throughput and p50/p95 per request type, then checks:

- no 5xx answer and no failed request (every answer is the one expected);
- every case page served (200) has its new `case:read` event, every note saved (302) its
  `case:note:write` event and every log page served its `audit:log:read` event;
- `audit checkpoint`, then `audit verify` over the whole chain, pass.

It exits 1 when a check fails. gunicorn is stopped and the database dropped whatever happens.

Usage: python -m bench.load_run [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
       [--users 64] [--minutes 5] [--workers 2] [--redis redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import migrations
from app import demo
from app.extensions import db, silta
from audit.events import Action, AuditContext
from audit.models import AuditEvent
from bench import load_plan
from bench.page_bench import (
    _drop_postgres,
    _environment,
    _free_port,
    _fresh_postgres,
    _get,
    _start_server,
    _stop_server,
    make_app,
    signed_cookies,
)
from cases.accounts import services as accounts
from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote, CaseStatus
from cases.policy import Permission
from core import keyring
from core.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
# A case file a few months into the work: the demo's have 1–4 notes.
NOTES = 40
NOTE = "Kuulumiset {n}: tavattiin, käytiin läpi koulu ja harrastukset, seuraava aika sovittu."
ROLES = ("caseworker", "supervisor", "auditor")
AUDITED = {
    ("GET", load_plan.CASE_PAGE): Action.CASE_READ,
    ("POST", load_plan.NOTE_FORM): Action.NOTE_WRITTEN,
    ("GET", load_plan.LOG_BY_ACTION): Action.AUDIT_LOG_READ,
    ("GET", load_plan.LOG_BY_USER): Action.AUDIT_LOG_READ,
}
STATUS = re.compile(r"status (\d{3})")
TOTAL = "all"


@dataclass(frozen=True)
class Row:
    """One request type of locust's statistics (times in ms)."""

    method: str
    name: str
    requests: int
    failures: int
    rate: float
    p50: float
    p95: float


@dataclass(frozen=True)
class Outcome:
    rows: list[Row]
    statuses: dict[int, int]  # failed answers by status (0: no answer)
    new_events: dict[str, int]
    verified: bool
    worker_rss_mb: list[float]  # each gunicorn worker's resident memory when the load ended
    start_rss_mb: list[float] = field(default_factory=list)  # ... after the first case page

    def problems(self) -> list[str]:
        """What failed, in words; empty when every check passes."""
        found = []
        server_errors = sum(n for status, n in self.statuses.items() if status >= 500)
        if server_errors:
            found.append(f"{server_errors} answers with 5xx")
        failed = sum(row.failures for row in self.rows if row.name != TOTAL)
        if failed:
            found.append(f"{failed} failed requests: {self.statuses}")
        served: dict[str, int] = {}
        for row in self.rows:
            action = AUDITED.get((row.method, row.name))
            if action is not None:
                served[action] = served.get(action, 0) + row.requests - row.failures
        for done, count in sorted(served.items()):
            if self.new_events.get(done, 0) != count:
                found.append(f"{count} served but {self.new_events.get(done, 0)} {done} events")
        if not served.get(Action.CASE_READ):
            found.append("no case page was served")
        if not self.verified:
            found.append("audit checkpoint or verify failed")
        return found


def _allowed(session: Session, user: User, case: Case, permission: Permission) -> bool:
    reach = casework.reach_case(session, AuditContext(user), case.id, permission)
    return reach is not None and reach.decision.allowed


def prepare(url: str, folder: Path, users: int) -> load_plan.Plan:
    """Migrate, seed the demo, bring the open cases to NOTES notes; sign everyone in."""
    keyring.write_new(folder / "keyring.json", keyring.generate())
    migrations.upgrade(url)
    app = make_app(url, folder)
    names = {role: [u[0] for u in demo.DEMO_USERS if u[2] == role] for role in ROLES}
    with app.app_context():
        session = db()
        demo.seed(session, silta().keys(), silta().passwords)
        session.commit()
        people = {
            name: accounts.get_user_by_username(session, name) for r in ROLES for name in names[r]
        }
        workers = [people[name] for name in names["caseworker"]]
        cases = session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)).all()
        read: dict[str, list[str]] = {name: [] for name in names["caseworker"]}
        write: dict[str, list[str]] = {name: [] for name in names["caseworker"]}
        serial = 0
        for case in cases:
            authors = []
            for user in workers:
                assert user is not None
                if _allowed(session, user, case, Permission.CASE_READ):
                    read[user.username].append(str(case.id))
                if _allowed(session, user, case, Permission.NOTE_WRITE):
                    write[user.username].append(str(case.id))
                    authors.append(user)
            have = (
                session.scalar(select(func.count(CaseNote.id)).where(CaseNote.case_id == case.id))
                or 0
            )
            for index in range(NOTES - have if authors else 0):
                serial += 1
                casework.write_note(
                    session,
                    AuditContext(authors[index % len(authors)], request_id="load-run"),
                    case,
                    category="general",
                    sensitivity="normal",
                    body=NOTE.format(n=serial),
                )
        session.commit()
        plan = load_plan.Plan(accounts={}, usernames=sorted(people))
        for role in ROLES:
            # At most `users` simulated users share a role's accounts round robin.
            each = math.ceil(users / len(names[role]))
            plan["accounts"][role] = []
            for name in names[role]:
                user = people[name]
                assert user is not None
                if role == "caseworker" and not (read[name] and write[name]):
                    continue  # (every demo caseworker works on a case: a guard, not a choice)
                cookies = signed_cookies(app, session, user, each)
                plan["accounts"][role].append(
                    load_plan.Account(
                        username=name,
                        cookies=cookies,
                        read=read.get(name, []),
                        write=write.get(name, []),
                    )
                )
    app.extensions["silta"].dispose()
    return plan


def _audit_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
            return {action: count for action, count in connection.execute(query).all()}
    finally:
        engine.dispose()


def _locust(env: Mapping[str, str], port: int, args: argparse.Namespace, folder: Path) -> None:
    command = [
        *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")),
        *("--headless", "--users", str(args.users), "--spawn-rate", str(max(1, args.users // 8))),
        *("--run-time", f"{round(args.minutes * 60)}s", "--stop-timeout", "10"),
        *("--host", f"http://127.0.0.1:{port}", "--json-file", str(folder / "locust")),
        *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
    ]
    # A test process may have asked locust not to patch itself: the scenario needs gevent.
    child = {k: v for k, v in env.items() if not k.startswith("LOCUST_")}
    child[load_plan.ERRORS_ENV] = str(folder / "errors.json")
    log = folder / "locust.log"
    with log.open("wb") as output:
        done = subprocess.run(
            command,
            env=child,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=args.minutes * 60 + 300,
        )
    if done.returncode != 0:
        raise RuntimeError(f"locust exited with {done.returncode}:\n{log.read_text()[-3000:]}")


def _percentile(times: Mapping[str, int], fraction: float) -> float:
    """locust's own reading of its histogram (response times rounded, with counts)."""
    ordered = sorted((float(ms), count) for ms, count in times.items())
    total = sum(count for _ms, count in ordered)
    seen = 0
    for ms, count in ordered:
        seen += count
        if seen >= fraction * total:
            return ms
    return 0.0


def _rows(folder: Path) -> list[Row]:
    entries = json.loads((folder / "locust.json").read_text())
    began = min(entry["start_time"] for entry in entries)
    ended = max(entry["last_request_timestamp"] or began for entry in entries)
    seconds = max(ended - began, 1e-9)
    merged: dict[str, int] = {}
    for entry in entries:
        for ms, count in entry["response_times"].items():
            merged[ms] = merged.get(ms, 0) + count
    rows = [
        Row(
            entry["method"],
            entry["name"],
            entry["num_requests"],
            entry["num_failures"],
            entry["num_requests"] / seconds,
            _percentile(entry["response_times"], 0.5),
            _percentile(entry["response_times"], 0.95),
        )
        for entry in sorted(entries, key=lambda e: (e["name"], e["method"]))
    ]
    total = sum(row.requests for row in rows)
    failed = sum(row.failures for row in rows)
    overall = (_percentile(merged, 0.5), _percentile(merged, 0.95))
    return [*rows, Row("", TOTAL, total, failed, total / seconds, *overall)]


def _failed_statuses(folder: Path) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for error in json.loads((folder / "errors.json").read_text()):
        match = STATUS.search(error["error"])
        status = int(match.group(1)) if match else 0
        statuses[status] = statuses.get(status, 0) + int(error["occurrences"])
    return statuses


def _flask(env: Mapping[str, str], *command: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    said = " / ".join(line for line in done.stdout.splitlines()[-3:] if line.strip())
    failed = done.stderr[-1000:] if done.returncode else ""
    print(f"flask {' '.join(command)}: exit {done.returncode}: {said} {failed}".strip())
    return done.returncode == 0


def measure(url: str, args: argparse.Namespace) -> Outcome:
    """Prepare, serve, load, check: the whole run on the database at `url`."""
    with TemporaryDirectory(prefix="silta-load-run-") as name:
        folder = Path(name)
        plan = prepare(url, folder, args.users)
        plan_file = folder / "plan.json"
        load_plan.write(plan_file, plan)
        env = _environment(url, folder)
        env.update(
            SILTA_RATELIMIT_STORAGE_URI=args.redis,
            SILTA_RATELIMIT_NAMESPACE=f"silta-load-{uuid.uuid4().hex[:8]}",
            SILTA_TRUSTED_PROXIES="1",
        )
        port = _free_port()
        server = _start_server(env, port, args.workers, folder / "gunicorn.log")
        try:
            first = plan["accounts"]["caseworker"][0]
            status, _body = _get(port, f"/cases/{first['read'][0]}", first["cookies"][0])
            assert status == 200, f"the first case page answered {status}"
            warm = _worker_rss_mb(server.pid)
            before = _audit_counts(url)
            _locust({**env, load_plan.PLAN_ENV: str(plan_file)}, port, args, folder)
            memory = _worker_rss_mb(server.pid)
        finally:
            _stop_server(server)
        after = _audit_counts(url)
        new = {action: after[action] - before.get(action, 0) for action in after}
        verified = _flask(env, "audit", "checkpoint") and _flask(env, "audit", "verify")
        return Outcome(_rows(folder), _failed_statuses(folder), new, verified, memory, warm)


def _worker_rss_mb(master: int) -> list[float]:
    """The resident memory of each worker of the gunicorn master `master` (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def report(outcome: Outcome) -> None:
    print(f"{'request':<34} {'requests':>9} {'failed':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for row in outcome.rows:
        label = f"{row.method} {row.name}".strip()
        print(
            f"{label:<34} {row.requests:>9} {row.failures:>7} {row.rate:>7.1f} {row.p50:>7.0f}"
            f" {row.p95:>7.0f}"
        )
    audited = sorted({str(action) for action in AUDITED.values()})
    print("new audit events: " + ", ".join(f"{a} {outcome.new_events.get(a, 0)}" for a in audited))
    print(
        "worker RSS after the first page: "
        + ", ".join(f"{mb:.0f} MB" for mb in outcome.start_rss_mb)
    )
    print("worker RSS at the end: " + ", ".join(f"{mb:.0f} MB" for mb in outcome.worker_rss_mb))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args(argv)
    assert 0 < args.users <= 1000 and 0 < args.minutes <= 60 and 0 < args.workers <= 16
    print(
        f"locust: {args.users} users for {args.minutes:g} min against gunicorn --workers "
        f"{args.workers} (sync) on PostgreSQL, limits in {args.redis}; {os.getloadavg()[0]:.1f}"
        " load average at the start"
    )
    name, url = _fresh_postgres(args.url)
    try:
        outcome = measure(url, args)
    finally:
        _drop_postgres(args.url, name)
    report(outcome)
    problems = outcome.problems()
    for problem in problems:
        print(f"FAILED: {problem}")
    print("checks: " + ("failed" if problems else "0 5xx, every page audited, chain verified"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
