"""Index representatives' phone numbers: a waiting call's caller ID is looked up among them.

The screen pop shows, for each call waiting, the residents and representatives with that
number on file; it polls every few seconds, so the lookup must use an index.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:50:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("permissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permissions_holder_phone"), ["holder_phone"], unique=False
        )


def downgrade():
    with op.batch_alter_table("permissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permissions_holder_phone"))
