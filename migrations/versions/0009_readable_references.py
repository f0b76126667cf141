"""Dispute references a resident can read out, and the dispute a resident is writing.

A dispute was known to its resident by its row number ("5"): easy to guess, and nothing
like the record's reference. Each dispute gets a random reference in the record's own
alphabet and shape (app/references.py); disputes already made are given one here. A portal
sign-in keeps the dispute its resident is writing, so nothing typed is lost between the
form and "Check your answers", or when the sign-in times out; and, likewise, what they want
us to know when asking us to end a legal authority.
"""

import sqlalchemy as sa
from alembic import op

from app.references import new_reference

revision = "0009_readable_references"
down_revision = "0008_call_screen"


def upgrade() -> None:
    with op.batch_alter_table("disputes") as batch:
        batch.add_column(sa.Column("reference", sa.String(11)))
    disputes = sa.table("disputes", sa.column("id", sa.Integer), sa.column("reference"))
    connection = op.get_bind()
    given: set[str] = set()
    for (dispute_id,) in connection.execute(sa.select(disputes.c.id)).all():
        reference = new_reference()
        while reference in given:
            reference = new_reference()
        given.add(reference)
        connection.execute(
            disputes.update().where(disputes.c.id == dispute_id).values(reference=reference)
        )
    with op.batch_alter_table("disputes") as batch:
        batch.alter_column("reference", existing_type=sa.String(11), nullable=False)
        batch.create_unique_constraint("uq_disputes_reference", ["reference"])
    with op.batch_alter_table("portal_sessions") as batch:
        batch.add_column(sa.Column("dispute_draft", sa.JSON()))
        batch.add_column(sa.Column("end_request_draft", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("portal_sessions") as batch:
        batch.drop_column("end_request_draft")
        batch.drop_column("dispute_draft")
    with op.batch_alter_table("disputes") as batch:
        batch.drop_constraint("uq_disputes_reference", type_="unique")
        batch.drop_column("reference")
