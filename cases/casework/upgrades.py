"""Data upgrades a schema migration cannot do, because they need the keyring.

Revision 0007 gave every consent the birth date it was judged on when it was recorded, so that a
later edit of the birth date can only narrow it (issue 9). Consents recorded before 0007 have no
such date, and a migration cannot decrypt a person's versions to fill it in. `flask db upgrade`
runs this after the migrations, with the keys: each such consent gets the birth date of the
person's version that was current when the consent was recorded. It is idempotent.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext
from cases.casework.models import Consent
from cases.persons.models import Person, PersonVersion
from cases.records import record_about


def backfill_consent_birth_dates(session: Session, ctx: AuditContext) -> int:
    """Fill in the missing recorded birth date of every consent of a person not erased; return
    how many consents were filled in. Each is an audited write about the young person."""
    pending = session.execute(
        select(Consent, Person)
        .join(Person, Person.id == Consent.person_id)
        .where(Consent.birth_date_when_given_ct.is_(None), Person.erased_at.is_(None))
        .order_by(Consent.person_id, Consent.recorded_at)
    ).all()
    filled = 0
    for consent, person in pending:
        version = _version_at(session, consent)
        born = version.birth_date if version is not None else None
        if born is None:
            continue
        consent.birth_date_when_given = born
        record_about(
            session,
            ctx,
            Action.CONSENT_BIRTH_DATE_FILLED,
            person,
            object_type="consent",
            object_id=consent.id,
            from_version=version.version if version is not None else None,
        )
        filled += 1
    session.flush()
    return filled


def _version_at(session: Session, consent: Consent) -> PersonVersion | None:
    """The person's version current when the consent was recorded (the first one, if the
    consent is older than every version, as a record imported with its history may be)."""
    versions = select(PersonVersion).where(PersonVersion.person_id == consent.person_id)
    current = session.scalar(
        versions.where(PersonVersion.created_at <= consent.recorded_at)
        .order_by(PersonVersion.version.desc())
        .limit(1)
    )
    return current or session.scalar(versions.order_by(PersonVersion.version).limit(1))
