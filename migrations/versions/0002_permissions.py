"""Permissions: who may speak for a resident, about what, until when (PRODUCT.md rule 4).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:48:35.202808

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("holder_relationship", sa.String(length=40), nullable=False),
        sa.Column("holder_phone", sa.String(length=16), nullable=False),
        sa.Column("holder_email", sa.String(length=254), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("all_areas", sa.Boolean(), nullable=False),
        sa.Column("may_act", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("evidence_reference", sa.String(length=200), nullable=True),
        sa.Column("lpa_access_code", sa.String(length=40), nullable=True),
        sa.Column("granted_on_call_id", sa.Integer(), nullable=True),
        sa.Column("matter", sa.Text(), nullable=True),
        sa.Column("matter_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("verification_method", sa.String(length=40), nullable=False),
        sa.Column("passcode_hash", sa.String(length=200), nullable=True),
        sa.Column("safeguarding_given_freely", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_nobody_pressing", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_understands_scope", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_confirmed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'verbal' OR granted_on_call_id IS NOT NULL",
            name=op.f("ck_permissions_verbal_consent_on_a_call"),
        ),
        sa.CheckConstraint(
            "verification_method <> 'passcode' OR passcode_hash IS NOT NULL",
            name=op.f("ck_permissions_passcode_hashed"),
        ),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on > starts_on",
            name=op.f("ck_permissions_expires_after_start"),
        ),
        sa.CheckConstraint(
            "safeguarding_given_freely AND safeguarding_nobody_pressing AND safeguarding_understands_scope",
            name=op.f("ck_permissions_safeguarding_confirmed"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_permissions_created_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["granted_on_call_id"],
            ["calls.id"],
            name=op.f("fk_permissions_granted_on_call_id_calls"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_permissions_resident_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["staff_users.id"],
            name=op.f("fk_permissions_revoked_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["safeguarding_confirmed_by_id"],
            ["staff_users.id"],
            name=op.f("fk_permissions_safeguarding_confirmed_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permissions")),
    )
    with op.batch_alter_table("permissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permissions_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "permission_areas",
        sa.Column("permission_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"],
            ["service_areas.code"],
            name=op.f("fk_permission_areas_area_code_service_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["permissions.id"],
            name=op.f("fk_permission_areas_permission_id_permissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("permission_id", "area_code", name=op.f("pk_permission_areas")),
    )
    op.create_table(
        "permission_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("permission_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_permission_events_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["permissions.id"],
            name=op.f("fk_permission_events_permission_id_permissions"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], name=op.f("fk_permission_events_staff_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permission_events")),
    )
    with op.batch_alter_table("permission_events", schema=None) as batch_op:
        batch_op.create_index("ix_permission_events_at", ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_permission_events_permission_id"), ["permission_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("permission_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permission_events_permission_id"))
        batch_op.drop_index("ix_permission_events_at")

    op.drop_table("permission_events")
    op.drop_table("permission_areas")
    with op.batch_alter_table("permissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permissions_resident_id"))

    op.drop_table("permissions")
