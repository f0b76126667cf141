"""Why a verification on a call ended, and why a member of staff's sessions ended.

The call page is told, without a click, when the verification on its call ends and when the
handler's session ends, with the reason. Changes of record, caller or permission, and a caller
hanging up, end a verification on the call's row, so every app process reads the same reason;
and an account keeps what last replaced its session token (a sign-in elsewhere, a sign-out, an
administrator's change), so a page still open on the old session says why it was signed out.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_call_screen"
down_revision = "0007_audit_chain_closed"


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("verification_ended_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("verification_ended_because", sa.String(40)))
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("sessions_ended_because", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("sessions_ended_because")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("verification_ended_because")
        batch.drop_column("verification_ended_at")
