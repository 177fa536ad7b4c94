"""Claiming a row's state in one statement, so that of simultaneous requests expecting the same
state exactly one changes it.

A check in Python followed by an ORM write lets every racer pass the check (each read the row
before any of them committed). `claim` puts the check in the UPDATE's WHERE clause instead: on
PostgreSQL the row lock makes a second UPDATE wait and then re-evaluate its WHERE against the
committed row; on SQLite the write lock serialises the statements, and the connection begins its
transaction at the first write, so the WHERE sees the latest commit. The row stays locked (on
PostgreSQL) until the transaction ends, so a claim also holds the state for the rest of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


def claim(session: Session, row: Any, *conditions: ColumnElement[bool], **values: Any) -> bool:
    """Set `values` on `row` (a mapped object with an `id` primary key) only where `conditions`
    hold in the database now; True when this statement changed the row."""
    model = type(row)
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, *conditions)
        .values(**values)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True


def hold_fresh(session: Session, model: Any, row_id: Any) -> None:
    """Take the write lock of one row for the rest of the transaction (a no-op UPDATE), then
    forget what the session had read, so that every decision after it is made on what is
    committed now: two writes that hold the same row are serialised, and the later one sees
    the earlier (e.g. a consent withdrawal and an acceptance that relies on that consent)."""
    session.flush()
    session.execute(
        update(model)
        .where(model.id == row_id)
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
