"""The register's input rules (issue 9, finding 10): control characters, names typed two ways,
postal codes, birth dates and line breaks, checked in the service whatever the form let by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from audit.events import AuditContext
from cases.accounts import services as accounts
from cases.inputs import InputError
from cases.persons import services as persons
from cases.persons.models import NAME_BIRTH_INDEX, Person, PersonIndexEntry, PersonVersion
from core import datakeys
from tests.helpers import make_user

VENLA = persons.PersonDetails(
    given_names="Venla",
    surname="Virtanen",
    birth_date=date(2012, 6, 2),
    municipality="Helsinki",
    postal_code="00100",
    phone="+358 40 123 4567",
    email="venla@example.fi",
    guardians=(persons.Guardian("Mari Virtanen", "mari@example.fi"),),
)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    make_user(app, "sanna", "caseworker", "sos")
    with app.app_context():
        yield db()


def _ctx(session: Session) -> AuditContext:
    user = accounts.get_user_by_username(session, "sanna")
    assert user is not None
    return AuditContext(user, request_id="test")


def _refused(session: Session, details: persons.PersonDetails) -> tuple[str, str]:
    before = session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(InputError) as raised:
        persons.register(session, _ctx(session), details)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Person)) == before
    return raised.value.code, raised.value.field


def _stored(session: Session, person: Person) -> PersonVersion:
    datakeys.forget_unwrapped(session)
    version = session.scalar(select(PersonVersion).where(PersonVersion.person_id == person.id))
    assert version is not None
    return version


def _guardian(name: str = "Mari Virtanen", contact: str = "") -> dict[str, object]:
    return {"guardians": (persons.Guardian(name, contact),)}


ONE_LINE_FIELDS = [
    "given_names",
    "surname",
    "municipality",
    "postal_code",
    "phone",
    "email",
    "identity_code",
]


class TestControlCharacters:
    @pytest.mark.parametrize("field", ONE_LINE_FIELDS)
    def test_every_text_field_refuses_them(self, session: Session, field: str) -> None:
        for char in ("\x00", "\x1b", "\x7f", "\x1f", "\x85"):
            value = f"{getattr(VENLA, field) or '020612A2465'}{char}"
            refused = _refused(session, replace(VENLA, **{field: value}))
            assert refused == ("control_characters", field), repr(char)

    @pytest.mark.parametrize(
        "guardians",
        [_guardian("Mari\x00 Virtanen"), _guardian(contact="mari@example.fi\x00")],
    )
    def test_guardian_fields_refuse_them(
        self, session: Session, guardians: dict[str, object]
    ) -> None:
        details = replace(VENLA, **guardians)  # type: ignore[arg-type]
        assert _refused(session, details) == ("control_characters", "guardians")

    @pytest.mark.parametrize("field", ONE_LINE_FIELDS)
    def test_one_line_fields_refuse_line_breaks(self, session: Session, field: str) -> None:
        for brk in ("\n", "\r\n", "\u2028"):
            value = f"{getattr(VENLA, field) or '020612A2465'}{brk}"
            refused = _refused(session, replace(VENLA, **{field: value}))
            assert refused == ("line_break", field), repr(brk)

    def test_a_nul_in_a_search_is_refused_too(self, session: Session) -> None:
        with pytest.raises(InputError) as by_code:
            persons.search_by_identity_code(session, _ctx(session), "020612A2465\x00")
        with pytest.raises(InputError) as by_name:
            persons.search_by_name(session, _ctx(session), "Virta\x00nen", date(2012, 6, 2))
        assert by_code.value.code == by_name.value.code == "control_characters"


class TestNames:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("Virtanen", "Vir\u200btanen"),  # a zero-width space pasted from a chat
            ("M\u00e4kinen", "Ma\u0308kinen"),  # composed vs decomposed ä
            ("Ma\u0308kinen", "M\u00e4\u2060kinen"),  # decomposed vs a word joiner
            ("Virtanen", "Virtanen\u2800"),  # a Braille blank, which is a symbol to Unicode
            ("Virtanen", "Vir\U0001d159tanen"),  # the musical null notehead
            ("Virtanen", "Virtanen\ue000"),  # a private-use character
            ("Virtanen", "Virta\u0378nen"),  # an unassigned code point
        ],
    )
    def test_one_name_typed_two_ways_is_stored_as_one_and_warns_of_a_duplicate(
        self, session: Session, first: str, second: str
    ) -> None:
        person = persons.register(session, _ctx(session), replace(VENLA, surname=first))
        session.commit()
        with pytest.raises(persons.PossibleDuplicate) as warned:
            persons.register(session, _ctx(session), replace(VENLA, surname=second))
        assert [m.id for m in warned.value.matches] == [person.id]
        session.rollback()
        twin = persons.register(
            session, _ctx(session), replace(VENLA, surname=second), confirmed=True
        )
        session.commit()
        assert _stored(session, twin).surname == _stored(session, person).surname
        assert "\u200b" not in (_stored(session, twin).surname or "")

    def test_the_blind_index_is_computed_on_the_cleaned_name(self, session: Session) -> None:
        clean = persons.register(session, _ctx(session), VENLA)
        dirty = persons.register(
            session,
            _ctx(session),
            replace(VENLA, surname="\u200bVir\u200btanen\u200b"),
            confirmed=True,
        )
        session.commit()
        entries = session.execute(
            select(PersonIndexEntry.person_id, PersonIndexEntry.value).where(
                PersonIndexEntry.index_name == NAME_BIRTH_INDEX.name
            )
        ).all()
        values = {person_id: value for person_id, value in entries}
        assert values[clean.id] == values[dirty.id]

    def test_a_search_typed_with_invisible_characters_finds_the_person(
        self, session: Session
    ) -> None:
        person = persons.register(session, _ctx(session), VENLA)
        session.commit()
        hits = persons.search_by_name(session, _ctx(session), "Vir\u200btanen", date(2012, 6, 2))
        assert [hit.id for hit in hits] == [person.id]

    def test_guardian_names_are_cleaned_too(self, session: Session) -> None:
        person = persons.register(
            session,
            _ctx(session),
            replace(VENLA, **_guardian("Mari\u200b Virta\u0308nen")),  # type: ignore[arg-type]
        )
        session.commit()
        assert _stored(session, person).guardians == [{"name": "Mari Virtänen", "contact": ""}]

    @pytest.mark.parametrize("mark", ["\u0301", " \u0301", "\u20dd", "\u0488"])
    def test_a_guardian_named_by_a_lone_mark_has_no_name(self, session: Session, mark: str) -> None:
        guardian = replace(VENLA, guardians=(persons.Guardian(mark, "040 1234567"),))
        assert _refused(session, guardian) == ("guardian_name_required", "guardians")

    def test_a_look_alike_of_another_alphabet_is_refused_not_registered_anew(
        self, session: Session
    ) -> None:
        persons.register(session, _ctx(session), VENLA)
        session.commit()
        look_alike = replace(VENLA, surname="Virt\u0430nen")  # Cyrillic а
        assert _refused(session, look_alike) == ("mixed_scripts", "surname")

    @pytest.mark.parametrize(
        "blank",
        ["\u200b\u200d", "\u2800", "\U00016fe4", "\U0001d159", "\ue000", "\u0378", "\u0301"],
    )
    def test_a_name_of_only_invisible_characters_is_missing(
        self, session: Session, blank: str
    ) -> None:
        assert _refused(session, replace(VENLA, surname=blank)) == ("required", "surname")


class TestPostalCodes:
    @pytest.mark.parametrize(
        "code",
        [
            "\u0660\u0661\u0662\u0663\u0664",  # Arabic-Indic digits: str.isdigit() says yes
            "\uff10\uff10\uff11\uff10\uff10",  # full-width digits
            "\u0966\u0966\u0967\u0966\u0966",  # Devanagari digits
            "0010",
            "001000",
            "00 100",
            "0010a",
        ],
    )
    def test_only_five_ascii_digits(self, session: Session, code: str) -> None:
        assert _refused(session, replace(VENLA, postal_code=code)) == (
            "invalid_postal_code",
            "postal_code",
        )

    def test_five_ascii_digits_are_stored(self, session: Session) -> None:
        person = persons.register(session, _ctx(session), replace(VENLA, postal_code=" 02100 "))
        session.commit()
        assert _stored(session, person).postal_code == "02100"


class TestBirthDates:
    @pytest.mark.parametrize(
        ("born", "code"),
        [
            (date(1899, 12, 31), "birth_date_too_early"),
            (date(1, 1, 1), "birth_date_too_early"),
            (date(9999, 12, 31), "birth_date_future"),
        ],
    )
    def test_out_of_range_is_refused(self, session: Session, born: date, code: str) -> None:
        assert _refused(session, replace(VENLA, birth_date=born)) == (code, "birth_date")

    def test_the_first_day_of_1900_and_today_are_accepted(self, session: Session) -> None:
        for born in (date(1900, 1, 1), date.today()):
            persons.register(session, _ctx(session), replace(VENLA, birth_date=born))

    def test_a_code_from_the_1800s_is_refused_by_its_date(self, session: Session) -> None:
        details = replace(VENLA, identity_code="010199+123Y", birth_date=date(1899, 1, 1))
        assert _refused(session, details) == ("birth_date_too_early", "birth_date")

    def test_a_name_search_with_an_impossible_birth_date_is_refused(self, session: Session) -> None:
        for born in (date(1, 1, 1), date(9999, 12, 31)):
            with pytest.raises(InputError) as raised:
                persons.search_by_name(session, _ctx(session), "Virtanen", born)
            assert raised.value.field == "birth_date"
