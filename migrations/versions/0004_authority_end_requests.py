"""Residents' requests to end a legal authority, decided by a supervisor.

A Lasting Power of Attorney, a deputyship or a DWP appointeeship is not the council's to end
with a tap in the portal: the resident's wish is kept here until a supervisor has checked
with them and decided, with what the supervisor did first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_authority_end_requests"
down_revision = "0003_codes_queued"

TABLE = "authority_end_requests"


def _ref(column: str, referred: str, *, nullable: bool = True) -> sa.Column:
    key = sa.ForeignKey(f"{referred}.id", name=f"fk_{TABLE}_{column}_{referred}")
    return sa.Column(column, sa.Integer(), key, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        _ref("permission_id", "permissions", nullable=False),
        _ref("resident_id", "residents", nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resident_note", sa.Text()),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("spoke_alone", sa.Boolean(), nullable=False),
        sa.Column("told_holder", sa.Boolean(), nullable=False),
        sa.Column("told_issuer", sa.Boolean(), nullable=False),
        _ref("decided_by_id", "staff_users"),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_permission_id", TABLE, ["permission_id"])
    op.create_index(f"ix_{TABLE}_resident_id", TABLE, ["resident_id"])
    op.create_index(f"ix_{TABLE}_status_requested_at", TABLE, ["status", "requested_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
