"""Encrypted columns and blind indexes, declared on a model and read like plain attributes.

A model declares the stored ciphertext as a `LargeBinary` mapped column and an `Encrypted`
accessor over it::

    surname_ct: Mapped[bytes | None] = mapped_column("surname", LargeBinary)
    surname = Encrypted[str]("surname_ct", "surname", TEXT)

Reading `row.surname` decrypts under the data key of `row.data_key_owner`; the session must
carry a key provider (`session.info[KEYS_INFO]`, set by the application's session factory), so a
row loaded by anything else (a database console, a dump) yields ciphertext only. The associated
data binds each ciphertext to its table, column and row id; the row id is assigned before the
first value is encrypted and never changes.
"""

from __future__ import annotations

import hmac
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from typing import Any, Generic, Protocol, TypeVar, overload

from sqlalchemy.orm import Session, object_session

from core import crypto, datakeys
from core.keyring import KeyProvider

KEYS_INFO = "silta_key_provider"

T = TypeVar("T")


class EncryptedRow(Protocol):
    """What a model with encrypted columns provides."""

    __tablename__: str

    @property
    def id(self) -> Any: ...

    @property
    def data_key_owner(self) -> str: ...


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a value becomes bytes to encrypt, and back."""

    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


TEXT: Codec[str] = Codec(lambda value: value.encode("utf-8"), lambda raw: raw.decode("utf-8"))
DATE: Codec[date] = Codec(
    lambda value: value.isoformat().encode("ascii"), lambda raw: date.fromisoformat(raw.decode())
)
FLAG: Codec[bool] = Codec(lambda value: b"1" if value else b"0", lambda raw: raw == b"1")
JSON: Codec[Any] = Codec(
    lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"),
    lambda raw: json.loads(raw.decode("utf-8")),
)


class MissingKeyProvider(RuntimeError):
    """An encrypted attribute was used on a row outside a Silta session."""


def key_provider(session: Session) -> KeyProvider:
    provider = session.info.get(KEYS_INFO)
    if provider is None:
        raise MissingKeyProvider("this session carries no key provider")
    return provider() if callable(provider) else provider  # type: ignore[no-any-return]


def _session_of(row: object) -> Session:
    session = object_session(row)
    if session is None:
        raise MissingKeyProvider("encrypted attributes need a row that belongs to a session")
    return session


class Encrypted(Generic[T]):
    """An accessor that encrypts on assignment and decrypts on read (None stays None)."""

    def __init__(self, attribute: str, column: str, codec: Codec[T]) -> None:
        self.attribute = attribute
        self.column = column
        self.codec = codec

    @overload
    def __get__(self, row: None, owner: type) -> Encrypted[T]: ...

    @overload
    def __get__(self, row: EncryptedRow, owner: type) -> T | None: ...

    def __get__(self, row: EncryptedRow | None, owner: type) -> Encrypted[T] | T | None:
        if row is None:
            return self
        blob = getattr(row, self.attribute)
        if blob is None:
            return None
        return self.decrypt(_session_of(row), row.__tablename__, row.id, row.data_key_owner, blob)

    def decrypt(self, session: Session, table: str, row_id: Any, owner: str, blob: bytes) -> T:
        """The value of this field of a row read without the ORM (a Core select of the
        ciphertext column, the row id and the owner): what reading the attribute returns."""
        version, key = datakeys.require_data_key(session, key_provider(session), owner)
        if crypto.key_version_of(blob) != version:
            raise crypto.DecryptionError("ciphertext names a data key version that does not exist")
        return self.codec.decode(
            crypto.decrypt(key, blob, crypto.field_ad(table, self.column, row_id))
        )

    def __set__(self, row: EncryptedRow, value: T | None) -> None:
        if value is None:
            setattr(row, self.attribute, None)
            return
        if row.id is None:
            raise ValueError("assign the row id before encrypting its fields")
        session = _session_of(row)
        version, key = datakeys.require_data_key(session, key_provider(session), row.data_key_owner)
        ad = crypto.field_ad(row.__tablename__, self.column, row.id)
        setattr(row, self.attribute, crypto.encrypt(key, version, self.codec.encode(value), ad))


@dataclass(frozen=True)
class BlindIndex:
    """A keyed, truncated HMAC-SHA256 of a normalised value, for exact-match look-ups.

    Each index has its own subkey (HKDF from the keyring's `index_root`, info = the index
    name), so equal inputs to two indexes never produce related values.
    """

    name: str
    bits: int

    def value(self, keys: KeyProvider, normalised: str) -> int:
        subkey = crypto.subkey(keys.index_root, f"blind-index/{self.name}")
        digest = hmac.new(subkey, normalised.encode("utf-8"), sha256).digest()
        return int.from_bytes(digest[:4], "big") >> (32 - self.bits)


def normalise_name(value: str) -> str:
    """Compatibility-normalised, case-folded, with runs of spaces and hyphens made one space.

    "Järvinen-Ojala", " järvinen  ojala " and "JÄRVINEN OJALA" index alike; letters keep their
    marks (ä and a are different letters in Finnish).
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(folded.replace("-", " ").split())
