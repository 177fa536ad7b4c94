"""The retention sweep, for operators (issue 14, point 3).

The dry run lists who is due under which rule and who waits and why, and changes nothing but
the log. The sweep lists the same, then erases each person due in a transaction of their own:
it locks the person and their cases, asks again whether they are due on what is committed now
(a hold set or a case opened since the listing keeps them), crypto-shreds them under the rule,
and commits. An interrupted sweep leaves every person it finished erased and committed; a
re-run erases the rest and nobody twice (an erased person is never due again)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from audit.events import Action, AuditContext, record
from cases.casework.models import Case
from cases.persons.erasure import shred
from cases.persons.models import Person
from cases.policy import Permission, authorize
from cases.retention.due import PersonRetention, due_persons, retention_of
from cases.retention.rules import RetentionRules
from core.claims import hold_fresh
from core.db import truncate_write_ahead_log

__all__ = ["SweepReport", "dry_run", "erase_if_due", "sweep"]


def dry_run(
    session: Session, ctx: AuditContext, rules: RetentionRules, now: datetime
) -> list[PersonRetention]:
    """What a sweep at `now` would erase and what waits; one audit event with the counts."""
    authorize(ctx.actor, Permission.RETENTION_SWEEP, None, now)
    found = due_persons(session, rules, now)
    due = sum(1 for item in found if item.due)
    record(
        session,
        ctx,
        Action.RETENTION_DRY_RUN,
        object_type="retention",
        due=due,
        waiting=len(found) - due,
        person_years=rules.person_years,
    )
    return found


@dataclass(frozen=True)
class SweepReport:
    """What a sweep listed, whom it erased, and whom it skipped because they were no longer
    due in their own transaction (a hold or a case since the listing, or erased meanwhile)."""

    listed: tuple[PersonRetention, ...]
    erased: tuple[uuid.UUID, ...]
    skipped: tuple[uuid.UUID, ...]
    # False: a reader kept SQLite's write-ahead log busy, so it still holds old pages until a
    # later sweep (which truncates it again, erasing nobody twice) gets it empty.
    log_truncated: bool = True

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.listed if not item.due)


def erase_if_due(
    session: Session, ctx: AuditContext, rules: RetentionRules, now: datetime, person_id: uuid.UUID
) -> PersonRetention | None:
    """Erase one person if they are due at `now` on what is committed now; the rule they were
    erased under, or None when they were not erased. The caller commits."""
    # The write lock first (on SQLite the transaction begins at this write, so everything read
    # after it is the latest commit and no other writer commits until this one ends), then the
    # person row FOR UPDATE on PostgreSQL: a case or a hold inserted for them (their foreign key
    # takes a key-share lock on the person) either committed before the check below sees it,
    # or waits for this erasure. Their cases are locked too, as `set_hold` locks its case.
    hold_fresh(session, Person, person_id)
    person = session.scalars(
        select(Person).where(Person.id == person_id).with_for_update()
    ).one_or_none()
    session.execute(select(Case.id).where(Case.person_id == person_id).with_for_update()).all()
    current = retention_of(session, rules, now, person_id)
    if person is None or current is None or not current.due:
        return None
    shred(session, ctx, person, current.rule)
    return current


def sweep(
    session: Session,
    ctx: AuditContext,
    rules: RetentionRules,
    now: datetime,
    *,
    listed: Callable[[Sequence[PersonRetention]], None] | None = None,
    done: Callable[[PersonRetention, bool], None] | None = None,
) -> SweepReport:
    """List who is due at `now`, then erase each in a committed transaction of their own.

    `listed` is told the listing before anything is erased; `done` is told after each person's
    transaction whether they were erased. One `person:shred` event per erased person (naming the
    rule) commits with their erasure, and one summary event with the counts ends the sweep.
    Commits, like `keys rewrap`: a person's erasure must survive an interruption after it.
    """
    authorize(ctx.actor, Permission.RETENTION_SWEEP, None, now)
    found = due_persons(session, rules, now)
    session.commit()  # the listing read ids and dates only; each erasure reads afresh
    if listed is not None:
        listed(found)
    erased: list[uuid.UUID] = []
    skipped: list[uuid.UUID] = []
    for item in found:
        if not item.due:
            continue
        try:
            rule = erase_if_due(session, ctx, rules, now, item.person_id)
            session.commit()
        except BaseException:
            session.rollback()
            # The erasures committed so far must not leave their destroyed keys in SQLite's
            # write-ahead log until the next full sweep (attack on issue 14: Ctrl-C did).
            with suppress(SQLAlchemyError):
                truncate_write_ahead_log(session)
            raise
        (erased if rule is not None else skipped).append(item.person_id)
        if done is not None:
            done(item, rule is not None)
    waiting = sum(1 for item in found if not item.due)
    record(
        session,
        ctx,
        Action.RETENTION_SWEPT,
        object_type="retention",
        erased=len(erased),
        skipped=len(skipped),
        waiting=waiting,
        person_years=rules.person_years,
    )
    session.commit()
    # Freed pages were zeroed as they were freed (`secure_delete`); the copies of the pages that
    # held the destroyed keys still sit in SQLite's write-ahead log until it is truncated.
    truncated = truncate_write_ahead_log(session)
    return SweepReport(tuple(found), tuple(erased), tuple(skipped), truncated)
