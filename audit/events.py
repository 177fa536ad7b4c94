"""Recording audit events: the one way in (`record`), and the canonical form the chain hashes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from audit.models import AuditEvent, AuditPending
from core.db import utcnow

RECORDED_FLAG = "silta_audit_recorded"
# A detail that puts an event on the auditors' flagged list (`audit.queries.flagged_events`).
FLAGGED = "flagged"
_TOKEN = re.compile(r"^[A-Za-z0-9_.:@/-]{0,80}$")


class Action(StrEnum):
    # Sign-in and the user's own account.
    LOGIN_SUCCEEDED = "auth:login:succeeded"
    LOGIN_FAILED = "auth:login:failed"
    TOTP_FAILED = "auth:totp:failed"
    LOCKOUT = "auth:lockout"
    LOGOUT = "auth:logout"
    LOGOUT_EVERYWHERE = "auth:logout-everywhere"
    REAUTHENTICATED = "auth:reauthenticate:succeeded"
    REAUTHENTICATION_FAILED = "auth:reauthenticate:failed"
    PASSWORD_CHANGED = "account:password:change"  # noqa: S105 - an action name, not a password
    TOTP_ENROLLED = "account:totp:enrol"
    # Credential version, lockout and session ends (issue 9, findings 1, 6 and 11).
    LOGIN_PASSWORD_ACCEPTED = "auth:login:password-accepted"  # noqa: S105 - an action name
    SIGN_IN_VOIDED = "auth:login:voided"
    PASSWORD_CHANGE_FAILED = "account:password:change-failed"  # noqa: S105 - an action name
    SESSION_TIMED_OUT = "auth:session:timeout"
    SESSION_VOIDED = "auth:session:voided"
    # Four-eyes release of a practitioner's credential (issue 9, finding 7); both flagged.
    CREDENTIAL_PENDING = "account:credential:pending"
    CREDENTIAL_RELEASED = "account:credential:release"
    # Administration.
    AGENCY_CREATED = "admin:agency:create"
    AGENCY_ACTIVE_SET = "admin:agency:set-active"
    USER_CREATED = "admin:user:create"
    USER_READ = "admin:user:read"
    USER_ACTIVE_SET = "admin:user:set-active"
    USER_PASSWORD_RESET = "admin:user:reset-password"  # noqa: S105 - an action name
    USER_UNLOCKED = "admin:user:unlock"
    USER_SESSIONS_ENDED = "admin:user:end-sessions"
    # Policy.
    ACCESS_DENIED = "policy:access:denied"
    # The audit log itself.
    AUDIT_LOG_READ = "audit:log:read"
    AUDIT_REPORT_READ = "audit:report:read"
    AUDIT_FLAGS_READ = "audit:flags:read"
    AUDIT_INTEGRITY_READ = "audit:integrity:read"
    AUDIT_EXPORTED = "audit:log:export"
    AUDIT_VERIFIED = "audit:log:verify"
    AUDIT_CHECKPOINTED = "audit:log:checkpoint"
    # Commands.
    DEMO_SEEDED = "cli:demo:seed"
    # Synthetic data for benchmarks (issue 15): the run's parameters, then one event per chunk.
    BENCH_GENERATED = "cli:bench:generate"

    CASE_OPENED = "case:open"
    CASE_READ = "case:read"
    CASE_TEAM_CHANGED = "case:team:change"
    CONSENT_RECORDED = "case:consent:record"
    CONSENT_WITHDRAWN = "case:consent:withdraw"
    CONSENT_BIRTH_DATE_FILLED = "case:consent:birth-date-fill"
    DISCLOSURE_CREATED = "case:disclosure:create"
    EMERGENCY_GRANTED = "case:emergency:grant"
    EMERGENCY_REVIEWED = "case:emergency:review"
    NOTE_WRITTEN = "case:note:write"
    CLOSURE_REQUESTED = "case:closure:request"
    CLOSURE_DECIDED = "case:closure:decide"
    CASE_REOPENED = "case:reopen"
    # Referrals between agencies (issue 11).
    REFERRAL_SENT = "case:referral:send"
    REFERRAL_READ = "case:referral:read"
    REFERRAL_LISTED = "case:referral:list"
    REFERRAL_ACKNOWLEDGED = "case:referral:acknowledge"
    REFERRAL_ACCEPTED = "case:referral:accept"
    REFERRAL_DECLINED = "case:referral:decline"
    REFERRAL_COMPLETED = "case:referral:complete"
    REFERRAL_WITHDRAWN = "case:referral:withdraw"
    REFERRAL_REOPENED = "case:referral:reopen"
    REFERRAL_ASSESSMENT_RECORDED = "case:referral:assessment"
    REFERRAL_ESCALATED = "case:referral:escalate"
    NOTIFICATIONS_MAILED = "cli:notifications:mail"
    USER_EMAIL_SET = "admin:user:set-email"
    # Multi-agency meetings (issue 12). Events about a case's content name its young person.
    MEETING_CREATED = "meeting:create"
    MEETING_UPDATED = "meeting:update"
    MEETING_CANCELLED = "meeting:cancel"
    MEETING_HELD = "meeting:hold"
    MEETING_READ = "meeting:read"
    MEETING_PRINTED = "meeting:print"
    MEETING_CALENDAR = "meeting:calendar"
    MEETING_LISTED = "meeting:list"
    AGENDA_ITEM_ADDED = "meeting:agenda:add"
    ATTENDANCE_RECORDED = "meeting:attendance:record"
    MINUTE_ENTRY_WRITTEN = "meeting:entry:write"
    ACTION_ITEM_ADDED = "meeting:action:add"
    ACTION_ITEM_DONE = "meeting:action:done"
    ACTION_ITEMS_LISTED = "meeting:action:list"
    MINUTES_SUBMITTED = "meeting:minutes:submit"
    MINUTES_APPROVED = "meeting:minutes:approve"
    MINUTES_RETURNED = "meeting:minutes:return"
    ADDENDUM_WRITTEN = "meeting:addendum:write"
    # Statistics (issue 13): views and downloads name the table asked for, never its values.
    STATISTICS_READ = "statistics:read"
    STATISTICS_EXPORTED = "statistics:export"
    STATISTICS_BACKFILLED = "cli:statistics:backfill"
    STATISTICS_PREPARED = "cli:statistics:prepare"
    # Retention (issue 14): holds are flagged to the auditors; the dry run lists, changes nothing.
    HOLD_SET = "case:hold:set"
    HOLD_LIFTED = "case:hold:lift"
    AUDIT_HOLDS_READ = "audit:holds:read"
    RETENTION_DRY_RUN = "cli:retention:dry-run"
    # The sweep's summary (counts only); each erased person has a `person:shred` of their own.
    RETENTION_SWEPT = "cli:retention:sweep"
    # The subject access report's agency part (issue 14, point 4): counts only, never content.
    SUBJECT_ACCESS_PART_PREPARED = "rights:agency-part:prepare"
    SUBJECT_ACCESS_PART_PRODUCED = "rights:agency-part:produce"
    SUBJECT_ACCESS_PART_REFUSED = "rights:agency-part:refuse"
    # Subject access (issue 14, point 4): producing the access-log part names its window and count.
    SUBJECT_ACCESS_LOG_PRODUCED = "rights:access-log:produce"
    # The young person's summary (issue 14, point 5): for whom and in which language, no content.
    SUMMARY_PRODUCED = "case:summary:produce"

    PERSON_CREATED = "person:create"
    PERSON_UPDATED = "person:update"
    PERSON_READ = "person:read"
    PERSON_SEARCHED = "person:search"
    PERSON_SHREDDED = "person:shred"
    AUDIT_PERSON_LOOKUP = "audit:person:lookup"

    KEYS_ROTATED = "cli:keys:rotate"
    KEYS_REWRAPPED = "cli:keys:rewrap"
    KEYS_RETIRED = "cli:keys:retire"
    KEYS_STATUS_READ = "cli:keys:status"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


class Actor(Protocol):
    """Who acts: a signed-in user or an operator's command (the policy decides on these too)."""

    @property
    def id(self) -> uuid.UUID | None: ...

    @property
    def role(self) -> str: ...

    @property
    def agency_id(self) -> uuid.UUID | None: ...

    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and where the request came from; built by `app/` or by a command."""

    actor: Actor | None
    request_id: str | None = None
    client_address: str | None = None

    @property
    def label(self) -> str:
        if self.actor is None:
            return "anonymous"
        explicit = getattr(self.actor, "label", None)
        if isinstance(explicit, str):
            return explicit
        return f"user:{getattr(self.actor, 'username', self.actor.id)}"


class AuditDetailError(ValueError):
    """A detail value could carry personal data; only counts, flags and names are allowed."""


def _clean_detail(key: str, value: Any) -> Any:
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean_detail(key, item) for item in sorted(value, key=str)]
    raise AuditDetailError(f"audit detail {key!r} must be a count, a flag or a field name")


_INSERT_EVENT = insert(cast(Table, AuditEvent.__table__))
_INSERT_PENDING = insert(cast(Table, AuditPending.__table__))


def record(
    session: Session,
    ctx: AuditContext,
    action: Action,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    subject: uuid.UUID | None = None,
    outcome: Outcome = Outcome.ALLOWED,
    bases: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    **details: Any,
) -> uuid.UUID:
    """Insert an audit event in the caller's transaction (returns its id); it is chained after
    commit.

    `details` (and `extra`, for a prepared mapping) hold counts, flags and field names only.
    """
    event = new_event(
        ctx,
        action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        outcome=outcome,
        bases=bases,
        extra=extra,
        **details,
    )
    record_events(session, [event])
    return cast(uuid.UUID, event["id"])


def new_event(
    ctx: AuditContext,
    action: Action,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    subject: uuid.UUID | None = None,
    outcome: Outcome = Outcome.ALLOWED,
    bases: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The row of an audit event not yet inserted (`record_events` inserts many together)."""
    details = {**(extra or {}), **details}
    actor = ctx.actor
    is_user = actor is not None and getattr(actor, "label", None) is None
    return {
        "id": uuid.uuid4(),
        "occurred_at": utcnow(),
        "actor_user_id": actor.id if (actor is not None and is_user) else None,
        "actor_agency_id": actor.agency_id if actor is not None else None,
        "actor_role": actor.role if (actor is not None and is_user) else None,
        "actor_label": ctx.label,
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "subject_id": subject,
        "bases": sorted({str(b) for b in bases}),
        "outcome": str(outcome),
        "request_id": ctx.request_id,
        "client_address": ctx.client_address,
        "details": {key: _clean_detail(key, value) for key, value in sorted(details.items())},
    }


