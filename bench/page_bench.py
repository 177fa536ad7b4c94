"""Page benchmark: the case page against the framework floor, within one run, on a real server.

gunicorn with `--workers` sync workers (default 2, one per core of the reference machine) serves
Silta on 127.0.0.1; `--clients` signed-in clients (default 16, each with its own server-side
session, opened through the real sign-in service rather than the TOTP forms) request in turn,
round after round, for `--seconds` each:

- the case page of a case with 50 notes written by 3 agencies (the demo's P1, read by sanna);
- an authenticated 404: a signed-in `GET /no-such-page` (no route matches; the session is
  still resumed, so this is the floor every signed-in page pays).

It prints requests/s, p50 and p95 latency for both and the ratio of the request rates.
Target: case page ≥ 0.5× the 404 on both SQLite and PostgreSQL.

Usage: python -m bench.page_bench [--backend sqlite|postgresql|both]
       [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--seconds 5] [--rounds 2]
       [--clients 16] [--workers 2]
The PostgreSQL URL names a server and a user that may create databases; the benchmark creates
and drops its own. Traffic goes only to 127.0.0.1; every loop is bounded by a deadline and the
server is stopped at the end. `python -m bench.page_profile` runs the same case page in-process
under cProfile and prints where the time goes (and the statements issued per request).
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import migrations
from app import create_app, demo
from app.extensions import db, silta
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.accounts import signin
from cases.accounts.models import User
from cases.casework import services as casework
from cases.casework.models import Case, CaseNote
from cases.persons import services as persons
from core import keyring

NOTES = 50
AUTHORS = ("sanna", "noora", "pekka")  # sos, nuo and pol: the three agencies of P1's team
CATEGORIES = {"sanna": "general", "noora": "education", "pekka": "offence"}
READER = "sanna"
# A throwaway key for the benchmark's own server on loopback, never a deployment's.
SECRET_KEY = "page-bench-secret-key-0123456789abcdefghijklmnop"  # noqa: S105
MISSING = "/no-such-page"


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def _environment(url: str, folder: Path) -> dict[str, str]:
    keys = folder / "keyring.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILTA_")}
    env.update(
        SILTA_ENV="development",
        SILTA_DATABASE_URL=url,
        SILTA_KEYRING=str(keys),
        SILTA_SECRET_KEY=SECRET_KEY,
        SILTA_INSTANCE_PATH=str(folder / "instance"),
        SILTA_AUDIT_CHECKPOINT_DIR=str(folder / "checkpoints"),
        SILTA_DEFAULT_LOCALE="en",
    )
    return env


def make_app(url: str, folder: Path) -> Flask:
    """The app as the benchmark's server will see it (its environment, not this process's)."""
    saved = dict(os.environ)
    os.environ.update(_environment(url, folder))
    try:
        return create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def signed_cookies(app: Flask, session: Session, user: User, count: int) -> list[str]:
    """`count` signed-in sessions of `user` (the real sign-in service), as Cookie headers."""
    tokens = []
    for _ in range(count):
        token, _user_session = signin.complete_sign_in(session, AuditContext(None), user)
        tokens.append(token)
    session.commit()
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    return [f"{cookie_name}={serializer.dumps({'_user_id': t, '_fresh': True})}" for t in tokens]


def _prepare(url: str, folder: Path, clients: int) -> tuple[str, list[str]]:
    """Migrate, seed the demo, bring P1's case to 50 notes; return its path and cookies."""
    keyring.write_new(folder / "keyring.json", keyring.generate())
    migrations.upgrade(url)
    app = make_app(url, folder)
    with app.app_context():
        session = db()
        demo.seed(session, silta().keys(), silta().passwords)
        session.commit()
        person = persons.find_by_identity_code(session, "140310A1230")
        assert person is not None
        case = session.scalars(select(Case).where(Case.person_id == person.id)).one()
        users = {name: accounts.get_user_by_username(session, name) for name in AUTHORS}
        have = len(session.scalars(select(CaseNote.id).where(CaseNote.case_id == case.id)).all())
        for index in range(NOTES - have):
            author = users[AUTHORS[index % len(AUTHORS)]]
            assert author is not None
            casework.write_note(
                session,
                AuditContext(author, request_id="page-bench"),
                case,
                category=CATEGORIES[author.username],
                sensitivity="normal",
                body=f"Benchmark note {index}: " + "tapaaminen sovittu, kuulumiset kirjattu. " * 4,
            )
        session.commit()
        reader = accounts.get_user_by_username(session, READER)
        assert reader is not None
        cookies = signed_cookies(app, session, reader, clients)
        path = f"/cases/{case.id}"
    app.extensions["silta"].dispose()
    return path, cookies


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "en"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _start_server(
    env: dict[str, str], port: int, workers: int, log: Path
) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}:\n{log.read_text()}")
        try:
            if _get(port, "/healthz", "")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _load(
    port: int, name: str, path: str, expect: int, cookies: list[str], seconds: float
) -> Result:
    """Every client requests `path` in a loop until the deadline; count and time each one."""
    latencies: list[list[float]] = [[] for _ in cookies]
    errors = [0] * len(cookies)
    start = threading.Barrier(len(cookies) + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        start.wait()
        while time.monotonic() < deadline[0]:
            began = time.monotonic()
            try:
                status, _body = _get(port, path, cookies[index])
            except OSError:
                status = 0
            latencies[index].append(time.monotonic() - began)
            if status != expect:
                errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(cookies))]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - began
    flat = [value for per_client in latencies for value in per_client]
    return Result(name, len(flat), elapsed, flat, sum(errors))


