"""Calls: what a verification verified, and the call's last activity.

A verification names the resident, the caller type and the permission it was made for, so the
disclosure gate can refuse one that no longer matches the call; the last activity lets it end
after a stretch without any.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_resident_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_caller_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("verified_permission_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Calls verified before this change named nothing: they count as verified as nobody.
    op.execute("UPDATE calls SET verified_as = 'nobody', verified_at = NULL, factors_matched = ''")


def downgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("verified_permission_id")
        batch_op.drop_column("verified_caller_type")
        batch_op.drop_column("verified_resident_id")
