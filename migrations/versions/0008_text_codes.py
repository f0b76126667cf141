"""Text codes: each code sent to a number on file for a caller to read back.

`text_codes` records every send (counted per resident per hour), the console backend's HMAC
of its code, its expiry and how often it was checked. `resident_phones.added_at` says when a
number was put on file: a number added lately holds the text-code factor. Numbers already on
file have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "text_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("permission_id", sa.Integer(), nullable=True),
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_text_codes_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["permissions.id"],
            name=op.f("fk_text_codes_permission_id_permissions"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"], name=op.f("fk_text_codes_resident_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_codes")),
    )
    with op.batch_alter_table("text_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_text_codes_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "ix_text_codes_resident_id_created_at", ["resident_id", "created_at"], unique=False
        )
    with op.batch_alter_table("resident_phones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("resident_phones", schema=None) as batch_op:
        batch_op.drop_column("added_at")
    with op.batch_alter_table("text_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_text_codes_resident_id_created_at")
        batch_op.drop_index(batch_op.f("ix_text_codes_call_id"))
    op.drop_table("text_codes")
