"""Residents: name indexes that also cover middle names, so name search reads no rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:31:47.363054

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residents_forename_norm_surname_norm"))
        batch_op.drop_index(batch_op.f("ix_residents_surname_norm_forename_norm"))
        batch_op.create_index(
            "ix_residents_forename_surname_middle",
            ["forename_norm", "surname_norm", "middle_names"],
            unique=False,
        )
        batch_op.create_index(
            "ix_residents_surname_forename_middle",
            ["surname_norm", "forename_norm", "middle_names"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_index("ix_residents_surname_forename_middle")
        batch_op.drop_index("ix_residents_forename_surname_middle")
        batch_op.create_index(
            batch_op.f("ix_residents_surname_norm_forename_norm"),
            ["surname_norm", "forename_norm"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_residents_forename_norm_surname_norm"),
            ["forename_norm", "surname_norm"],
            unique=False,
        )
