"""The audit trail made tamper-evident.

Each event gains the member of staff's role, the entry it is about, its outcome, a random
nonce and a MAC over its own content (written with the event, unique). `audit_seals` links
events into a chain in id order and `audit_anchors` records where the chain starts after old
events are purged (app/services/audit.py). Events written before this revision have no MAC:
they are counted by `flask audit verify`, not checked.

On PostgreSQL a trigger refuses every UPDATE and DELETE on the three tables, except the
deletes of a purge, made with the transaction-local setting `app.audit_purge = 'on'`, and an
event deleted by the transaction that wrote it, before it commits (a reveal counted to decide
and taken back: app/services/reveals.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PROTECTED = ("audit_events", "audit_seals", "audit_anchors")

REFUSE_CHANGES = """
CREATE FUNCTION audit_refuse_changes() RETURNS trigger AS $$
DECLARE
    written_by text;
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('app.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events' THEN
        -- An event its own transaction wrote and takes back was never seen by anyone.
        EXECUTE format('SELECT xmin::text FROM %I.%I WHERE id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO written_by USING OLD.id;
        IF written_by = (pg_current_xact_id()::text::bigint % 4294967296)::text THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are never changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_mac"), ["mac"])
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)

    op.create_table(
        "audit_seals",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_seals")),
    )
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("after_event_id", sa.Integer(), nullable=False),
        sa.Column("previous_seal", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGES)
        for table in PROTECTED:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_changes()"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PROTECTED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_changes()")

    op.drop_table("audit_anchors")
    op.drop_table("audit_seals")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")
        batch_op.drop_constraint(batch_op.f("uq_audit_events_mac"), type_="unique")
        batch_op.drop_column("mac")
        batch_op.drop_column("nonce")
        batch_op.drop_column("outcome")
        batch_op.drop_column("entry_id")
        batch_op.drop_column("role")
