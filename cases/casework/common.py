"""What every case-work service shares: its input error, text rules and audit recording."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.casework.models import Case
from cases.text import MAX_NOTE, MAX_TEXT, TextProblem, clean_long

__all__ = ["MAX_NOTE", "MAX_TEXT", "CaseInputError", "actor_id", "long_text", "record_case"]


class CaseInputError(ValueError):
    """Bad input or a refused step, named by a code and a field (never quoting the input)."""

    def __init__(self, code: str, field_name: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field_name


def actor_id(ctx: AuditContext) -> uuid.UUID | None:
    return ctx.actor.id if ctx.actor is not None else None


def long_text(
    value: str | None, field_name: str, limit: int = MAX_TEXT, required: bool = True
) -> str:
    """Free text under `cases.text`'s shared rules (no control characters but newline and tab)."""
    try:
        return clean_long(value, limit=limit, required=required)
    except TextProblem as problem:
        raise CaseInputError(problem.code, field_name) from None


def record_case(
    session: Session,
    ctx: AuditContext,
    action: Action,
    case: Case,
    bases: Iterable[str] = (),
    object_type: str = "case",
    object_id: object = None,
    **details: object,
) -> None:
    """An audit event about a case, with the young person as its subject."""
    record(
        session,
        ctx,
        action,
        object_type=object_type,
        object_id=object_id if object_id is not None else case.id,
        subject=case.person_id,
        bases=bases,
        extra=details,
    )
