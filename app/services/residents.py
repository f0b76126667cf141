"""A resident's record seen outside a call (PRODUCT.md rule 7, need to know).

Outside a call there is no caller whose verification could be the purpose of a
view, so the member of staff types one, and the view is audited with it.
"""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from app.extensions import db
from app.models import Entry, Resident, StaffUser
from app.rules.disclosure import StaffAccess, shown_in_routine_view, staff_may_see_entry
from app.rules.lockout import LockState
from app.services import audit, verification
from app.services.calls import staff_access


def get_resident_or_404(resident_id: int) -> Resident:
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        abort(404)
    return resident


def entry_shown_outside_call(access: StaffAccess, entry: Entry) -> bool:
    """Outside a call no caller limits what is shown: only the member of staff's need to
    know does, and entries found incorrect stay out of routine views."""
    return staff_may_see_entry(access, entry.area_code, entry.is_sensitive) and (
        shown_in_routine_view(entry.status)
    )


@dataclass(frozen=True)
class ResidentRecord:
    """What a member of staff sees of a record outside a call, once they have said why."""

    resident: Resident
    entries: list[Entry]
    hidden_entries: int  # withheld by need to know or found incorrect, counted but not shown
    lock: LockState


def view_record(resident_id: int, staff: StaffUser, purpose: str) -> ResidentRecord:
    """Load the record and the entries this member of staff may see, and audit the view
    with its purpose and the entries shown, in one transaction."""
    resident = get_resident_or_404(resident_id)
    access = staff_access(staff)
    newest_first = (Entry.created_at.desc(), Entry.id.desc())
    all_entries = db.session.scalars(
        select(Entry).where(Entry.resident_id == resident.id).order_by(*newest_first)
    ).all()
    shown_ids = [entry.id for entry in all_entries if entry_shown_outside_call(access, entry)]
    lock = verification.lock_state(resident.id)
    audit.record(
        "record.viewed",
        staff_id=staff.id,
        resident_id=resident.id,
        purpose=purpose,
        entries=shown_ids,
    )
    db.session.commit()
    # The commit expired what was loaded: one query reloads the entries shown, not one each.
    shown = db.session.scalars(
        select(Entry).where(Entry.id.in_(shown_ids)).order_by(*newest_first)
    ).all()
    return ResidentRecord(
        resident=resident,
        entries=list(shown),
        hidden_entries=len(all_entries) - len(shown_ids),
        lock=lock,
    )
