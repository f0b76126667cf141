"""The resident portal: sign-ins with a text code, and the sessions they open.

One row per attempt, matched or not (a wrong reference or date of birth leaves `resident_id`
empty), so the attempt takes the same path either way. Signing out ends the row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("phone_number", sa.String(length=16), nullable=True),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_portal_sessions_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
        sa.UniqueConstraint("token", name=op.f("uq_portal_sessions_token")),
    )
    op.create_index(
        "ix_portal_sessions_resident_id_created_at",
        "portal_sessions",
        ["resident_id", "created_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_portal_sessions_resident_id_created_at", table_name="portal_sessions")
    op.drop_table("portal_sessions")
