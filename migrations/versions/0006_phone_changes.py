"""The history of residents' numbers on file: every number added, changed, relabelled or removed,
with who made the change, on what verification, and what was on file before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_phone_changes"
down_revision = "0005_outbox_unconfirmed_sends"

TABLE = "resident_phone_changes"


def _ref(column: str, referred: str, *, nullable: bool = True, ondelete: str | None = None):
    key = sa.ForeignKey(f"{referred}.id", name=f"fk_{TABLE}_{column}_{referred}", ondelete=ondelete)
    return sa.Column(column, sa.Integer(), key, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        _ref("resident_id", "residents", nullable=False, ondelete="CASCADE"),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_number", sa.String(16)),
        sa.Column("old_label", sa.String(20)),
        sa.Column("new_number", sa.String(16)),
        sa.Column("new_label", sa.String(20)),
        _ref("staff_id", "staff_users"),
        _ref("call_id", "calls"),
        sa.Column("verification", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("evidence_reference", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_resident_id", TABLE, ["resident_id"])
    op.create_index(f"ix_{TABLE}_call_id", TABLE, ["call_id"])


def downgrade() -> None:
    op.drop_index(f"ix_{TABLE}_call_id", table_name=TABLE)
    op.drop_index(f"ix_{TABLE}_resident_id", table_name=TABLE)
    op.drop_table(TABLE)
