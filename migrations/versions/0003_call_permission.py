"""Calls: the permission a caller acting for the resident is using.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:05:22.529258

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("permission_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_calls_permission_id_permissions"),
            "permissions",
            ["permission_id"],
            ["id"],
            use_alter=True,
        )


def downgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_calls_permission_id_permissions"), type_="foreignkey"
        )
        batch_op.drop_column("permission_id")
