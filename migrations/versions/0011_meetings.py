"""meetings

Multi-agency meetings (issue 12): meetings, invited agencies and users (with attendance),
agenda items (one per case and meeting), minute entries, action items and addenda. The text
about a young person is encrypted under their data key (`body`, `description`, `text`). New
tables only: nothing existing changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:32:15.707381
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("video_link", sa.String(length=500), nullable=False),
        sa.Column("organising_agency_id", sa.Uuid(), nullable=False),
        sa.Column("chair_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("review_comment", sa.String(length=200), nullable=False),
        sa.Column("cancel_reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_user_id"], ["users.id"], name=op.f("fk_meetings_chair_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_meetings_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organising_agency_id"],
            ["agencies.id"],
            name=op.f("fk_meetings_organising_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["users.id"],
            name=op.f("fk_meetings_reviewed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_chair_user_id"), ["chair_user_id"], unique=False
        )
        batch_op.create_index(
            "ix_meetings_organising_agency_id_status",
            ["organising_agency_id", "status"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_meetings_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "meeting_agencies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_meeting_agencies_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_agencies_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_agencies")),
        sa.UniqueConstraint("meeting_id", "agency_id", name=op.f("uq_meeting_agencies_meeting_id")),
    )
    with op.batch_alter_table("meeting_agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_agencies_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_agencies_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_meeting_users_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_users_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_meeting_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_users")),
        sa.UniqueConstraint("meeting_id", "user_id", name=op.f("uq_meeting_users_meeting_id")),
    )
    with op.batch_alter_table("meeting_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_users_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_users_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_agenda_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"],
            ["users.id"],
            name=op.f("fk_meeting_agenda_items_added_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_meeting_agenda_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_agenda_items_meeting_id_meetings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_agenda_items")),
        sa.UniqueConstraint(
            "meeting_id", "case_id", name=op.f("uq_meeting_agenda_items_meeting_id")
        ),
    )
    with op.batch_alter_table("meeting_agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_agenda_items_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "meeting_action_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=False),
        sa.Column("owner_agency_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("author_agency_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["meeting_agenda_items.id"],
            name=op.f("fk_meeting_action_items_agenda_item_id_meeting_agenda_items"),
        ),
        sa.ForeignKeyConstraint(
            ["author_agency_id"],
            ["agencies.id"],
            name=op.f("fk_meeting_action_items_author_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_meeting_action_items_author_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_meeting_action_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_user_id"],
            ["users.id"],
            name=op.f("fk_meeting_action_items_done_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_action_items_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"],
            ["agencies.id"],
            name=op.f("fk_meeting_action_items_owner_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_meeting_action_items_owner_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_meeting_action_items_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_action_items")),
    )
    with op.batch_alter_table("meeting_action_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_action_items_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_action_items_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_action_items_owner_agency_id"), ["owner_agency_id"], unique=False
        )
        batch_op.create_index(
            "ix_meeting_action_items_owner_user_id_status",
            ["owner_user_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_action_items_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "meeting_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("author_agency_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["meeting_agenda_items.id"],
            name=op.f("fk_meeting_entries_agenda_item_id_meeting_agenda_items"),
        ),
        sa.ForeignKeyConstraint(
            ["author_agency_id"],
            ["agencies.id"],
            name=op.f("fk_meeting_entries_author_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_meeting_entries_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_meeting_entries_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_entries_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_meeting_entries_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["meeting_entries.id"],
            name=op.f("fk_meeting_entries_supersedes_id_meeting_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_entries")),
    )
    with op.batch_alter_table("meeting_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_entries_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_entries_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_entries_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "meeting_addenda",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("action_item_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("author_agency_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["meeting_action_items.id"],
            name=op.f("fk_meeting_addenda_action_item_id_meeting_action_items"),
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["meeting_agenda_items.id"],
            name=op.f("fk_meeting_addenda_agenda_item_id_meeting_agenda_items"),
        ),
        sa.ForeignKeyConstraint(
            ["author_agency_id"],
            ["agencies.id"],
            name=op.f("fk_meeting_addenda_author_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_meeting_addenda_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_meeting_addenda_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["meeting_entries.id"],
            name=op.f("fk_meeting_addenda_entry_id_meeting_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_addenda_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_meeting_addenda_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_addenda")),
    )
    with op.batch_alter_table("meeting_addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_addenda_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_addenda_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_addenda_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("meeting_addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_addenda_person_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_addenda_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_addenda_case_id"))

    op.drop_table("meeting_addenda")
    with op.batch_alter_table("meeting_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_entries_person_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_entries_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_entries_case_id"))

    op.drop_table("meeting_entries")
    with op.batch_alter_table("meeting_action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_action_items_person_id"))
        batch_op.drop_index("ix_meeting_action_items_owner_user_id_status")
        batch_op.drop_index(batch_op.f("ix_meeting_action_items_owner_agency_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_action_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_action_items_case_id"))

    op.drop_table("meeting_action_items")
    with op.batch_alter_table("meeting_agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_items_case_id"))

    op.drop_table("meeting_agenda_items")
    with op.batch_alter_table("meeting_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_users_user_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_users_meeting_id"))

    op.drop_table("meeting_users")
    with op.batch_alter_table("meeting_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_agencies_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_agencies_agency_id"))

    op.drop_table("meeting_agencies")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_starts_at"))
        batch_op.drop_index("ix_meetings_organising_agency_id_status")
        batch_op.drop_index(batch_op.f("ix_meetings_chair_user_id"))

    op.drop_table("meetings")
