"""Duty-to-share requests: sharing without the resident's permission where the law requires it.

A handler on a live call asks to share, with a lawful basis, a reason and the service areas
asked for; a supervisor approves (perhaps for fewer areas) or refuses. Waiting requests are
listed, and counted on the dashboard, by status and time.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "share_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(length=300), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("officer", sa.String(length=300), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("areas_requested", sa.String(length=500), nullable=False),
        sa.Column("areas_approved", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_share_requests_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_users.id"],
            name=op.f("fk_share_requests_decided_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_users.id"],
            name=op.f("fk_share_requests_requested_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_share_requests_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_requests")),
    )
    with op.batch_alter_table("share_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_requests_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_share_requests_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(
            "ix_share_requests_status_requested_at", ["status", "requested_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("share_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_share_requests_status_requested_at")
        batch_op.drop_index(batch_op.f("ix_share_requests_resident_id"))
        batch_op.drop_index(batch_op.f("ix_share_requests_call_id"))
    op.drop_table("share_requests")
