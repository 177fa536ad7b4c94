"""referrals and their history

A referral from one agency to another's inbox (issue 11), with what it shared as sent, its
clocks and the needs-assessment dates; referral_events holds each transition. Both are new, so
nothing existing is touched; neither is ever deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:16:40.236231
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("from_agency_id", sa.Uuid(), nullable=False),
        sa.Column("from_user_id", sa.Uuid(), nullable=True),
        sa.Column("to_agency_id", sa.Uuid(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("basis", sa.String(length=80), nullable=False),
        sa.Column("consent_id", sa.Uuid(), nullable=True),
        sa.Column("disclosure_id", sa.Uuid(), nullable=True),
        sa.Column("legal_basis", sa.String(length=40), nullable=False),
        sa.Column("attached_note_ids", sa.JSON(), nullable=False),
        sa.Column("youth_act_grounds", sa.JSON(), nullable=False),
        sa.Column("young_person_informed", sa.Boolean(), nullable=True),
        sa.Column("guardian_informed", sa.Boolean(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handler_user_id", sa.Uuid(), nullable=True),
        sa.Column("decline_reason", sa.String(length=32), nullable=True),
        sa.Column("needs_assessment", sa.Boolean(), nullable=False),
        sa.Column("assessment_start_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessment_complete_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessment_started_on", sa.Date(), nullable=True),
        sa.Column("assessment_completed_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_referrals_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_referrals_disclosure_id_disclosures"),
        ),
        sa.ForeignKeyConstraint(
            ["from_agency_id"], ["agencies.id"], name=op.f("fk_referrals_from_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_referrals_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["handler_user_id"], ["users.id"], name=op.f("fk_referrals_handler_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_referrals_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["to_agency_id"], ["agencies.id"], name=op.f("fk_referrals_to_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_referrals_from_agency_id_state", ["from_agency_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_from_user_id"), ["from_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_referrals_to_agency_id_state", ["to_agency_id", "state"], unique=False
        )

    op.create_table(
        "referral_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_agency_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_agency_id"],
            ["agencies.id"],
            name=op.f("fk_referral_events_actor_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_referral_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_referral_events_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_referral_events_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_events_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_events_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_events_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_events_person_id"))

    op.drop_table("referral_events")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_to_agency_id_state")
        batch_op.drop_index(batch_op.f("ix_referrals_person_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_from_user_id"))
        batch_op.drop_index("ix_referrals_from_agency_id_state")
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
