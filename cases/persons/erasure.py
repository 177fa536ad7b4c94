"""Erasure: crypto-shredding a person's data key (the retention job and operators)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.inputs import InputError as InputError
from cases.persons.details import EARLIEST_BIRTH_DATE as EARLIEST_BIRTH_DATE
from cases.persons.details import Guardian as Guardian
from cases.persons.details import PersonDetails as PersonDetails
from cases.persons.models import (
    Person,
)
from cases.persons.search import _reindex
from cases.policy import Permission, authorize
from cases.records import record_about
from core import datakeys
from core.db import utcnow


def shred(session: Session, ctx: AuditContext, person: Person, reason: str) -> bool:
    """Crypto-shred a person: destroy their data key and blind-index entries.

    The rows stay (ids, dates, the registering agency) so that cases and the audit log keep
    their references; every encrypted field becomes unreadable. Returns False if already done.
    `reason` is a policy token (e.g. a retention rule), never free text; the person keeps it as
    the rule of their erasure.
    """
    authorize(ctx.actor, Permission.PERSON_SHRED, person)
    destroyed = datakeys.shred(session, person.data_key_owner)
    already = person.erased_at is not None
    _reindex(session, person, None)
    if not already:
        person.erased_at = utcnow()
        person.erasure_rule = reason
    session.flush()
    record_about(
        session,
        ctx,
        Action.PERSON_SHREDDED,
        person,
        reason=reason,
        key_destroyed=destroyed,
    )
    return not already or destroyed
