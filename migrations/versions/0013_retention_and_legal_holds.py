"""Retention: legal holds on residents' records.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 16:30:00.000000

"""

from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
