"""Backup and restore (issue 15, item 5), the README's runbook on PostgreSQL.

A seeded database is dumped with `pg_dump`, restored with `pg_restore` into a fresh database, and
served with copies of the keyring file and the audit checkpoint archive (backed up apart from the
database): every person's details and every note decrypt to what they were, and `audit verify`
passes against the checkpoints (after the runbook's trim of those the dump predates). The dump
itself holds no personal plaintext and no key.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.demo.persons import DEMO_PERSONS
from app.extensions import db
from cases.casework.models import CaseNote
from cases.persons import services as persons
from cases.persons.models import Person
from tests.conftest import PG_URL, AppFactory
from tests.databases import PostgresDatabases

DEMO_SOURCES = Path(__file__).resolve().parent.parent / "app" / "demo"
MISSING_TOOLS = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.skipif(
        PG_URL is None, reason="SILTA_TEST_DATABASE_URL is not set: backup/restore test skipped"
    ),
    pytest.mark.skipif(
        bool(MISSING_TOOLS), reason=f"{', '.join(MISSING_TOOLS)} not on PATH: test skipped"
    ),
]

Snapshot = tuple[dict[str, tuple[object, ...]], list[str]]


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as the PostgreSQL tools take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{command[0]}: {done.stderr[-2000:]}"
    return done.stdout


def _plaintext(app: Flask) -> Snapshot:
    """Every person's current details and every note body, decrypted through the app."""
    with app.app_context():
        session = db()
        people: dict[str, tuple[object, ...]] = {}
        for person in session.scalars(select(Person)):
            details = persons.current_details(session, person)
            assert details is not None, person.id
            people[str(person.id)] = (
                details.given_names,
                details.surname,
                details.birth_date,
                details.identity_code,
                tuple(guardian.name for guardian in details.guardians),
            )
        notes = sorted(note.body for note in session.scalars(select(CaseNote)))
        session.rollback()
    return people, notes


def _needles(snapshot: Snapshot, keyring_path: Path) -> set[str]:
    """What the dump must not contain: the demo's personal data in the forms it could take, the
    markers of every encrypted demo text (notes, referral reasons, minutes), and the keys."""
    people, notes = snapshot
    found: set[str] = set(notes)
    for given, surname, born, code, guardians in people.values():
        assert isinstance(born, date)
        found |= {str(given), str(surname), str(code), born.isoformat(), f"{born:%d.%m.%Y}"}
        found |= {name for guardian in guardians for name in str(guardian).split()}
    # Digits-only fragments are left out: a hex-encoded ciphertext contains any short run of
    # digits by chance; the full codes (with their letter) and the ISO dates cannot occur there.
    for source in DEMO_SOURCES.glob("*.py"):
        found |= set(re.findall(r"DEMO-[A-Z0-9]+(?:-[A-Z0-9]+)+", source.read_text()))
    ring = json.loads(keyring_path.read_text())
    for part in ("kek", "audit_signing"):
        found |= set(ring[part].values())
    found.add(ring["index_root"])
    return found


def _trimmed(archive: Path, target: Path, size: int) -> Path:
    """The runbook's step: a copy of the checkpoint files without lines beyond `size` events."""
    target.mkdir()
    for path in archive.glob("checkpoints-*.jsonl"):
        lines = [line for line in path.read_text().splitlines() if json.loads(line)["size"] <= size]
        (target / path.name).write_text("".join(f"{line}\n" for line in lines))
    return target


def test_a_pg_dump_restores_readable_and_verified_and_the_dump_reveals_nothing(
    make_app: AppFactory,
    databases: PostgresDatabases,
    keyring_file: Path,
    tmp_path: Path,
) -> None:
    original = make_app()
    runner = original.test_cli_runner()
    seeded = runner.invoke(args=["demo", "seed", "--accounts-json", str(tmp_path / "logins.json")])
    assert seeded.exit_code == 0, seeded.output
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    before = _plaintext(original)
    assert {code for *_, code, _g in before[0].values()} >= {p[4] for p in DEMO_PERSONS}
    assert len(before[1]) >= 10

    # The backup, as the runbook makes it: the dump, and apart from it the keyring file; the
    # checkpoint directory is shipped off the host continuously (copied here).
    source_url = original.config["SILTA_DATABASE_URL"]
    dump = tmp_path / "silta.dump"
    _run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq(source_url))
    vault = tmp_path / "vault"
    vault.mkdir()
    keyring_copy = vault / "keyring.json"
    shutil.copyfile(keyring_file, keyring_copy)
    keyring_copy.chmod(0o600)
    # Work goes on after the dump, and its checkpoints reach the archive; then the database is
    # lost, and only the dump, the keyring copy and the archive are left.
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # itself an audited event
    later = runner.invoke(args=["audit", "checkpoint"])
    assert later.exit_code == 0, later.output
    live = Path(original.config["SILTA_AUDIT_CHECKPOINT_DIR"])
    archive = vault / "audit-checkpoints"
    shutil.copytree(live, archive)
    assert list(archive.glob("checkpoints-*.jsonl"))
    original.extensions["silta"].dispose()
    databases.drop(source_url)

    fresh = databases.empty()
    _run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(fresh)}", str(dump))
    restored = make_app(
        db_url=fresh, SILTA_KEYRING=str(keyring_copy), SILTA_AUDIT_CHECKPOINT_DIR=str(archive)
    )
    assert _plaintext(restored) == before
    # Verified first against the archive, before anything is written: the restored log is
    # (rightly) short of the newest checkpoint by the events after the dump.
    short = restored.test_cli_runner().invoke(args=["audit", "verify"])
    assert short.exit_code == 1, short.output
    found = re.search(
        r"log truncated: a checkpoint names (\d+) events, the chain has (\d+)", short.output
    )
    assert found is not None, short.output
    newest, restored_size = int(found[1]), int(found[2])
    assert newest > restored_size
    # The runbook's next step: the archive trimmed to the restored size becomes the restored
    # installation's checkpoint directory, and verifies every event of the dump.
    trimmed = _trimmed(archive, tmp_path / "restored-checkpoints", restored_size)
    served = make_app(
        db_url=fresh, SILTA_KEYRING=str(keyring_copy), SILTA_AUDIT_CHECKPOINT_DIR=str(trimmed)
    )
    verified = served.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "audit log intact" in verified.output and " 0 checkpoints" not in verified.output
    assert _plaintext(served) == before

    # The dump alone: its plain SQL (what `pg_restore --file=-` writes from it) is scanned.
    text = _run("pg_restore", "--file=-", str(dump))
    assert "sosiaalipalvelut" in text and "COPY public.person_versions" in text  # a real dump
    # (Case-sensitive: bytea is dumped as lower-case hex, which any upper-cased 4-letter name
    # could match by chance.)
    leaked = sorted(needle for needle in _needles(before, keyring_copy) if needle in text)
    assert not leaked, leaked
