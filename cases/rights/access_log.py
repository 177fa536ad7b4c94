"""The access-log part of a subject access report (issue 14, point 4; GDPR Art. 15, Act 703/2023
§11): for one person, every audit event about them in a window — who processed their data, in
which agency, when, what and on what basis. An auditor produces it and sees no content: the
part is made of the log's metadata and the names of users and agencies, and nothing here
decrypts anything. Producing it is audited in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import queries
from audit.events import Action, AuditContext, record
from audit.models import AuditEvent
from cases.accounts.models import Agency, User
from cases.casework.models import Disclosure
from cases.inputs import InputError
from cases.log_requests import OlderReason
from cases.persons.models import Person
from cases.policy import Permission, authorize
from cases.rights.access_log_window import window
from core.db import utcnow

# The bases an event names as "<kind>:<record id>"; any other basis is a policy reason
# (own_agency, case_team, registering_agency, receiving_agency, lead_supervisor, …).
RECORD_BASES = ("consent", "disclosure", "emergency")
FORMATS = ("html", "json")


@dataclass(frozen=True)
class AccessLogRequest:
    person_id: uuid.UUID
    date_from: date | None = None
    date_to: date | None = None
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Basis:
    """One basis of an event: a consent, a disclosure (with its legal basis), an emergency
    access, or the policy's reason (the reader's own agency, the case team, …)."""

    kind: str
    record_id: str | None = None
    legal_basis: str | None = None  # a disclosure's code in `cases.policy.legal_bases`


@dataclass(frozen=True)
class Processing:
    """One audit event about the person, as the part shows it."""

    event_id: uuid.UUID
    occurred_at: datetime
    action: str
    outcome: str
    object_type: str | None
    object_id: str | None
    actor_label: str  # "user:…" for a user, "cli:…" for a command
    user_id: uuid.UUID | None
    user_name: str | None
    role: str | None  # the role at the time of the event
    agency_id: uuid.UUID | None
    agency_code: str | None
    agency_name: str | None
    bases: tuple[Basis, ...]


@dataclass(frozen=True)
class AccessLogPart:
    person_id: uuid.UUID
    person_erased_at: datetime | None
    first_day: date
    last_day: date
    older_than_two_years: bool
    reason: OlderReason | None
    reference: str | None
    produced_at: datetime
    produced_by: str
    entries: tuple[Processing, ...]


def produce_access_log(
    session: Session,
    ctx: AuditContext,
    request: AccessLogRequest,
    fmt: str,
    now: datetime | None = None,
) -> AccessLogPart:
    """The part for one person; `InputError` for a bad window or an unknown person (nothing
    recorded then). The caller commits."""
    authorize(ctx.actor, Permission.SUBJECT_ACCESS_LOG_PRODUCE)
    if fmt not in FORMATS:
        raise InputError("unknown_format", "format")
    now = now or utcnow()
    span = window(now, request.date_from, request.date_to, request.reason, request.reference)
    person = session.get(Person, request.person_id)
    if person is None:
        raise InputError("unknown_person", "person")
    events = queries.events_about(session, person.id, span.since, span.until)
    entries = _entries(session, events)
    details: dict[str, object] = {
        "first_day": span.first_day.isoformat(),
        "last_day": span.last_day.isoformat(),
        "events": len(entries),
        "older_than_two_years": span.older_than_two_years,
        "format": fmt,
    }
    if span.reason is not None:
        details["reason"] = str(span.reason)
    if span.reference is not None:
        details["reference"] = span.reference
    record(
        session,
        ctx,
        Action.SUBJECT_ACCESS_LOG_PRODUCED,
        object_type="person",
        object_id=person.id,
        subject=person.id,
        extra=details,
    )
    return AccessLogPart(
        person_id=person.id,
        person_erased_at=person.erased_at,
        first_day=span.first_day,
        last_day=span.last_day,
        older_than_two_years=span.older_than_two_years,
        reason=span.reason,
        reference=span.reference,
        produced_at=now,
        produced_by=ctx.label,
        entries=entries,
    )


def _parse_basis(text: str) -> tuple[str, str | None]:
    kind, sep, record_id = text.partition(":")
    if sep and kind in RECORD_BASES:
        return kind, record_id
    return text, None


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


def _user_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(User.id, User.display_name).where(User.id.in_(ids))
    return {row.id: row.display_name for row in session.execute(query)}


def _agencies(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Code and name of each agency."""
    if not ids:
        return {}
    query = select(Agency.id, Agency.code, Agency.name).where(Agency.id.in_(ids))
    return {row.id: (row.code, row.name) for row in session.execute(query)}