def record_events(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Insert events in the caller's transaction, so a listing's reads are one statement per
    table however many rows it shows; they are chained after commit.

    What the events record is flushed first; then the events go in as plain inserts (the unit
    of work's bookkeeping cost more than the inserts themselves). A failed insert raises here,
    so the caller's request fails with it."""
    if not events:
        return
    session.flush()
    session.execute(_INSERT_EVENT, list(events))
    pending = [{"event_id": e["id"], "occurred_at": e["occurred_at"]} for e in events]
    session.execute(_INSERT_PENDING, pending)
    session.info[RECORDED_FLAG] = True


def _iso(moment: datetime) -> str:
    # Always with microseconds, so the text of a time never depends on its value.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def event_document(event: AuditEvent, seq: int) -> dict[str, Any]:
    """The exact content the chain and the Merkle tree commit to for event number `seq`.

    Verification calls this once per event of the whole log, so it is kept lean.
    """
    user, agency, subject = event.actor_user_id, event.actor_agency_id, event.subject_id
    return {
        "v": 1,
        "seq": seq,
        "id": str(event.id),
        "time": _iso(event.occurred_at),
        "actor": {
            "user": None if user is None else str(user),
            "agency": None if agency is None else str(agency),
            "role": event.actor_role,
            "label": event.actor_label,
        },
        "action": event.action,
        "object": {"type": event.object_type, "id": event.object_id},
        "subject": None if subject is None else str(subject),
        "bases": event.bases,
        "outcome": event.outcome,
        "request": event.request_id,
        "client": event.client_address,
        "details": event.details,
    }
