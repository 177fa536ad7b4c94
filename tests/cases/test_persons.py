"""The register: identity codes, versions, blind-index search, visibility and shredding."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import AuditContext
from audit.models import AuditEvent
from cases.accounts import services as accounts
from cases.inputs import InputError
from cases.persons import identity
from cases.persons import services as persons
from cases.persons.models import Person, PersonIndexEntry, PersonVersion
from cases.policy import CliActor, PolicyDenied, Reason
from core import crypto, datakeys
from tests.factories import Builders

VECTORS = Path(__file__).parents[1] / "data" / "henkilotunnus.csv"

EETU = persons.PersonDetails(
    given_names="Eetu Olavi",
    surname="Esimerkki",
    birth_date=date(2010, 3, 14),
    identity_code="140310A1230",
    municipality="Helsinki",
    postal_code="00100",
    phone="+358 40 123 4567",
    email="eetu@example.fi",
    guardians=(persons.Guardian("Maija Esimerkki", "maija@example.fi"),),
    mother_tongue="fi",
)


def _vectors() -> list[dict[str, str]]:
    with VECTORS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", _vectors(), ids=lambda row: f"{row['code']!r}-{row['expected']}")
def test_identity_code_vectors(row: dict[str, str]) -> None:
    if row["expected"] == "invalid":
        with pytest.raises(identity.InvalidIdentityCode):
            identity.parse(row["code"])
        return
    parsed = identity.parse(row["code"])
    assert parsed.code == row["code"].strip().upper()
    assert parsed.birth_date == date.fromisoformat(row["birth_date"])
    assert parsed.temporary == (900 <= int(parsed.code[7:10]) <= 999)


@pytest.fixture
def register(domain_session: Session) -> Session:
    """The users these tests act as, on a session without Flask."""
    build = Builders(domain_session)
    build.user("sanna", agency="sos")
    build.user("helena", role="supervisor", agency="sos")
    build.user("noora", agency="nuo")
    build.user("aino", role="auditor", agency="tur")
    build.user("admin", role="admin", agency="tur")
    domain_session.commit()
    return domain_session


def ctx(session: Session, username: str) -> AuditContext:
    user = accounts.get_user_by_username(session, username)
    assert user is not None
    return AuditContext(user, request_id="test")


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.occurred_at)
        )
    )


def test_register_view_and_edit_keep_every_version(register: Session) -> None:
    session = register
    person = persons.register(session, ctx(session, "sanna"), EETU)
    session.commit()
    shown = persons.view(session, ctx(session, "helena"), person)
    assert shown.details == EETU and shown.version == 1 and not shown.erased
    moved = replace(EETU, municipality="Espoo", postal_code="02100")
    persons.update(session, ctx(session, "sanna"), person, moved)
    session.commit()
    datakeys.forget_unwrapped(session)
    assert persons.view(session, ctx(session, "sanna"), person).details == moved
    history = persons.history(session, ctx(session, "sanna"), person)
    assert [(v.version, set(v.changed)) for v in history] == [
        (2, {"municipality", "postal_code"}),
        (1, {f for f in vars(EETU)}),
    ]
    versions = session.scalars(
        select(PersonVersion).where(PersonVersion.person_id == person.id)
    ).all()
    assert sorted(v.version for v in versions) == [1, 2]
    assert {v.municipality for v in versions} == {"Helsinki", "Espoo"}
    update = events(session, "person:update")[-1]
    assert update.details == {"fields": ["municipality", "postal_code"], "version": 2}
    assert update.subject_id == person.id and update.bases == ["registering_agency"]
    with pytest.raises(InputError) as unchanged:
        persons.update(session, ctx(session, "sanna"), person, moved)
    assert unchanged.value.code == "unchanged"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"identity_code": "140310A1231"}, "invalid_identity_code", "identity_code"),
        ({"birth_date": date(2010, 3, 15)}, "birth_date_mismatch", "birth_date"),
        (
            {"identity_code": None, "birth_date": date(2099, 1, 1)},
            "birth_date_future",
            "birth_date",
        ),
        ({"postal_code": "123"}, "invalid_postal_code", "postal_code"),
        ({"phone": "call me"}, "invalid_phone", "phone"),
        ({"email": "eetu"}, "invalid_email", "email"),
        ({"mother_tongue": "de"}, "invalid_choice", "mother_tongue"),
        ({"surname": "  "}, "required", "surname"),
        ({"given_names": "x" * 201}, "too_long", "given_names"),
        ({"guardians": (persons.Guardian("", "a@b.fi"),)}, "guardian_name_required", "guardians"),
        (
            {"guardians": tuple(persons.Guardian(f"G{i}") for i in range(3))},
            "too_many_guardians",
            "guardians",
        ),
    ],
)
def test_bad_input_is_named_and_changes_nothing(
    register: Session, change: dict[str, object], code: str, field: str
) -> None:
    session = register
    before = session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(InputError) as raised:
        persons.register(session, ctx(session, "sanna"), replace(EETU, **change))  # type: ignore[arg-type]
    assert (raised.value.code, raised.value.field) == (code, field)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Person)) == before


def test_temporary_codes_are_accepted_and_marked(register: Session) -> None:
    session = register
    details = replace(EETU, identity_code="101010A9004", birth_date=date(2010, 10, 10))
    person = persons.register(session, ctx(session, "sanna"), details)
    shown = persons.view(session, ctx(session, "sanna"), person)
    assert shown.details is not None and shown.details.identity_code_temporary
    assert events(session, "person:create")[-1].details["temporary_identity_code"] is True


def test_search_finds_visible_persons_only_and_audits_counts_not_terms(register: Session) -> None:
    session = register
    person = persons.register(session, ctx(session, "sanna"), EETU)
    session.commit()
    by_code = persons.search_by_identity_code(session, ctx(session, "helena"), " 140310a1230 ")
    assert [hit.id for hit in by_code] == [person.id]
    by_name = persons.search_by_name(
        session, ctx(session, "sanna"), "ESIMERKKI ", date(2010, 3, 14)
    )
    assert [hit.id for hit in by_name] == [person.id]
    assert (
        persons.search_by_name(session, ctx(session, "sanna"), "Esimerkki", date(2010, 3, 15)) == []
    )
    # Another agency: nothing, exactly as for a code nobody has.
    assert persons.search_by_identity_code(session, ctx(session, "noora"), "140310A1230") == []
    assert (
        persons.search_by_name(session, ctx(session, "noora"), "Esimerkki", date(2010, 3, 14)) == []
    )
    session.commit()
    searches = events(session, "person:search")
    assert [e.details["hits"] for e in searches] == [1, 1, 0, 0, 0]
    for event in searches:
        text = repr(event.details) + repr(event.object_id)
        assert "140310" not in text and "Esimerkki".lower() not in text.lower()
    shown = [e for e in events(session, "person:read") if e.details.get("view") == "search_result"]
    assert {e.subject_id for e in shown} == {person.id} and len(shown) == 2
    with pytest.raises(PolicyDenied) as denied:
        persons.view(session, ctx(session, "noora"), person)
    assert denied.value.decision.reason == Reason.NOT_VISIBLE


def test_duplicate_warning_only_for_persons_the_user_may_see(register: Session) -> None:
    session = register
    persons.register(session, ctx(session, "sanna"), EETU)
    session.commit()
    with pytest.raises(persons.PossibleDuplicate) as warned:
        persons.register(session, ctx(session, "helena"), replace(EETU, identity_code=None))
    assert [m.surname for m in warned.value.matches] == ["Esimerkki"]
    # Another agency registers the same young person without learning of the first record.
    other = persons.register(session, ctx(session, "noora"), EETU)
    assert (
        other.registered_by_agency_id
        != persons.get_person(session, warned.value.matches[0].id).registered_by_agency_id
    )  # type: ignore[union-attr]
    confirmed = persons.register(
        session, ctx(session, "helena"), replace(EETU, given_names="Eetu"), confirmed=True
    )
    assert events(session, "person:create")[-1].details["confirmed_duplicates"] == 1
    assert confirmed.id != other.id


def test_index_covers_the_current_version_only(register: Session) -> None:
    session = register
    person = persons.register(session, ctx(session, "sanna"), EETU)
    persons.update(session, ctx(session, "sanna"), person, replace(EETU, surname="Uusinimi"))
    assert (
        persons.search_by_name(session, ctx(session, "sanna"), "Esimerkki", EETU.birth_date) == []
    )
    assert (
        len(persons.search_by_name(session, ctx(session, "sanna"), "uusinimi", EETU.birth_date))
        == 1
    )
    entries = session.scalars(
        select(PersonIndexEntry).where(PersonIndexEntry.person_id == person.id)
    ).all()
    assert len(entries) == 2  # one per index, for the current version


def test_auditor_looks_up_any_agency_person_and_is_audited(register: Session) -> None:
    session = register
    person = persons.register(session, ctx(session, "noora"), EETU)
    found = persons.lookup_for_audit(session, ctx(session, "aino"), "140310A1230")
    assert found is not None and found.id == person.id
    assert persons.lookup_for_audit(session, ctx(session, "aino"), "131052-308T") is None
    lookups = events(session, "audit:person:lookup")
    assert [(e.subject_id, e.details["hits"]) for e in lookups] == [(person.id, 1), (None, 0)]
    for username in ("sanna", "admin"):
        with pytest.raises(PolicyDenied):
            persons.lookup_for_audit(session, ctx(session, username), "140310A1230")
    for username in ("aino", "admin"):
        with pytest.raises(PolicyDenied):
            persons.search_by_identity_code(session, ctx(session, username), "140310A1230")


def test_shredding_leaves_nothing_readable_or_findable(register: Session) -> None:
    session = register
    person = persons.register(session, ctx(session, "sanna"), EETU)
    persons.update(session, ctx(session, "sanna"), person, replace(EETU, phone="+358 50 000 0000"))
    session.commit()
    with pytest.raises(PolicyDenied):
        persons.shred(session, ctx(session, "sanna"), person, "retention")
    assert persons.shred(session, AuditContext(CliActor("retention")), person, "retention")
    session.commit()
    datakeys.forget_unwrapped(session)
    shown = persons.view(session, ctx(session, "sanna"), person)
    assert shown.erased and shown.details is None
    assert persons.search_by_identity_code(session, ctx(session, "sanna"), "140310A1230") == []
    assert (
        persons.search_by_name(session, ctx(session, "sanna"), "Esimerkki", EETU.birth_date) == []
    )
    assert persons.lookup_for_audit(session, ctx(session, "aino"), "140310A1230") is None
    assert (
        session.scalars(
            select(PersonIndexEntry).where(PersonIndexEntry.person_id == person.id)
        ).all()
        == []
    )
    for version in session.scalars(
        select(PersonVersion).where(PersonVersion.person_id == person.id)
    ):
        with pytest.raises(datakeys.DataKeyShredded):
            _ = version.surname
        with pytest.raises(crypto.DecryptionError):
            _ = version.identity_code
    with pytest.raises(InputError):
        persons.update(session, ctx(session, "sanna"), person, EETU)
    history = persons.history(session, ctx(session, "sanna"), person)
    assert [v.changed for v in history] == [(), ()]
    assert events(session, "person:shred")[-1].details == {
        "key_destroyed": True,
        "reason": "retention",
    }
    # A second run is harmless and says nothing was left to destroy.
    assert not persons.shred(session, AuditContext(CliActor("retention")), person, "retention")
