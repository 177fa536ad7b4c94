"""Case notes: written for the author's agency; a correction supersedes one of its own notes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.holding import hold_open
from cases.casework.models import (
    Case,
    CaseNote,
)
from cases.inputs import InputError, long_field
from cases.policy import (
    Permission,
    authorize,
)
from cases.policy.facts import (
    Category,
    Sensitivity,
)
from cases.policy.loading import case_facts
from cases.records import actor_id, record_about
from cases.text import MAX_NOTE
from core.datakeys import person_owner
from core.db import utcnow


def note_in_case(session: Session, case: Case, note_id: uuid.UUID) -> CaseNote | None:
    """A note of this case (to correct), or None: a note of another case is not found here."""
    note = session.get(CaseNote, note_id)
    return note if note is not None and note.case_id == case.id else None


def write_note(
    session: Session,
    ctx: AuditContext,
    case: Case,
    *,
    category: str,
    sensitivity: str,
    body: str,
    supersedes: CaseNote | None = None,
    written_at: datetime | None = None,
) -> CaseNote:
    """Write a note for the actor's agency; a correction supersedes one of its own notes.

    `written_at` is for recording a note made earlier (and the demo scenario)."""
    facts = case_facts(session, case)
    decision = authorize(ctx.actor, Permission.NOTE_WRITE, facts)
    assert ctx.actor is not None and ctx.actor.agency_id is not None  # noqa: S101 - policy
    if category not in Category.__members__.values():
        raise InputError("invalid_choice", "category")
    if sensitivity not in Sensitivity.__members__.values():
        raise InputError("invalid_choice", "sensitivity")
    if supersedes is not None and (
        supersedes.case_id != case.id or supersedes.author_agency_id != ctx.actor.agency_id
    ):
        raise InputError("not_correctable", "supersedes")
    note = CaseNote(
        person_id=case.person_id,
        case_id=case.id,
        author_user_id=actor_id(ctx),
        author_agency_id=ctx.actor.agency_id,
        category=category,
        sensitivity=sensitivity,
        supersedes_id=supersedes.id if supersedes is not None else None,
        created_at=written_at or utcnow(),
    )
    text = long_field(body, "body", limit=MAX_NOTE)
    hold_open(session, ctx, case, Permission.NOTE_WRITE)
    session.add(note)
    note.body = text
    session.flush()
    record_about(
        session,
        ctx,
        Action.NOTE_WRITTEN,
        case,
        decision.basis,
        object_type="case_note",
        object_id=note.id,
        category=category,
        sensitivity=sensitivity,
        correction=supersedes is not None,
    )
    return note


@dataclass(frozen=True)
class NoteRow:
    """A note as the case page reads it: plain values from a Core select, no ORM identity."""

    id: uuid.UUID
    person_id: uuid.UUID
    author_agency_id: uuid.UUID
    category: str
    sensitivity: str
    created_at: datetime
    body_ct: bytes | None

    def body(self, session: Session) -> str | None:
        """The decrypted body (under the young person's data key), as `CaseNote.body`."""
        if self.body_ct is None:
            return None
        owner = person_owner(self.person_id)
        return CaseNote.body.decrypt(session, CaseNote.__tablename__, self.id, owner, self.body_ct)


# Built once (SQLAlchemy memoises a statement's cache key on the statement object). Plain rows:
# building 50 ORM objects (identity map, instrumented state) cost more than reading them.
_NOTES_OF_CASE = (
    select(
        CaseNote.id,
        CaseNote.person_id,
        CaseNote.author_agency_id,
        CaseNote.category,
        CaseNote.sensitivity,
        CaseNote.created_at,
        CaseNote.body_ct,
        CaseNote.supersedes_id,
    )
    .where(CaseNote.case_id == bindparam("case_id"))
    .order_by(CaseNote.created_at)
)


def current_notes(session: Session, case: Case) -> list[NoteRow]:
    """The case's notes that no correction has superseded, oldest first."""
    rows = session.execute(_NOTES_OF_CASE, {"case_id": case.id}).all()
    superseded = {row[7] for row in rows if row[7] is not None}
    return [NoteRow(*row[:7]) for row in rows if row[0] not in superseded]
