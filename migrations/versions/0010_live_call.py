"""The live call: when the line ended, whether the caller is on hold, and a desk number.

A call a handler took keeps the moment the provider said the caller hung up, so every app
process tells the call page and refuses disclosure from then on; whether the caller is on
hold; and a member of staff may answer on a desk phone or SIP address instead of the browser.

Revision ID: 0010_live_call
Revises: 0008_call_screen
Create Date: 2026-12-07 08:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_live_call"
down_revision = "0008_call_screen"


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("line_ended_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column(
                "line_ended_by_handler", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("line_held", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("desk_number", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("desk_number")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("line_held")
        batch.drop_column("line_ended_by_handler")
        batch.drop_column("line_ended_at")
