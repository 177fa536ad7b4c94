"""credential version on accounts, pending credentials (issue 9, findings 1 and 7)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credential_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("credential_pending", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("credential_pending_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credential_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_column("credential_version")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("credential_pending_at")
        batch_op.drop_column("credential_pending")
        batch_op.drop_column("credential_version")
