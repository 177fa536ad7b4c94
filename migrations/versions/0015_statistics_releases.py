"""statistics releases

Protected statistics families kept in the database (issue 13): protecting a measure-year's
tables costs seconds to tens of seconds of CPU, which every gunicorn worker paid again (and a
request may outlast the worker timeout). `statistics_releases` holds each family's marks under
a digest of the counts and the method; `flask statistics prepare` fills it ahead. A new
table only: nothing existing changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "statistics_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_releases")),
        sa.UniqueConstraint("digest", name=op.f("uq_statistics_releases_digest")),
    )


def downgrade() -> None:

    op.drop_table("statistics_releases")
