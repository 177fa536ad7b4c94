"""The demo seed: agencies and users to the letter, TOTP enrolled, secrets stored encrypted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from app import demo
from app.demo import DEMO_AGENCIES, DEMO_USERS
from app.extensions import db, silta
from audit.models import AuditBase
from cases.accounts.models import Agency, User
from cases.casework.models import Case, CaseNote, TeamAgency, TeamUser
from cases.persons import services as persons
from cases.persons.models import Person
from core.db import Base
from tests.conftest import PG_URL, AppFactory
from tests.databases import SqliteDatabases
from tests.helpers import b32_secret, sign_in

TABLES = [*Base.metadata.sorted_tables, *AuditBase.metadata.sorted_tables]


def test_demo_agencies_and_users_follow_the_issue(demo_app: Flask) -> None:
    with demo_app.app_context():
        agencies = {a.code: (a.name, a.kind) for a in db().scalars(select(Agency))}
        assert agencies == {code: (name, kind) for code, name, kind in DEMO_AGENCIES}
        assert agencies["sos"] == ("Helsingin kaupunki, sosiaalipalvelut", "social_services")
        assert agencies["tur"] == (
            "Kaupunginkanslia, turvallisuus- ja valmiusyksikkö",
            "coordination",
        )
        users = {
            u.username: (u.display_name, u.role, u.agency.code, u.is_demo, u.totp_enrolled)
            for u in db().scalars(select(User))
        }
    assert users == {
        name: (display, role, agency, True, True) for name, display, role, agency in DEMO_USERS
    }
    assert users["helena"] == ("Helena Heikkilä", "supervisor", "sos", True, True)
    assert users["admin"] == ("Ylläpitäjä", "admin", "tur", True, True)


def test_every_demo_login_works(demo_app: Flask, demo_accounts: dict[str, dict[str, str]]) -> None:
    for username, account in demo_accounts.items():
        client = demo_app.test_client()
        response = sign_in(
            client, username, account["password"], b32_secret(account["totp_secret"])
        )
        assert response.location == "/", username


def test_secrets_are_not_stored_in_plaintext(
    demo_app: Flask, demo_accounts: dict[str, dict[str, str]]
) -> None:
    needles = []
    for account in demo_accounts.values():
        secret = b32_secret(account["totp_secret"])
        needles += [account["password"], account["totp_secret"], secret.hex()]
    with demo_app.app_context():
        session = db()
        tables = ["agencies", "users", "user_sessions", "data_keys"]
        dump = []
        for table in tables:
            for row in session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                dump.append(repr(tuple(row)))
        blob = "\n".join(dump)
    for needle in needles:
        assert needle not in blob
    url = demo_app.config["SILTA_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        raw = b""
        for suffix in ("", "-wal"):
            try:
                with open(url.removeprefix("sqlite:///") + suffix, "rb") as handle:
                    raw += handle.read()
            except FileNotFoundError:
                pass
        assert raw
        for account in demo_accounts.values():
            assert account["password"].encode() not in raw
            assert b32_secret(account["totp_secret"]) not in raw
            assert b32_secret(account["totp_secret"]).hex().encode() not in raw


def test_demo_persons_follow_issue_5(demo_app: Flask) -> None:
    with demo_app.app_context():
        session = db()
        found = {}
        for person in session.scalars(select(Person)):
            details = persons.current_details(session, person)
            assert details is not None
            registrar = session.get(Agency, person.registered_by_agency_id)
            assert registrar is not None
            found[details.identity_code] = (
                details.given_names,
                details.surname,
                details.birth_date,
                registrar.code,
                [g.name for g in details.guardians],
            )
    assert found == {
        "140310A1230": ("Eetu", "Esimerkki", date(2010, 3, 14), "sos", []),
        "020612A2465": ("Venla", "Virtanen", date(2012, 6, 2), "sos", ["Mari Virtanen"]),
        "090909A357W": ("Oskari", "Ojala", date(2009, 9, 9), "nuo", []),
        "200411A4682": ("Lumi", "Laine", date(2011, 4, 20), "pol", []),
        "110203A312J": ("Aada", "Arkisto", date(2003, 2, 11), "sos", []),
    }


def test_demo_p5_follows_issue_14(demo_app: Flask) -> None:
    """Aada Arkisto: registered by sos on 2018-09-03, her sos case (team sos, sanna) opened that
    day with a sos general note, closed on her 18th birthday as aged out."""
    with demo_app.app_context():
        session = db()
        person = persons.find_by_identity_code(session, "110203A312J")
        assert person is not None and person.erased_at is None
        assert person.registered_at == datetime(2018, 9, 3, 12, tzinfo=UTC)
        (case,) = session.scalars(select(Case).where(Case.person_id == person.id))
        lead = session.get(Agency, case.lead_agency_id)
        assert lead is not None and lead.code == "sos"
        assert case.opened_at == datetime(2018, 9, 3, 12, tzinfo=UTC)
        assert (case.status, case.outcome) == ("closed", "aged_out")
        assert case.closed_at == datetime(2021, 2, 11, 12, tzinfo=UTC)
        team = {
            session.get_one(Agency, row.agency_id).code
            for row in session.scalars(select(TeamAgency).where(TeamAgency.case_id == case.id))
        }
        users = {
            session.get_one(User, row.user_id).username
            for row in session.scalars(select(TeamUser).where(TeamUser.case_id == case.id))
        }
        assert (team, users) == ({"sos"}, {"sanna"})
        (note,) = session.scalars(select(CaseNote).where(CaseNote.case_id == case.id))
        assert note.category == "general" and "DEMO-P5-SOS-GENERAL" in (note.body or "")
        assert note.created_at == case.opened_at


def test_a_second_seed_adds_nothing(demo_app: Flask) -> None:
    with demo_app.app_context():
        session = db()
        before = {t.name: session.scalar(select(func.count()).select_from(t)) for t in TABLES}
        demo.seed(session, silta().keys(), silta().passwords)
        session.commit()
        after = {t.name: session.scalar(select(func.count()).select_from(t)) for t in TABLES}
    assert after == before


DEMO_PLAINTEXT = [
    "Eetu",
    "Esimerkki",
    "Venla",
    "Virtanen",
    "Oskari",
    "Ojala",
    "Lumi",
    "Laine",
    "Aada",
    "Arkisto",
    "140310A1230",
    "020612A2465",
    "090909A357W",
    "200411A4682",
    "110203A312J",
    "140310",
    "020612",
    "090909",
    "200411",
    "110203",
    "2010-03-14",
    "2012-06-02",
    "2009-09-09",
    "2011-04-20",
    "2003-02-11",
]


@pytest.mark.skipif(bool(PG_URL), reason="scans the SQLite file; PostgreSQL stores elsewhere")
def test_raw_sqlite_file_after_a_full_seed_holds_no_person_plaintext(
    make_app: AppFactory, databases: SqliteDatabases, tmp_path: Path
) -> None:
    url = databases.new()
    app = make_app(db_url=url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--accounts-json", str(tmp_path / "a.json")])
    assert result.exit_code == 0, result.output
    base = url.removeprefix("sqlite:///")
    raw = b"".join(
        Path(base + suffix).read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(base + suffix).exists()
    )
    # The scan does see plaintext where it is stored as such (agency names are not personal).
    assert b"sosiaalipalvelut" in raw
    for needle in DEMO_PLAINTEXT:
        for encoded in {needle.encode(), needle.encode("utf-16-le"), needle.upper().encode()}:
            assert encoded not in raw, needle
