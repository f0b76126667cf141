"""Staff administration and two-factor sign-in.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 16:30:00.000000

"""

from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
