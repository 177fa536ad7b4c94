"""legal holds

Legal holds (issue 14): a hold on a case, with its optional end date, who set and lifted it and
when; the reasons for setting and lifting are encrypted under the young person's data key
(`reason`, `lift_reason`). New table only: nothing existing changes (the old `cases.legal_hold`
flag stays as it was; the holds table decides).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:13:54.208042
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("set_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("lifted_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("lift_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_legal_holds_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_user_id"],
            ["users.id"],
            name=op.f("fk_legal_holds_lifted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_legal_holds_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"], ["users.id"], name=op.f("fk_legal_holds_set_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_legal_holds_person_id"), ["person_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_person_id"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_case_id"))

    op.drop_table("legal_holds")
