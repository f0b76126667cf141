"""Subject access exports: a supervisor producing everything held about one resident.

`subject_access_exports` holds each request (who asked, about whom, why, whether third
parties' names and numbers are included and why), how far gathering has gone and when the
download expires. It holds no personal data from the record: the zip is built on download.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subject_access_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("include_third_parties", sa.Boolean(), nullable=False),
        sa.Column("third_party_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff_users.id"],
            name=op.f("fk_subject_access_exports_requested_by_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_subject_access_exports_resident_id_residents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_exports")),
    )
    with op.batch_alter_table("subject_access_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subject_access_exports_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(
            "ix_subject_access_exports_requested_by_id_created_at",
            ["requested_by_id", "created_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("subject_access_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_subject_access_exports_requested_by_id_created_at")
        batch_op.drop_index(batch_op.f("ix_subject_access_exports_resident_id"))
    op.drop_table("subject_access_exports")
