"""person register

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 07:56:01.041210
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("registered_by_agency_id", sa.Uuid(), nullable=False),
        sa.Column("registered_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registered_by_agency_id"],
            ["agencies.id"],
            name=op.f("fk_persons_registered_by_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_user_id"],
            ["users.id"],
            name=op.f("fk_persons_registered_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_persons_registered_by_agency_id"),
            ["registered_by_agency_id"],
            unique=False,
        )

    op.create_table(
        "person_index_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("index_name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_index_entries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_index_entries")),
    )
    with op.batch_alter_table("person_index_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_index_entries_lookup", ["index_name", "value"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_index_entries_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "person_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("given_names", sa.LargeBinary(), nullable=True),
        sa.Column("surname", sa.LargeBinary(), nullable=True),
        sa.Column("birth_date", sa.LargeBinary(), nullable=True),
        sa.Column("identity_code", sa.LargeBinary(), nullable=True),
        sa.Column("municipality", sa.LargeBinary(), nullable=True),
        sa.Column("postal_code", sa.LargeBinary(), nullable=True),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("guardians", sa.LargeBinary(), nullable=True),
        sa.Column("mother_tongue", sa.LargeBinary(), nullable=True),
        sa.Column("forbids_guardian_disclosure", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_person_versions_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_versions_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_versions")),
        sa.UniqueConstraint("person_id", "version", name=op.f("uq_person_versions_person_id")),
    )
    with op.batch_alter_table("person_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_versions_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("wrapped", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("data_keys", schema=None) as batch_op:
        batch_op.alter_column("wrapped", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("shredded_at")

    with op.batch_alter_table("person_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_versions_person_id"))

    op.drop_table("person_versions")
    with op.batch_alter_table("person_index_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_index_entries_person_id"))
        batch_op.drop_index("ix_person_index_entries_lookup")

    op.drop_table("person_index_entries")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_registered_by_agency_id"))

    op.drop_table("persons")