def _legal_bases(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(Disclosure.id, Disclosure.basis).where(Disclosure.id.in_(ids))
    return {row.id: row.basis for row in session.execute(query)}


def _legal_basis(kind: str, record_id: str | None, legal: dict[uuid.UUID, str]) -> str | None:
    found = _uuid(record_id) if kind == "disclosure" else None
    return legal.get(found) if found is not None else None


def _entries(session: Session, events: list[AuditEvent]) -> tuple[Processing, ...]:
    """The events with their users, agencies and legal bases: one statement each, however
    many events the part has."""
    parsed = {event.id: [_parse_basis(b) for b in event.bases] for event in events}
    disclosure_ids = {
        found
        for bases in parsed.values()
        for kind, record_id in bases
        if kind == "disclosure" and (found := _uuid(record_id)) is not None
    }
    users = _user_names(session, {e.actor_user_id for e in events if e.actor_user_id is not None})
    agencies = _agencies(
        session, {e.actor_agency_id for e in events if e.actor_agency_id is not None}
    )
    legal = _legal_bases(session, disclosure_ids)
    entries = []
    for event in events:
        user_name = users.get(event.actor_user_id) if event.actor_user_id else None
        agency = agencies.get(event.actor_agency_id) if event.actor_agency_id else None
        bases = tuple(
            Basis(kind, record_id, _legal_basis(kind, record_id, legal))
            for kind, record_id in parsed[event.id]
        )
        entries.append(
            Processing(
                event_id=event.id,
                occurred_at=event.occurred_at,
                action=event.action,
                outcome=event.outcome,
                object_type=event.object_type,
                object_id=event.object_id,
                actor_label=event.actor_label,
                user_id=event.actor_user_id,
                user_name=user_name,
                role=event.actor_role,
                agency_id=event.actor_agency_id,
                agency_code=agency[0] if agency is not None else None,
                agency_name=agency[1] if agency is not None else None,
                bases=bases,
            )
        )
    return tuple(entries)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def document(part: AccessLogPart) -> dict[str, Any]:
    """The part as the JSON file holds it: codes and identifiers, no content."""
    return {
        "format": 1,
        "part": "access_log",
        "person_id": str(part.person_id),
        "person_erased_at": _iso(part.person_erased_at) if part.person_erased_at else None,
        "window": {
            "first_day": part.first_day.isoformat(),
            "last_day": part.last_day.isoformat(),
            "older_than_two_years": part.older_than_two_years,
            "reason": str(part.reason) if part.reason is not None else None,
            "reference": part.reference,
        },
        "produced_at": _iso(part.produced_at),
        "produced_by": part.produced_by,
        "events": [
            {
                "id": str(entry.event_id),
                "time": _iso(entry.occurred_at),
                "action": entry.action,
                "outcome": entry.outcome,
                "object": {"type": entry.object_type, "id": entry.object_id},
                "actor": entry.actor_label,
                "user": None
                if entry.user_id is None
                else {"id": str(entry.user_id), "name": entry.user_name, "role": entry.role},
                "agency": None
                if entry.agency_id is None
                else {
                    "id": str(entry.agency_id),
                    "code": entry.agency_code,
                    "name": entry.agency_name,
                },
                "bases": [
                    {"kind": b.kind, "record_id": b.record_id, "legal_basis": b.legal_basis}
                    for b in entry.bases
                ],
            }
            for entry in part.entries
        ],
    }
