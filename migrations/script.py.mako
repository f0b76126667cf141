"""${message}"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# Where this revision stands in the chain (Alembic reads these; the date is in git).
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
