"""Data keys (DEKs): random per-owner keys stored only wrapped under a key-encryption key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import crypto
from core.db import Base, UTCDateTime, new_uuid, utcnow
from core.keyring import KeyProvider

SYSTEM_OWNER = "system"
_CACHE_KEY = "silta_unwrapped_data_keys"


class DataKey(Base):
    """One owner's data key, wrapped under the KEK version it names."""

    __tablename__ = "data_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    owner: Mapped[str] = mapped_column(String(80), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    kek_version: Mapped[int] = mapped_column(index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _cache(session: Session) -> dict[str, tuple[int, bytes]]:
    # Unwrapped keys live only as long as the session (one request or command).
    cache: dict[str, tuple[int, bytes]] = session.info.setdefault(_CACHE_KEY, {})
    return cache


def create_data_key(session: Session, keys: KeyProvider, owner: str) -> tuple[int, bytes]:
    """Create and store a new wrapped data key for `owner`."""
    plain = crypto.new_data_key()
    kek_version = keys.current_kek_version
    row = DataKey(
        owner=owner,
        kek_version=kek_version,
        wrapped=crypto.wrap_key(keys.kek(kek_version), kek_version, plain, owner),
    )
    session.add(row)
    session.flush()
    _cache(session)[owner] = (row.version, plain)
    return row.version, plain


def load_data_key(session: Session, keys: KeyProvider, owner: str) -> tuple[int, bytes] | None:
    """Return (version, key) for `owner`, or None if the owner has no key."""
    cache = _cache(session)
    if owner in cache:
        return cache[owner]
    row = session.scalar(select(DataKey).where(DataKey.owner == owner))
    if row is None:
        return None
    plain = crypto.unwrap_key(keys.kek(row.kek_version), row.wrapped, owner)
    cache[owner] = (row.version, plain)
    return cache[owner]


def system_data_key(session: Session, keys: KeyProvider) -> tuple[int, bytes]:
    """Return the system data key, creating it on first use."""
    found = load_data_key(session, keys, SYSTEM_OWNER)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            return create_data_key(session, keys, SYSTEM_OWNER)
    except IntegrityError:
        # Another process created it between our read and our insert.
        _cache(session).pop(SYSTEM_OWNER, None)
        found = load_data_key(session, keys, SYSTEM_OWNER)
        assert found is not None  # noqa: S101 - the unique violation proves the row exists
        return found


def encrypt_system_field(
    session: Session, keys: KeyProvider, table: str, column: str, row_id: uuid.UUID, value: str
) -> bytes:
    """Encrypt a non-person secret under the system data key, bound to its row and column."""
    version, key = system_data_key(session, keys)
    return crypto.encrypt(
        key, version, value.encode("utf-8"), crypto.field_ad(table, column, row_id)
    )


def decrypt_system_field(
    session: Session, keys: KeyProvider, table: str, column: str, row_id: uuid.UUID, blob: bytes
) -> str:
    """Decrypt a value written by encrypt_system_field."""
    _version, key = system_data_key(session, keys)
    return crypto.decrypt(key, blob, crypto.field_ad(table, column, row_id)).decode("utf-8")
