"""What every page a supervisor decides on does first: audit that it was opened, and why."""

from typing import TypeVar

from app.extensions import db
from app.models import StaffUser
from app.rules.audit_actions import AuditAction
from app.services import audit
from app.services.transactions import transactional

Row = TypeVar("Row")


def opened_to_decide(row: Row, action: AuditAction, what: str, supervisor: StaffUser, **ids) -> Row:
    """Audit, in a unit of work of its own, that `supervisor` opened `row` (a dispute, a
    request) to decide it, with the purpose "Deciding `what`" and the `ids` it concerns; then
    `row` as that commit left it, read again."""
    _record_opened(action, supervisor.id, row.resident_id, f"Deciding {what}", ids)
    return db.session.get(type(row), row.id)


@transactional
def _record_opened(
    action: AuditAction, staff_id: int, resident_id: int, purpose: str, ids: dict
) -> None:
    audit.record(action, staff_id=staff_id, resident_id=resident_id, purpose=purpose, **ids)
