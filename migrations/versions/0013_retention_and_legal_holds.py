"""Retention: legal holds on residents' records.

`legal_holds` holds each hold a supervisor set on a resident's record, with its reason, and
when and why it was lifted. While a hold is in force the retention schedule removes nothing
about the resident (`flask retention purge`). Lifted holds stay, as the record of the hold.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["staff_users.id"],
            name=op.f("fk_legal_holds_lifted_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_legal_holds_resident_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["staff_users.id"], name=op.f("fk_legal_holds_set_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_holds_resident_id_lifted_at", ["resident_id", "lifted_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_holds_resident_id_lifted_at")
    op.drop_table("legal_holds")
