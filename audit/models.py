"""Audit tables in their own metadata, with no foreign keys to the domain.

`audit_events` and `audit_chain` are append-only (database triggers refuse UPDATE and DELETE,
and TRUNCATE on PostgreSQL). `audit_pending` is the sequencer's work queue and `audit_head` its
derived state; `audit verify` recomputes both from the events, so they are not trusted.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db import NAMING_CONVENTION, UTCDateTime

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AuditEvent(AuditBase):
    """One read, change, denial or command, as it happened."""

    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_agency_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    bases: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(8))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditChain(AuditBase):
    """The event at position `seq` and the running hash over every event up to it."""

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    sequenced_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditPending(AuditBase):
    """Committed events that the sequencer has not chained yet."""

    __tablename__ = "audit_pending"

    # The sequencer takes the oldest first; this index lets a large backlog be read in order.
    __table_args__ = (Index("ix_audit_pending_order", "occurred_at", "event_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditHead(AuditBase):
    """The chain's head: size, last hash and the Merkle frontier (one row, id 1)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[list[str]] = mapped_column(JSON)
