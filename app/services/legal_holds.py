"""Legal holds: supervisors keep a resident's record from the retention schedule, and let it go.

A hold names the resident, the reason and who set it; lifting it marks it with its own
reason. Both are audited ("legal_hold.set", "legal_hold.lifted"). The retention purge reads
the holds in force (app/services/retention.py).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import LegalHold, Resident, StaffUser
from app.refusals import NotFound, Refused
from app.rules import retention as rules
from app.rules.audit_actions import AuditAction
from app.services import audit
from app.services.transactions import transactional


def hold_in_force(resident_id: int) -> LegalHold | None:
    """The hold in force on the resident's record, if there is one."""
    return db.session.scalars(
        select(LegalHold)
        .where(LegalHold.resident_id == resident_id, LegalHold.lifted_at.is_(None))
        .order_by(LegalHold.id)
        .limit(1)
    ).first()


def get_hold_or_404(resident_id: int, hold_id: int) -> LegalHold:
    """The hold asked for, only if it is on this resident's record: another resident's hold
    id is not found here."""
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.resident_id != resident_id:
        raise NotFound
    return hold


@transactional
def set_hold(resident: Resident, reason: str, staff: StaffUser, now: datetime) -> LegalHold:
    """Put the resident's record under a legal hold. Refused when one is already in force."""
    # One at a time per resident: two supervisors setting a hold at once make one hold.
    db.session.execute(select(Resident.id).where(Resident.id == resident.id).with_for_update())
    if hold_in_force(resident.id) is not None:
        raise Refused(rules.ALREADY_HELD)
    hold = LegalHold(resident_id=resident.id, reason=reason, set_by_id=staff.id, set_at=now)
    db.session.add(hold)
    db.session.flush()
    _record(AuditAction.LEGAL_HOLD_SET, hold, staff, reason)
    return hold


@transactional
def lift_hold(hold: LegalHold, reason: str, staff: StaffUser, now: datetime) -> None:
    """Lift the hold, with the reason. Refused when it was lifted already (by someone else
    while this supervisor was looking, or from an old page)."""
    lifted = db.session.execute(
        update(LegalHold)
        .where(LegalHold.id == hold.id, LegalHold.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by_id=staff.id, lift_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if lifted.rowcount != 1:
        raise Refused(rules.HOLD_ALREADY_LIFTED)
    _record(AuditAction.LEGAL_HOLD_LIFTED, hold, staff, reason)


def _record(action: AuditAction, hold: LegalHold, staff: StaffUser, reason: str) -> None:
    """Audit a hold set or lifted, with the reason the supervisor gave for doing it."""
    audit.record(
        action,
        staff_id=staff.id,
        resident_id=hold.resident_id,
        purpose=reason,
        hold_id=hold.id,
    )


def holds_in_force_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(LegalHold).where(LegalHold.lifted_at.is_(None))
    )


@dataclass(frozen=True)
class HoldRow:
    """A hold in force, as the supervisors' list shows it."""

    hold_id: int
    resident_id: int
    name: str
    outward_postcode: str
    reason: str
    set_at: datetime
    set_by: str


def holds_in_force(page: int = 1, per_page: int = 25) -> tuple[list[HoldRow], int]:
    """The holds in force, oldest first, a page at a time; and how many there are."""
    total = holds_in_force_count()
    rows = db.session.execute(
        select(LegalHold, Resident, StaffUser.name)
        .join(Resident, Resident.id == LegalHold.resident_id)
        .join(StaffUser, StaffUser.id == LegalHold.set_by_id)
        .where(LegalHold.lifted_at.is_(None))
        .order_by(LegalHold.set_at, LegalHold.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [
        HoldRow(
            hold.id,
            resident.id,
            resident.full_name,
            resident.outward_postcode,
            hold.reason,
            hold.set_at,
            set_by,
        )
        for hold, resident, set_by in rows
    ], total
