"""Index entries and verification attempts by time, for the supervisors' dashboard.

The dashboard counts third-party reports of the last twelve weeks by relationship, and lists
the numbers that failed verification on several residents' records within a window: both
read a range of time, which the existing indexes (by resident first) cannot serve.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 15:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entries_created_at_reporter_relationship",
            ["created_at", "reporter_relationship"],
            unique=False,
        )
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_verification_attempts_created_at", ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_attempts_created_at")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_created_at_reporter_relationship")
