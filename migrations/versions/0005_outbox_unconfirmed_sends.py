"""Places where the service failed open, closed.

- `outbox_messages.unconfirmed_since`: when the earliest attempt to send a message whose
  outcome was never heard began. Twilio's Messages API takes no idempotency key, so before
  sending such a message again the worker asks Twilio for the messages to that number created
  since then, and records the one it finds instead of sending a second.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox_unconfirmed_sends"
down_revision = "0004_authority_end_requests"

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("unconfirmed_since", TIMESTAMP, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("unconfirmed_since")
