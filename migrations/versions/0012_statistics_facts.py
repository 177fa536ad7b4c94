"""statistics facts

Anonymous statistics facts (issue 13): one row per counted event (month, event, agency kinds,
concern codes, age band, district, outcome), with no column that joins to a person, a case or a
user, and a one-row state: facts are written live from this migration on (`live_since`), and
`flask statistics backfill` counts, once, what happened before it. New tables only.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:04:28.907951
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "statistics_facts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("lead_agency_kind", sa.String(length=32), nullable=True),
        sa.Column("sending_agency_kind", sa.String(length=32), nullable=True),
        sa.Column("receiving_agency_kind", sa.String(length=32), nullable=True),
        sa.Column("concern_codes", sa.JSON(), nullable=False),
        sa.Column("age_band", sa.String(length=16), nullable=True),
        sa.Column("district", sa.String(length=3), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_facts")),
    )
    with op.batch_alter_table("statistics_facts", schema=None) as batch_op:
        batch_op.create_index("ix_statistics_facts_event_month", ["event", "month"], unique=False)

    op.create_table(
        "statistics_state",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("live_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("backfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_state")),
    )
    state = sa.table(
        "statistics_state",
        sa.column("id", sa.Uuid()),
        sa.column("live_since", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(state, [{"id": uuid.uuid4(), "live_since": datetime.now(UTC)}])


def downgrade() -> None:

    op.drop_table("statistics_state")
    with op.batch_alter_table("statistics_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_statistics_facts_event_month")

    op.drop_table("statistics_facts")
