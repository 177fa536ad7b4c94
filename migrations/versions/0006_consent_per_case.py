"""consents per case with a given-on date and late-entry reason; case reopenings (issue 9)

A consent now belongs to the case it was recorded on (`consents.case_id` NOT NULL) and has the
day it was actually given (`given_on`). Existing rows:
- `given_on` is the day of `valid_from` (the day it was recorded as valid from), so the policy's
  three-year term and the age checks apply to old rows as to new ones;
- a row without a case is attached to the person's earliest case led by the agency of the user
  who recorded it (the case it was most likely recorded on); when there is none, to the
  person's earliest case, withdrawn at migration time, so it can never widen sharing in a case
  it was not recorded on. A row whose person has no case at all cannot be placed: nothing is
  deleted silently (a consent is the record of a conversation with the young person), so the
  upgrade then stops before changing anything and names how many such rows there are; the
  operator attaches or retires them by hand and runs the upgrade again. The code before issue 9
  always recorded a consent on a case, so such rows exist only if written by hand.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def _attach_orphans(bind: sa.engine.Connection) -> None:
    consents = sa.table(
        "consents",
        sa.column("id", sa.Uuid()),
        sa.column("person_id", sa.Uuid()),
        sa.column("case_id", sa.Uuid()),
        sa.column("recorded_by_user_id", sa.Uuid()),
        sa.column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    cases = sa.table(
        "cases",
        sa.column("id", sa.Uuid()),
        sa.column("person_id", sa.Uuid()),
        sa.column("lead_agency_id", sa.Uuid()),
        sa.column("opened_at", sa.DateTime(timezone=True)),
    )
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("agency_id", sa.Uuid()))
    now = datetime.now(UTC)
    orphans = bind.execute(
        sa.select(consents.c.id, consents.c.person_id, consents.c.recorded_by_user_id).where(
            consents.c.case_id.is_(None)
        )
    ).all()
    for consent_id, person_id, recorder in orphans:
        agency = (
            bind.scalar(sa.select(users.c.agency_id).where(users.c.id == recorder))
            if recorder is not None
            else None
        )
        person_cases = sa.select(cases.c.id).where(cases.c.person_id == person_id)
        led = bind.scalar(
            person_cases.where(cases.c.lead_agency_id == agency).order_by(cases.c.opened_at)
        )
        if led is not None:
            bind.execute(consents.update().where(consents.c.id == consent_id).values(case_id=led))
            continue
        earliest = bind.scalar(person_cases.order_by(cases.c.opened_at))
        if earliest is None:  # refused up front by _refuse_unplaceable
            continue
        bind.execute(
            consents.update()
            .where(consents.c.id == consent_id)
            .values(
                case_id=earliest,
                withdrawn_at=sa.func.coalesce(consents.c.withdrawn_at, now),
            )
        )


class UnplaceableConsents(RuntimeError):
    """Consents without a case whose person has no case: the upgrade will not delete them."""


def _refuse_unplaceable(bind: sa.engine.Connection) -> None:
    consents = sa.table(
        "consents", sa.column("case_id", sa.Uuid()), sa.column("person_id", sa.Uuid())
    )
    cases = sa.table("cases", sa.column("person_id", sa.Uuid()))
    count = bind.scalar(
        sa.select(sa.func.count())
        .select_from(consents)
        .where(
            consents.c.case_id.is_(None),
            ~sa.exists().where(cases.c.person_id == consents.c.person_id),
        )
    )
    if count:
        raise UnplaceableConsents(
            f"{count} consent(s) belong to no case and their person has no case: attach each to "
            "a case (consents.case_id) or record its withdrawal by hand, then upgrade again; "
            "nothing was changed"
        )


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_unplaceable(bind)
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("late_entry_reason", sa.LargeBinary(), nullable=True))
    consents = sa.table(
        "consents",
        sa.column("id", sa.Uuid()),
        sa.column("valid_from", sa.DateTime(timezone=True)),
        sa.column("given_on", sa.Date()),
    )
    for consent_id, valid_from in bind.execute(
        sa.select(consents.c.id, consents.c.valid_from)
    ).all():
        bind.execute(
            consents.update()
            .where(consents.c.id == consent_id)
            .values(given_on=_as_date(valid_from))
        )
    _attach_orphans(bind)
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("given_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.Uuid(), nullable=False)

    op.create_table(
        "case_reopenings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reopened_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_reopenings_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_case_reopenings_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_user_id"],
            ["users.id"],
            name=op.f("fk_case_reopenings_reopened_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reopenings")),
    )
    with op.batch_alter_table("case_reopenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_reopenings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_reopenings_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_reopenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_reopenings_person_id"))
        batch_op.drop_index(batch_op.f("ix_case_reopenings_case_id"))
    op.drop_table("case_reopenings")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_column("late_entry_reason")
        batch_op.drop_column("given_on")
