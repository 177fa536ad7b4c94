"""A chunk's rows, table by table: fields sealed as the models' encrypted columns seal them,
audit events shaped by `audit.events.new_event` but dated when their action happened."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table

from audit.events import Action, AuditContext, Outcome, new_event
from audit.models import AuditEvent, AuditPending
from cases.casework.models import (
    Case,
    CaseNote,
    ClosureRequest,
    Consent,
    Disclosure,
    TeamAgency,
    TeamUser,
)
from cases.generate.plan import new_id
from cases.generate.population import Member
from cases.meetings.models import (
    ActionItem,
    AgendaItem,
    InvitedAgency,
    InvitedUser,
    Meeting,
    MinuteEntry,
)
from cases.persons.models import Person, PersonIndexEntry, PersonVersion
from cases.referrals.models import Referral, ReferralEvent
from cases.statistics.models import StatisticsFact
from core import crypto
from core.datakeys import DataKey, person_owner
from core.fields import Encrypted
from core.keyring import KeyProvider

T = TypeVar("T")
REQUEST_ID = "bench-generate"


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


# In the order a chunk inserts them (each table's foreign keys point to earlier ones).
TABLES: tuple[Table, ...] = tuple(
    _table(model)
    for model in (
        Person,
        DataKey,
        PersonVersion,
        PersonIndexEntry,
        Case,
        TeamAgency,
        TeamUser,
        Consent,
        Disclosure,
        CaseNote,
        ClosureRequest,
        Referral,
        ReferralEvent,
        Meeting,
        InvitedAgency,
        InvitedUser,
        AgendaItem,
        MinuteEntry,
        ActionItem,
        StatisticsFact,
        AuditEvent,
        AuditPending,
    )
)


@dataclass(frozen=True)
class PersonKey:
    """One young person's data key, made and wrapped as `datakeys.create_data_key` does."""

    person_id: uuid.UUID
    secret: bytes
    version: int = 1

    @property
    def owner(self) -> str:
        return person_owner(self.person_id)

    def seal(self, column: Encrypted[T], table: str, row_id: uuid.UUID, value: T) -> bytes:
        """What assigning `value` to the encrypted attribute of that row would store."""
        ad = crypto.field_ad(table, column.column, row_id)
        return crypto.encrypt(self.secret, self.version, column.codec.encode(value), ad)

    def data_key_row(self, keys: KeyProvider, row_id: uuid.UUID, at: datetime) -> dict[str, Any]:
        kek_version = keys.current_kek_version
        return {
            "id": row_id,
            "owner": self.owner,
            "version": self.version,
            "kek_version": kek_version,
            "wrapped": crypto.wrap_key(keys.kek(kek_version), kek_version, self.secret, self.owner),
            "created_at": at,
        }


@dataclass
class Chunk:
    """The rows of one chunk, to be inserted in one transaction."""

    rng: random.Random
    keys: KeyProvider
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def new_id(self) -> uuid.UUID:
        return new_id(self.rng)

    def add(self, model: type[Any], **row: Any) -> uuid.UUID:
        """Add a row (its id drawn from the chunk's generator unless given); return the id."""
        table = _table(model)
        if "id" in table.c and "id" not in row:
            row["id"] = self.new_id()
        self.rows[table.name].append(row)
        return cast(uuid.UUID, row.get("id"))

    def event(
        self,
        actor: Member | AuditContext,
        action: Action,
        at: datetime,
        *,
        object_type: str | None = None,
        object_id: object = None,
        subject: uuid.UUID | None = None,
        bases: tuple[str, ...] = (),
        **details: Any,
    ) -> None:
        """An audit event as `audit.record` makes it, dated `at`, queued for the sequencer."""
        ctx = actor if isinstance(actor, AuditContext) else AuditContext(actor, REQUEST_ID)
        row = new_event(
            ctx,
            action,
            object_type=object_type,
            object_id=object_id,
            subject=subject,
            outcome=Outcome.ALLOWED,
            bases=bases,
            extra=details,
        )
        row["id"], row["occurred_at"] = self.new_id(), at
        self.rows[_table(AuditEvent).name].append(row)
        self.rows[_table(AuditPending).name].append({"event_id": row["id"], "occurred_at": at})

    def count(self, model: type[Any]) -> int:
        return len(self.rows.get(_table(model).name, ()))
