"""The synthetic data generator (issue 15, item 1): what it makes for N persons, that the app
reads it (details, search, notes), that the audit chain verifies, resumability and seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from stdnum.fi import hetu

from app.extensions import db
from audit.events import AuditContext
from audit.models import AuditChain, AuditEvent, AuditPending
from cases.accounts.models import User
from cases.casework.models import Case, CaseNote, Consent, Disclosure
from cases.generate import Plan, identity_code
from cases.generate import run as generation
from cases.meetings.models import ActionItem, Meeting, MinuteEntry
from cases.persons import search
from cases.persons.models import Person
from cases.persons.versions import current_details
from cases.policy import PolicyDenied
from cases.referrals.models import Referral
from cases.statistics.models import StatisticsFact
from tests.factories import Builders

N = 40


def _generate(app: Flask, *extra: str) -> Any:
    args = ["bench", "generate", "--persons", str(N), "--chunk-size", "10", *extra]
    return app.test_cli_runner().invoke(args=args)


def _count(model: type[Any], *where: Any) -> int:
    return int(db().scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _counts() -> dict[str, int]:
    return {
        "persons": _count(Person),
        "cases": _count(Case),
        "notes": _count(CaseNote),
        "referrals": _count(Referral),
        "consents": _count(Consent),
        "withdrawn": _count(Consent, Consent.withdrawn_at.is_not(None)),
        "disclosures": _count(Disclosure),
        "meetings": _count(Meeting),
        "events": _count(AuditEvent),
        "chained": _count(AuditChain),
        "pending": _count(AuditPending),
        "facts": _count(StatisticsFact),
    }


def _codes() -> list[str]:
    codes = []
    for person in db().scalars(select(Person)):
        details = current_details(db(), person)
        assert details is not None and details.identity_code is not None
        codes.append(details.identity_code)
    return sorted(codes)


class TestWhatItMakes:
    def test_the_sizes_follow_the_number_of_persons(self, app: Flask) -> None:
        result = _generate(app)
        assert result.exit_code == 0, result.output
        assert "Generated 40 persons in 4 chunks" in result.output
        with app.app_context():
            counts = _counts()
        assert counts["persons"] == N and counts["cases"] == N
        assert counts["notes"] == 5 * N
        assert counts["referrals"] == N // 2
        assert counts["meetings"] == N // 20
        # The demo's proportions: three cases in four on a consent (one in three of those
        # withdrawn), one in four on a disclosure.
        assert (counts["consents"], counts["withdrawn"], counts["disclosures"]) == (30, 10, 10)
        assert counts["events"] >= 20 * N
        assert counts["chained"] == counts["events"] and counts["pending"] == 0
        assert counts["facts"] >= N + N // 2  # each opening and each referral sent, at least

    def test_every_person_opens_and_is_found_by_identity_code(self, app: Flask) -> None:
        assert _generate(app).exit_code == 0
        with app.app_context():
            session = db()
            codes = _codes()
            assert len(set(codes)) == N
            assert all(hetu.is_valid(code, allow_temporary=True) for code in codes)
            for code in codes:
                assert len(search._by_code(session, AuditContext(None), code, scoped=False)) == 1
            person = session.scalars(select(Person).limit(1)).one()
            registrar = session.get(User, person.registered_by_user_id)
            details = current_details(session, person)
            assert registrar is not None and details is not None
            found = search.search_by_identity_code(
                session, AuditContext(registrar), details.identity_code or ""
            )
            assert [summary.id for summary in found] == [person.id]
            session.rollback()

    def test_free_text_decrypts_under_the_persons_key(self, app: Flask) -> None:
        assert _generate(app).exit_code == 0
        with app.app_context():
            notes = list(db().scalars(select(CaseNote)))
            assert len(notes) == 5 * N and all(len(note.body or "") > 40 for note in notes)
            assert all(r.reason for r in db().scalars(select(Referral)))
            assert all(c.purpose for c in db().scalars(select(Consent)))
            assert all(e.body for e in db().scalars(select(MinuteEntry)))
            assert all(a.description for a in db().scalars(select(ActionItem)))

    def test_the_audit_log_verifies(self, app: Flask) -> None:
        assert _generate(app).exit_code == 0
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert "audit log intact" in result.output


class TestResuming:
    def test_an_interrupted_run_finishes_with_the_same_counts(
        self, make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        # Each database signs its checkpoints into a folder of its own.
        whole = make_app(SILTA_AUDIT_CHECKPOINT_DIR=str(tmp_path / "whole"))
        assert _generate(whole).exit_code == 0
        with whole.app_context():
            expected, expected_codes = _counts(), _codes()
        app = make_app(SILTA_AUDIT_CHECKPOINT_DIR=str(tmp_path / "resumed"))
        real_build = generation.build

        def failing(session: Any, plan: Plan, made: Any, chunk: int, anchor: Any) -> Any:
            if chunk == 2:
                raise RuntimeError("interrupted")
            return real_build(session, plan, made, chunk, anchor)

        monkeypatch.setattr(generation, "build", failing)
        assert _generate(app).exit_code != 0
        with app.app_context():
            assert _count(Person) == 20
        monkeypatch.setattr(generation, "build", real_build)
        result = _generate(app)
        assert result.exit_code == 0, result.output
        assert "Generated 20 persons in 2 chunks (2 already present)" in result.output
        with app.app_context():
            counts, codes = _counts(), _codes()
        # Two setup-free runs write one more chunk event each; nothing else differs.
        assert {k: v for k, v in counts.items() if k not in ("events", "chained")} == {
            k: v for k, v in expected.items() if k not in ("events", "chained")
        }
        assert counts["events"] == expected["events"] == counts["chained"]
        assert codes == expected_codes
        again = _generate(app)
        assert again.exit_code == 0 and "Generated 0 persons in 0 chunks" in again.output
        verified = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert verified.exit_code == 0, verified.output


class TestSeeds:
    def test_the_same_seed_gives_the_same_identity_codes(
        self, make_app: Callable[..., Flask]
    ) -> None:
        runs = []
        for seed in ("3", "3", "4"):
            app = make_app()
            assert _generate(app, "--seed", seed).exit_code == 0
            with app.app_context():
                runs.append(_codes())
        assert runs[0] == runs[1] and runs[0] != runs[2]

    def test_codes_are_valid_artificial_and_distinct_at_scale(self) -> None:
        codes = [identity_code(11, number) for number in range(200_000)]
        assert len(set(codes)) == len(codes)
        assert all(900 <= int(code[7:10]) <= 999 for code in codes[:5000])
        assert all(hetu.is_valid(code, allow_temporary=True) for code in codes[::97])


class TestPolicy:
    @pytest.mark.parametrize("role", ["caseworker", "supervisor", "auditor", "analyst", "admin"])
    def test_only_an_operators_command_may_generate(self, app: Flask, role: str) -> None:
        with app.app_context():
            user = Builders(db()).user(f"gen-{role}", role=role, agency="tur")
            with pytest.raises(PolicyDenied):
                generation.generate(db(), AuditContext(user), Plan(N, 0, 10), lambda: 0)
            db().rollback()
            assert _count(Person) == 0
