"""Disputes: a resident saying an entry is wrong, and the supervisors' decisions on it.

`disputes` holds each dispute with its London due date and its standing decision;
`dispute_decisions` holds every decision, a correction naming the one it supersedes. Hoax
strikes are derived from upheld disputes, so there is no table for them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 15:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("opened_via", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("decisions_made", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"],
            ["staff_users.id"],
            name=op.f("fk_disputes_assigned_to_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_disputes_call_id_calls")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_disputes_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff_users.id"], name=op.f("fk_disputes_opened_by_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_disputes_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index("ix_disputes_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "dispute_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["staff_users.id"],
            name=op.f("fk_dispute_decisions_decided_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_decisions_dispute_id_disputes")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["dispute_decisions.id"],
            name=op.f("fk_dispute_decisions_supersedes_id_dispute_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_decisions")),
    )
    with op.batch_alter_table("dispute_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispute_decisions_dispute_id"), ["dispute_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("dispute_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_decisions_dispute_id"))
    op.drop_table("dispute_decisions")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_status_due_on")
        batch_op.drop_index(batch_op.f("ix_disputes_resident_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_entry_id"))
    op.drop_table("disputes")