def _merge(results: list[Result]) -> Result:
    return Result(
        results[0].name,
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        [value for r in results for value in r.latencies],
        sum(r.errors for r in results),
    )


def measure(url: str, args: argparse.Namespace) -> tuple[Result, Result]:
    with TemporaryDirectory(prefix="silta-page-bench-") as name:
        folder = Path(name)
        case_path, cookies = _prepare(url, folder, args.clients)
        env = _environment(url, folder)
        port = _free_port()
        server = _start_server(env, port, args.workers, folder / "gunicorn.log")
        try:
            status, body = _get(port, case_path, cookies[0])
            assert status == 200 and b"DEMO-P1-SOS-GENERAL" in body, status
            assert _get(port, MISSING, cookies[0])[0] == 404
            _load(port, "warm-up", case_path, 200, cookies, 1.0)
            _load(port, "warm-up", MISSING, 404, cookies, 1.0)
            pages, floors = [], []
            for _ in range(args.rounds):
                pages.append(_load(port, "case page", case_path, 200, cookies, args.seconds))
                floors.append(_load(port, "404", MISSING, 404, cookies, args.seconds))
        finally:
            _stop_server(server)
        return _merge(pages), _merge(floors)


def _fresh_postgres(admin_url: str) -> tuple[str, str]:
    name = f"silta_page_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _report(label: str, page: Result, floor: Result) -> None:
    print(f"{label}:")
    for result in (page, floor):
        print(
            f"  {result.name:<10} {result.rate:8.1f} req/s   p50 {result.percentile(0.5):7.1f} ms"
            f"   p95 {result.percentile(0.95):7.1f} ms   ({result.requests} requests,"
            f" {result.errors} errors)"
        )
    print(f"  ratio      {page.rate / floor.rate:.2f}×  (target ≥ 0.50×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    assert 0 < args.seconds <= 120 and 0 < args.rounds <= 10 and 0 < args.clients <= 64
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"gunicorn --workers {args.workers}, {args.clients} signed-in clients, {args.rounds} × "
        f"{args.seconds:g} s per page, case page with {NOTES} notes by {len(AUTHORS)} agencies"
    )
    for backend in backends:
        if backend == "sqlite":
            with TemporaryDirectory(prefix="silta-page-bench-db-") as folder:
                url = f"sqlite:///{folder}/silta.db"
                _report("SQLite", *measure(url, args))
        else:
            name, url = _fresh_postgres(args.url)
            try:
                _report("PostgreSQL", *measure(url, args))
            finally:
                _drop_postgres(args.url, name)


if __name__ == "__main__":
    main()
