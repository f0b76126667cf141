"""The live call: when the line ended, whether the caller is on hold, a desk number, and
the calls back to a resident's number on file made from a call.

A call a handler took keeps the moment the provider said the caller hung up, so every app
process tells the call page and refuses disclosure from then on; whether the caller is on
hold; and a member of staff may answer on a desk phone or SIP address instead of the browser.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_live_call"
down_revision = "0010_deploy"


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
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("line_call_sid", sa.String(64)))
    op.create_table(
        "call_legs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), sa.ForeignKey("calls.id"), nullable=False),
        sa.Column("handler_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("resident_id", sa.Integer(), sa.ForeignKey("residents.id"), nullable=False),
        sa.Column("phone_id", sa.Integer()),
        sa.Column("number_ending", sa.String(4), nullable=False),
        sa.Column("shown_for", sa.String(200), nullable=False),
        sa.Column("provider_call_sid", sa.String(64)),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("provider_status", sa.String(20)),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_call_sid"),
    )
    op.create_index("ix_call_legs_call_id", "call_legs", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_call_legs_call_id", table_name="call_legs")
    op.drop_table("call_legs")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("line_call_sid")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("desk_number")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("line_held")
        batch.drop_column("line_ended_by_handler")
        batch.drop_column("line_ended_at")
