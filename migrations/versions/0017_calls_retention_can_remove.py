"""Let retention remove old calls: audit events keep a call's id as a plain number, and the
tables that point at calls are indexed for the purge's checks.

An audit event is never edited, so a foreign key from it to a call would keep every call for
as long as the events that name it (eight years), not the two years the schedule gives calls.
Each call the purge removes is checked against the tables that do point at calls; without
indexes each check reads the whole table.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 17:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

INDEXED = [
    ("audit_events", "call_id"),
    ("permission_events", "call_id"),
    ("permissions", "granted_on_call_id"),
    ("disputes", "call_id"),
]


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_events_call_id_calls", type_="foreignkey")
    for table, column in INDEXED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_audit_events_call_id_calls", "calls", ["call_id"], ["id"])
