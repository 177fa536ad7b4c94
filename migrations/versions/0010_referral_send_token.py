"""referral send token

A referral remembers the one-time token of the send form it came from, unique per sender, so
the same form sent twice (or twice at once) makes one referral (issue 11 attack). A nullable
column and a constraint: nothing existing changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:53:48.556707
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_token", sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_referrals_from_user_id"), ["from_user_id", "send_token"]
        )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_referrals_from_user_id"), type_="unique")
        batch_op.drop_column("send_token")
