"""Data keys (DEKs): random per-owner keys stored only wrapped under a key-encryption key."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import LargeBinary, String, Table, bindparam, func, select, update
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
    # None once shredded: the row stays as the record that a key existed and when it went.
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DataKeyShredded(crypto.DecryptionError):
    """The owner's data key was destroyed: everything encrypted under it is gone for good."""


class DataKeyMissing(crypto.DecryptionError):
    """The owner has no data key at all."""


def person_owner(person_id: uuid.UUID) -> str:
    """The data-key owner name of one young person."""
    return f"person:{person_id}"


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
    if row.wrapped is None:
        raise DataKeyShredded(f"the data key of {owner.split(':')[0]} was destroyed")
    plain = crypto.unwrap_key(keys.kek(row.kek_version), row.wrapped, owner)
    cache[owner] = (row.version, plain)
    return cache[owner]


# Built once (SQLAlchemy memoises a statement's cache key on the statement object).
# Core rows: a listing unwraps many keys, and DataKey objects would cost more than the AES.
_KEYS_OF = select(DataKey.owner, DataKey.version, DataKey.kek_version, DataKey.wrapped).where(
    DataKey.owner.in_(bindparam("owners", expanding=True))
)


def preload_data_keys(session: Session, keys: KeyProvider, owners: Iterable[str]) -> None:
    """Unwrap the live keys of many owners with one statement (listings); a destroyed or
    missing key is left for `load_data_key` to report when it is asked for."""
    cache = _cache(session)
    wanted = [owner for owner in set(owners) if owner not in cache]
    if not wanted:
        return
    for row in session.execute(_KEYS_OF, {"owners": wanted}):
        if row.wrapped is not None:
            plain = crypto.unwrap_key(keys.kek(row.kek_version), row.wrapped, row.owner)
            cache[row.owner] = (row.version, plain)


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


def require_data_key(session: Session, keys: KeyProvider, owner: str) -> tuple[int, bytes]:
    """Like load_data_key, but a missing key is an error (the system key is made on demand)."""
    if owner == SYSTEM_OWNER:
        return system_data_key(session, keys)
    found = load_data_key(session, keys, owner)
    if found is None:
        raise DataKeyMissing("no data key for this owner")
    return found


def shred(session: Session, owner: str) -> bool:
    """Destroy an owner's data key; return False if it was already gone.

    Every ciphertext made under it becomes noise. Backups keep the old wrapped key only as
    long as the backups themselves live, and still need a KEK from the keyring to open it.
    """
    row = session.scalar(select(DataKey).where(DataKey.owner == owner).with_for_update())
    _cache(session).pop(owner, None)
    if row is None or row.wrapped is None:
        return False
    row.wrapped = None
    row.shredded_at = utcnow()
    session.flush()
    return True


def forget_unwrapped(session: Session) -> None:
    """Drop the session's cache of unwrapped keys (after a rewrap, or to prove a read path)."""
    _cache(session).clear()


def rewrap_batch(
    session: Session, keys: KeyProvider, batch_size: int, after: uuid.UUID | None = None
) -> tuple[int, set[int], uuid.UUID | None]:
    """Re-wrap up to `batch_size` live data keys not yet under the current KEK.

    Returns (count, KEK versions they came from, the last id done: pass it as `after` to the
    next call, so each batch seeks instead of re-sorting the whole table). Each call is its own
    unit of work, so an interrupted `keys rewrap` resumes where it stopped; concurrent runs skip
    each other's rows.
    """
    current = keys.current_kek_version
    # Core statements rather than ORM objects: the job touches every key once, and the unit of
    # work's bookkeeping would cost more than the cryptography.
    query = select(DataKey.id, DataKey.owner, DataKey.kek_version, DataKey.wrapped).where(
        DataKey.kek_version != current, DataKey.wrapped.is_not(None)
    )
    if after is not None:
        query = query.where(DataKey.id > after)
    rows = session.execute(
        query.order_by(DataKey.id).limit(batch_size).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0, set(), None
    current_kek = keys.kek(current)
    keks = {version: keys.kek(version) for version in {row.kek_version for row in rows}}
    changes = [
        {
            "key_id": row.id,
            "new_wrapped": crypto.wrap_key(
                current_kek,
                current,
                crypto.unwrap_key(keks[row.kek_version], row.wrapped, row.owner),
                row.owner,
            ),
        }
        for row in rows
    ]
    table = cast(Table, DataKey.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("key_id"))
        .values(wrapped=bindparam("new_wrapped"), kek_version=current),
        changes,
        execution_options={"synchronize_session": False},
    )
    session.expire_all()  # loaded DataKey objects now hold the old wrapping
    return len(rows), set(keks), rows[-1].id


def count_by_kek_version(session: Session) -> dict[int, int]:
    """Live (not shredded) data keys per KEK version."""
    rows = session.execute(
        select(DataKey.kek_version, func.count())
        .where(DataKey.wrapped.is_not(None))
        .group_by(DataKey.kek_version)
    ).all()
    return {int(version): int(count) for version, count in rows}


def count_shredded(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).select_from(DataKey).where(DataKey.wrapped.is_(None)))
        or 0
    )


def count_needing_rewrap(session: Session, keys: KeyProvider) -> int:
    current = keys.current_kek_version
    return sum(n for version, n in count_by_kek_version(session).items() if version != current)
