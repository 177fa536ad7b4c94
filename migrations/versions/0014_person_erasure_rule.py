"""person erasure rule

The retention sweep (issue 14, point 3): a person's erasure names the rule that caused it
(`persons.erasure_rule`, a policy token such as `person-5y-after-last-closure`, never free
text), so an erased person shows as "erased on DATE under rule X". One nullable column:
nothing existing changes (persons erased before it have no rule recorded).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erasure_rule", sa.String(length=80), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("erasure_rule")
