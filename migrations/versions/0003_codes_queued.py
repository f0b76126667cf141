"""Portal codes queued for a worker; console codes kept in no readable form.

A portal sign-in no longer waits for the provider: the request writes the sign-in with its
code queued, and a worker sends it (`code_state`: queued, sending, sent, not sent), found
through an index on the state. The console backend is now for development only; the copies
of codes it wrote on the Messages page before (in production too, without Twilio) are
replaced by a line saying a code was shown there, so no code stays readable in the database.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_codes_queued"
down_revision = "0002_attempts_by_call_and_time"

CODE_WITHHELD = "A verification code was shown here by the console backend (removed)."


def upgrade() -> None:
    op.add_column("portal_sessions", sa.Column("code_state", sa.String(40)))
    op.create_index("ix_portal_sessions_code_state_id", "portal_sessions", ["code_state", "id"])
    outbox = sa.table("outbox_messages", sa.column("kind", sa.String), sa.column("body", sa.Text))
    op.execute(outbox.update().where(outbox.c.kind == "text-code").values(body=CODE_WITHHELD))


def downgrade() -> None:
    op.drop_index("ix_portal_sessions_code_state_id", table_name="portal_sessions")
    with op.batch_alter_table("portal_sessions") as batch:
        batch.drop_column("code_state")
