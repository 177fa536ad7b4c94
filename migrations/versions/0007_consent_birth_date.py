"""the birth date a consent was decided on, kept with it (encrypted)

A consent's age rule and a guardian-only consent's lapse at the self-consent age are judged on
both the birth date recorded with the consent and the person's current one, so that editing the
birth date later can narrow a consent but never widen it. Rows recorded before have none (NULL)
and are judged on the current birth date alone, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date_when_given", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("birth_date_when_given")
