"""Encrypted attributes: round trip, binding to row and column, tampering, unknown versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.extensions import db
from cases.accounts.models import Agency
from cases.persons.models import Person, PersonVersion
from core import crypto, datakeys
from core.fields import MissingKeyProvider, normalise_name


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        session = db()
        agency = Agency(code="sos", name="Sos", kind="social_services")
        session.add(agency)
        session.flush()
        session.info["agency"] = agency.id
        yield session


def _version(session: Session) -> PersonVersion:
    person = Person(registered_by_agency_id=session.info["agency"])
    session.add(person)
    datakeys.create_data_key(session, datakeys_keys(session), person.data_key_owner)
    version = PersonVersion(person_id=person.id, version=1)
    session.add(version)
    return version


def datakeys_keys(session: Session):  # type: ignore[no-untyped-def]
    from core.fields import key_provider

    return key_provider(session)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), day=st.dates())
def test_round_trip(session: Session, text: str, day: date) -> None:
    version = _version(session)
    version.surname = text
    version.birth_date = day
    version.guardians = [{"name": text, "contact": ""}]
    version.forbids_guardian_disclosure = True
    session.flush()
    datakeys.forget_unwrapped(session)
    assert version.surname == text and version.birth_date == day
    assert version.guardians == [{"name": text, "contact": ""}]
    assert version.forbids_guardian_disclosure is True
    # Short strings can occur in random ciphertext by chance; longer ones must not show.
    assert len(text.encode()) < 8 or text.encode() not in (version.surname_ct or b"")


def test_ciphertext_moved_to_another_column_or_row_fails(session: Session) -> None:
    first, second = _version(session), _version(session)
    first.surname = "Esimerkki"
    first.given_names = "Eetu"
    second.surname = "Virtanen"
    first.given_names_ct = first.surname_ct  # another column, same row
    with pytest.raises(crypto.DecryptionError):
        _ = first.given_names
    second.surname_ct = first.surname_ct  # same column, another row (and another person's key)
    with pytest.raises(crypto.DecryptionError):
        _ = second.surname


def test_a_flipped_byte_fails(session: Session) -> None:
    version = _version(session)
    version.surname = "Esimerkki"
    blob = bytearray(version.surname_ct or b"")
    for position in (0, 2, 5, len(blob) - 1):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        version.surname_ct = bytes(tampered)
        with pytest.raises(crypto.DecryptionError):
            _ = version.surname


def test_unknown_key_versions_fail_cleanly(session: Session) -> None:
    version = _version(session)
    version.surname = "Esimerkki"
    blob = bytearray(version.surname_ct or b"")
    blob[1:3] = (7).to_bytes(2, "big")  # a data key version that does not exist
    version.surname_ct = bytes(blob)
    with pytest.raises(crypto.DecryptionError, match="version"):
        _ = version.surname
    row = session.get(datakeys.DataKey, _owner_row(session, version))
    assert row is not None
    row.kek_version = 99  # wrapped under a KEK the keyring has never had
    datakeys.forget_unwrapped(session)
    version.surname = None
    from core.keyring import KeyringError

    with pytest.raises(KeyringError, match="version 99"):
        version.given_names = "Eetu"


def _owner_row(session: Session, version: PersonVersion):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return session.scalar(
        select(datakeys.DataKey.id).where(datakeys.DataKey.owner == version.data_key_owner)
    )


def test_rows_outside_a_silta_session_yield_no_plaintext(session: Session) -> None:
    version = _version(session)
    version.surname = "Esimerkki"
    session.flush()
    session.expunge(version)
    with pytest.raises(MissingKeyProvider):
        _ = version.surname


def test_a_person_without_a_key_cannot_be_written(session: Session) -> None:
    person = Person(registered_by_agency_id=session.info["agency"])
    session.add(person)
    version = PersonVersion(person_id=person.id, version=1)
    session.add(version)
    with pytest.raises(datakeys.DataKeyMissing):
        version.surname = "Esimerkki"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Järvinen-Ojala", " järvinen  ojala "),
        ("JÄRVINEN OJALA", "Järvinen Ojala"),
        ("ﬁnni", "FINNI"),
    ],
)
def test_name_normalisation(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)
    assert normalise_name("Jarvinen") != normalise_name("Järvinen")
