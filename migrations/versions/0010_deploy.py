"""The periodic jobs' runs, once per period, and the workers' heartbeats.

A scheduler on each of several hosts asks for the same job: the row for the job and its
period is written once (the unique constraint), so the job runs once. Workers write when they
were last seen, for the readiness check.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_deploy"
down_revision = "0009_readable_references"


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(40), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("host", sa.String(120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job", "period_start", name="uq_job_runs_job_period"),
    )
    op.create_table(
        "heartbeats",
        sa.Column("process", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("process", name=op.f("pk_heartbeats")),
    )
    op.create_index(op.f("ix_heartbeats_kind"), "heartbeats", ["kind"])


def downgrade() -> None:
    op.drop_index(op.f("ix_heartbeats_kind"), table_name="heartbeats")
    op.drop_table("heartbeats")
    op.drop_table("job_runs")
