"""Open dispatches, as the teams sent out see them (docs/rules.md, "Dispatches: what a team is
shown"): where to go, what to do and what was reported, within the member of staff's service
areas and as need to know allows (`app/rules/dispatches.py`).

The list names the resident and the street, as a search result does; the dispatch's own page
gives the whole address and the report, and is a view of the resident's record, audited with
the dispatch as its purpose.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Dispatch, Entry, StaffUser
from app.refusals import NotFound
from app.rules.audit_actions import AuditAction
from app.rules.dispatches import DispatchShown, dispatch_shown
from app.services import audit, entries
from app.services.calls import staff_access
from app.services.transactions import transactional


@dataclass(frozen=True)
class ShownDispatch:
    """A dispatch, and what the member of staff looking at it is shown of it."""

    dispatch: Dispatch
    shown: DispatchShown


def open_dispatches(staff: StaffUser, page: int, per_page: int) -> tuple[list[ShownDispatch], int]:
    """A page of the open dispatches in the staff member's service areas, as
    `entries.open_dispatches` orders them, each with what they are shown of it; and how many
    there are. Their reports and residents are read in one more statement, not one each."""
    listed, total = entries.open_dispatches(staff, page, per_page)
    entry_ids = {dispatch.entry_id for dispatch in listed}
    # Held while the dispatches are shown: each one's `entry` is then found in the session,
    # without asking the database again.
    loaded = (
        db.session.scalars(
            select(Entry).where(Entry.id.in_(entry_ids)).options(joinedload(Entry.resident))
        ).all()
        if entry_ids
        else []
    )
    access = staff_access(staff)
    shown = [ShownDispatch(dispatch, _shown(dispatch, access)) for dispatch in listed]
    del loaded
    return shown, total


def _shown(dispatch: Dispatch, access) -> DispatchShown:
    entry = dispatch.entry
    return dispatch_shown(access, entry.area_code, entry.is_sensitive, entry.status)


@transactional(keep_loaded=True)
def view_dispatch(dispatch_id: int, staff: StaffUser) -> ShownDispatch:
    """A dispatch in the staff member's service areas, open or closed, with what they are
    shown of it; any other is "not found". Showing the resident's address or the report is a
    view of their record: audited, with the dispatch as its purpose."""
    dispatch = db.session.scalars(
        select(Dispatch)
        .where(Dispatch.id == dispatch_id)
        .options(joinedload(Dispatch.entry).joinedload(Entry.resident))
    ).one_or_none()
    shown = _shown(dispatch, staff_access(staff)) if dispatch is not None else None
    if shown is None or not shown.listed:
        raise NotFound
    if shown.shows_record:
        audit.record(
            AuditAction.DISPATCH_VIEWED,
            staff_id=staff.id,
            resident_id=dispatch.entry.resident_id,
            purpose=f"dispatch {dispatch.id}",
            dispatch=dispatch.id,
            entry=dispatch.entry_id,
            address=shown.address,
            report=shown.report,
        )
    return ShownDispatch(dispatch, shown)
