"""The audit log fails closed: only the tables' owner purges, and event ids never repeat.

PostgreSQL: the trigger on the three audit tables used to let any DELETE through in a
transaction that had `SET LOCAL app.audit_purge = 'on'`, which any role can set. Now a DELETE
or TRUNCATE passes only when the role running it is the table's owner (or a member of the
owner's role) AND the transaction set `app.audit_purge`: the app runs as a role that owns
nothing, so nothing it can set or run purges, and the owner's own statements do not delete
audit rows by accident. UPDATE is refused to everyone. TRUNCATE, which fires no row trigger,
gets a statement trigger of its own. An event deleted by the transaction that wrote it, not
sealed, still passes (a reveal counted to decide and taken back: app/services/reveals.py).
No key points at the audit tables with a cascading action, so no delete reaches them as the
owner on someone else's behalf.

SQLite: `audit_events` is rebuilt with AUTOINCREMENT, so a purge that empties the log does not
let new events take ids 1, 2, ... again, below the chain's start; the counter starts above
every id the chain has known.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0007_audit_chain_closed"
down_revision = "0006_phone_changes"

AUDIT_TABLES = ("audit_events", "audit_seals", "audit_anchors")

REFUSE_CHANGES = """
CREATE OR REPLACE FUNCTION audit_refuse_changes() RETURNS trigger AS $$
DECLARE
    written_by text;
    is_sealed boolean;
BEGIN
    -- A purge: the owner of the table, in a transaction that says it is purging. A role that
    -- owns nothing is refused whatever it sets.
    IF TG_OP IN ('DELETE', 'TRUNCATE')
        AND current_setting('app.audit_purge', true) = 'on'
        AND pg_has_role(
            current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER'
        )
    THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events' THEN
        -- An event its own transaction wrote and takes back, before anyone saw or sealed it.
        EXECUTE format('SELECT xmin::text FROM %I.%I WHERE id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO written_by USING OLD.id;
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM %I.audit_seals WHERE event_id = $1)', TG_TABLE_SCHEMA
        ) INTO is_sealed USING OLD.id;
        IF written_by = (pg_current_xact_id()::text::bigint % 4294967296)::text
            AND NOT is_sealed
        THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are never changed or deleted (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _function_as_0001_made_it() -> str:
    """The trigger function of 0001_schema (a file never edited), for the downgrade."""
    spec = importlib.util.spec_from_file_location(
        "schema_0001", Path(__file__).with_name("0001_schema.py")
    )
    schema = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(schema)
    return schema.REFUSE_CHANGES.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


# Above every event id the chain has known: its events, its seals and its start.
HIGHEST_EVENT_ID = """
SELECT COALESCE(MAX(id), 0) FROM (
    SELECT MAX(id) AS id FROM audit_events
    UNION ALL SELECT MAX(event_id) FROM audit_seals
    UNION ALL SELECT MAX(after_event_id) FROM audit_anchors
)
"""


def _rebuild_events(*, autoincrement: bool) -> None:
    with op.batch_alter_table(
        "audit_events", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_CHANGES)
        for table in AUDIT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_changes()"
            )
        return
    _rebuild_events(autoincrement=True)
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'audit_events'")
    op.execute(
        f"INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_events', ({HIGHEST_EVENT_ID})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(_function_as_0001_made_it())
        return
    _rebuild_events(autoincrement=False)
