"""Where the case page's time goes: the page benchmark's case page served in-process under
cProfile, with the statements issued per request and the share of each part of the request.

Usage: python -m bench.page_profile [--backend sqlite|postgresql]
       [--url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--profile-lines 40]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from sqlalchemy import event

from bench.page_bench import MISSING, _drop_postgres, _environment, _fresh_postgres, _prepare

# Where a signed-in page's time goes: (label, file suffix, function), as shares of the request.
# The functions the case page runs today; a label at 0 % names a function that was renamed.
PARTS = [
    ("whole request (Flask)", "flask/app.py", "wsgi_app"),
    ("resume the session (user loader)", "app/security.py", "_load_principal"),
    ("route: reachable_case (load, decide)", "app/casework/pages.py", "reachable_case"),
    ("  load_case_by_id (case, facts, rows)", "cases/policy/loading.py", "load_case_by_id"),
    ("route: view_case service", "cases/casework/reading.py", "view_case"),
    ("  the notes (one Core select)", "cases/casework/notes.py", "current_notes"),
    ("  decrypt fields", "core/fields.py", "decrypt"),
    ("  the audit event (inserts)", "audit/events.py", "record_events"),
    ("render the template", "flask/templating.py", "render_template"),
    ("  date formatting", "app/dates.py", "format_datetime"),
    ("  header: unread notifications", "app/notifications/routes.py", "unread_notifications"),
    ("session commits", "sqlalchemy/orm/session.py", "commit"),
    ("  audit chaining after commit", "audit/sequencer.py", "run"),
    (
        "  waiting for SQLite (sqlite3 execute)",
        "~",
        "<method 'execute' of 'sqlite3.Cursor' objects>",
    ),
    ("  waiting for PostgreSQL (psycopg wait)", "psycopg/connection.py", "wait"),
]


def _summary(stats: pstats.Stats) -> None:
    table = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table here
    totals: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in table.items():
        for label, suffix, name in PARTS:
            if function == name and filename.endswith(suffix):
                totals[label] = max(totals.get(label, 0.0), cumulative)
    whole = totals.get(PARTS[0][0]) or 1.0
    for label, _suffix, _name in PARTS:
        share = totals.get(label, 0.0)
        print(f"    {label:<40} {share / whole * 100:5.1f} %")


def profile(url: str, args: argparse.Namespace) -> None:
    """Serve the case page in-process under cProfile; print hot spots and statements per page."""
    with TemporaryDirectory(prefix="silta-page-bench-") as name:
        folder = Path(name)
        case_path, cookies = _prepare(url, folder, 1)
        saved = dict(os.environ)
        os.environ.update(_environment(url, folder))
        try:
            from app import create_app

            app = create_app()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        statements: list[str] = []
        engine = app.extensions["silta"].engine

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            statements.append(statement.split("\n")[0][:90])

        event.listen(engine, "before_cursor_execute", count)
        client = app.test_client()
        cookie_name, _, value = cookies[0].partition("=")
        client.set_cookie(cookie_name, value)
        for path, expect in ((case_path, 200), (MISSING, 404)):
            for _ in range(20):
                status = client.get(path).status_code
                assert status == expect, (path, status)
            statements.clear()
            assert client.get(path).status_code == expect
            print(f"{path}: {len(statements)} statements on the request's engine")
            for statement in statements:
                print(f"    {statement}")
            profiler = cProfile.Profile()
            began = time.perf_counter()
            profiler.enable()
            for _ in range(200):
                client.get(path)
            profiler.disable()
            print(f"  {(time.perf_counter() - began) / 200 * 1000:.2f} ms per request in-process")
            stats = pstats.Stats(profiler)
            _summary(stats)
            if args.profile_lines:
                stats.sort_stats("cumulative").print_stats(args.profile_lines)
                stats.sort_stats("tottime").print_stats(args.profile_lines)
        app.extensions["silta"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--profile-lines", type=int, default=40)
    args = parser.parse_args()
    if args.backend == "sqlite":
        with TemporaryDirectory(prefix="silta-page-profile-db-") as folder:
            profile(f"sqlite:///{folder}/silta.db", args)
        return
    name, url = _fresh_postgres(args.url)
    try:
        profile(url, args)
    finally:
        _drop_postgres(args.url, name)


if __name__ == "__main__":
    main()
