"""Re-cleaning the names stored before issue 9's name rules, which needs the keyring.

Names typed before `cases.text.clean_name` may hold zero-width, bidi or blank characters or be
decomposed, so they neither look like nor are indexed as the same name typed cleanly, and
escape the duplicate warning. Each such person gets a new version with the cleaned details
(the old version is kept, as every correction is) and a rebuilt blind index. Details that no
longer pass today's checks at all are left for a person to correct, and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.inputs import InputError
from cases.persons.details import check_details
from cases.persons.models import Person
from cases.persons.search import _reindex
from cases.persons.versions import _changed_fields, _write_version, current_details
from cases.records import actor_id, record_about


@dataclass(frozen=True)
class Recleaned:
    corrected: int
    left_for_review: int


def reclean_names(session: Session, ctx: AuditContext) -> Recleaned:
    """Write a cleaned version for every person whose stored details change under today's
    rules; audited per person like any edit."""
    corrected = left = 0
    for person in session.scalars(select(Person).where(Person.erased_at.is_(None))):
        details = current_details(session, person)
        if details is None:
            continue
        try:
            cleaned = check_details(details)
        except InputError:
            left += 1
            continue
        changed = _changed_fields(details, cleaned)
        if not changed:
            continue
        version = _write_version(
            session, person, person.current_version + 1, cleaned, actor_id(ctx)
        )
        _reindex(session, person, cleaned)
        session.flush()
        record_about(
            session,
            ctx,
            Action.PERSON_UPDATED,
            person,
            version=version.version,
            fields=list(changed),
            reason="names_recleaned",
        )
        corrected += 1
    return Recleaned(corrected, left)
