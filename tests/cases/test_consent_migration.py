"""Issue 9, finding 4: migration 0006 moves every consent onto a case (see its docstring).

Rows are written at revision 0004, as the code before issue 9 could have left them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import migrations
from core.db import make_engine

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _table(name: str, *columns: str) -> sa.TableClause:
    kinds = {"id": sa.Uuid()}
    return sa.table(name, *(sa.column(c, kinds.get(c) or _kind(c)) for c in columns))


def _kind(column: str) -> sa.types.TypeEngine[object]:
    if column.endswith("_id"):
        return sa.Uuid()
    if column.endswith("_at") or column.startswith("valid_"):
        return sa.DateTime(timezone=True)
    if column in ("active", "must_change_password", "is_demo", "legal_hold"):
        return sa.Boolean()
    if column in ("concern_codes", "recipients", "categories"):
        return sa.JSON()
    if column in ("failed_attempts", "current_version", "age_when_given"):
        return sa.Integer()
    return sa.String()


def _seed_at_0004(url: str, *, with_unplaceable: bool) -> dict[str, uuid.UUID]:
    migrations.upgrade(url, "0004")
    engine = make_engine(url)
    sos, ngo, person, lonely = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sanna, jari = uuid.uuid4(), uuid.uuid4()
    sos_case, ngo_case = uuid.uuid4(), uuid.uuid4()
    kept, led, foreign, orphan = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    agencies = _table("agencies", "id", "code", "name", "kind", "active", "created_at")
    users = _table(
        "users",
        "id",
        "agency_id",
        "username",
        "display_name",
        "role",
        "password_hash",
        "must_change_password",
        "password_changed_at",
        "failed_attempts",
        "active",
        "is_demo",
        "created_at",
    )
    persons = _table("persons", "id", "registered_by_agency_id", "registered_at", "current_version")
    cases = _table(
        "cases",
        "id",
        "person_id",
        "lead_agency_id",
        "status",
        "concern_codes",
        "opened_at",
        "legal_hold",
    )
    consent_columns = (
        "id",
        "person_id",
        "case_id",
        "given_by",
        "recipients",
        "categories",
        "valid_from",
        "valid_until",
        "how_recorded",
        "age_when_given",
        "recorded_at",
        "recorded_by_user_id",
        "withdrawn_at",
    )
    consents = _table("consents", *consent_columns)
    with engine.begin() as connection:
        for agency, code in ((sos, "sos"), (ngo, "ngo")):
            connection.execute(
                agencies.insert().values(
                    id=agency, code=code, name=code, kind="ngo", active=True, created_at=NOW
                )
            )
        for user, agency, name in ((sanna, sos, "sanna"), (jari, ngo, "jari")):
            connection.execute(
                users.insert().values(
                    id=user,
                    agency_id=agency,
                    username=name,
                    display_name=name,
                    role="caseworker",
                    password_hash="x",
                    must_change_password=False,
                    password_changed_at=NOW,
                    failed_attempts=0,
                    active=True,
                    is_demo=False,
                    created_at=NOW,
                )
            )
        for someone in (person, lonely):
            connection.execute(
                persons.insert().values(
                    id=someone, registered_by_agency_id=sos, registered_at=NOW, current_version=1
                )
            )
        for case, agency, opened in ((sos_case, sos, 1), (ngo_case, ngo, 2)):
            connection.execute(
                cases.insert().values(
                    id=case,
                    person_id=person,
                    lead_agency_id=agency,
                    status="open",
                    concern_codes=[],
                    opened_at=datetime(2026, 1, opened, tzinfo=UTC),
                    legal_hold=False,
                )
            )
        rows = [
            (kept, person, ngo_case, sanna),  # already on a case: stays there
            (led, person, None, jari),  # no case: the recorder's agency leads ngo_case
            (foreign, person, None, None),  # no case, no recorder: earliest case, withdrawn
        ]
        if with_unplaceable:
            rows.append((orphan, lonely, None, sanna))  # the person has no case at all
        for consent, someone, case_id, recorder in rows:
            connection.execute(
                consents.insert().values(
                    id=consent,
                    person_id=someone,
                    case_id=case_id,
                    given_by="self",
                    recipients=[],
                    categories=["general"],
                    valid_from=datetime(2026, 3, 4, tzinfo=UTC),
                    valid_until=datetime(2027, 3, 3, tzinfo=UTC),
                    how_recorded="written",
                    age_when_given=16,
                    recorded_at=NOW,
                    recorded_by_user_id=recorder,
                    withdrawn_at=None,
                )
            )
    engine.dispose()
    return {
        "kept": kept,
        "led": led,
        "foreign": foreign,
        "orphan": orphan,
        "sos_case": sos_case,
        "ngo_case": ngo_case,
    }


def test_consents_move_to_their_case(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    ids = _seed_at_0004(url, with_unplaceable=False)
    kept, led, foreign = ids["kept"], ids["led"], ids["foreign"]
    sos_case, ngo_case = ids["sos_case"], ids["ngo_case"]
    migrations.upgrade(url)
    engine = make_engine(url)
    after = _table("consents", "id", "case_id", "withdrawn_at", "given_on")
    after.c.given_on.type = sa.Date()
    with engine.connect() as connection:
        found = {
            row.id: (row.case_id, row.withdrawn_at is not None, row.given_on)
            for row in connection.execute(sa.select(after))
        }
        nullable = {
            c["name"]: c["nullable"] for c in sa.inspect(connection).get_columns("consents")
        }
    engine.dispose()
    day = date(2026, 3, 4)
    assert found == {
        kept: (ngo_case, False, day),
        led: (ngo_case, False, day),
        foreign: (sos_case, True, day),
    }
    assert nullable["case_id"] is False and nullable["given_on"] is False


def test_a_consent_that_fits_no_case_stops_the_upgrade_and_nothing_is_deleted(
    tmp_path: Path,
) -> None:
    """Nothing is silently deleted: a consent whose person has no case is left for an operator."""
    url = f"sqlite:///{tmp_path / 'm.db'}"
    ids = _seed_at_0004(url, with_unplaceable=True)
    with pytest.raises(Exception, match="belong to no case"):
        migrations.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("consents")}
        remaining = set(connection.scalars(sa.select(_table("consents", "id").c.id)))
    engine.dispose()
    assert "given_on" not in columns
    assert ids["orphan"] in remaining and len(remaining) == 4
