"""Commands and servers run as processes of their own against a test app's database, for the
tests that kill them (tests/test_crash_safety.py, tests/test_worker_kill.py)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, not_, select
from sqlalchemy.engine import Engine

from audit.events import Action
from audit.models import AuditChain, AuditEvent, AuditPending
from tests.conftest import SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
# Kills land this long (at most) after the command's first commit of the run: a few batches in.
PAUSE = (0.0, 0.15)


def command_environment(app: Flask) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SILTA_")}
    env.update(
        SILTA_ENV="development",
        SILTA_DATABASE_URL=app.config["SILTA_DATABASE_URL"],
        SILTA_KEYRING=app.config["SILTA_KEYRING"],
        SILTA_SECRET_KEY=SECRET_KEY,
        SILTA_INSTANCE_PATH=app.instance_path,
        SILTA_AUDIT_CHECKPOINT_DIR=app.config["SILTA_AUDIT_CHECKPOINT_DIR"],
        SILTA_DEFAULT_LOCALE="en",
    )
    return env


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def kill_once_started(
    command: list[str], env: dict[str, str], progressed: Callable[[], bool], rng: random.Random
) -> bool:
    """Run `command`; once `progressed()` sees its first commit, SIGKILL it after a random pause.
    True when it was killed, False when it finished first (then it must have succeeded)."""
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while child.poll() is None and not progressed():
        assert time.monotonic() < deadline, "the command made no progress in 120 s"
        time.sleep(0.005)
    time.sleep(rng.uniform(*PAUSE))
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL
        return True
    _, errors = child.communicate(timeout=60)
    assert child.returncode == 0, errors.decode()[-2000:]
    return False


def run_command(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    return done.stdout


def lost_events(engine: Engine) -> int:
    """Committed events neither chained nor waiting to be: what a crash must never leave."""
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    not_(AuditEvent.id.in_(select(AuditChain.event_id))),
                    not_(AuditEvent.id.in_(select(AuditPending.event_id))),
                )
            )
            or 0
        )


def committed_events(
    engine: Engine, action: Action
) -> list[tuple[uuid.UUID | None, dict[str, Any]]]:
    """The subject and details of every committed event of `action`."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(AuditEvent.subject_id, AuditEvent.details).where(AuditEvent.action == action)
        )
        return [(subject, details) for subject, details in rows]


def verified(env: dict[str, str]) -> None:
    """A signed checkpoint over everything, then `audit verify` against it, from a new process."""
    run_command(flask_command("audit", "checkpoint"), env)
    output = run_command(flask_command("audit", "verify"), env)
    assert "audit log intact" in output, output
