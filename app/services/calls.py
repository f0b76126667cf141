"""Calls: starting one, choosing its record, recording who is calling, ending it (docs/rules.md
rules 1 and 7). Each change is a unit of work that takes who acts and `now`, and starts by
taking the call's lock.

What a call page shows is read by app/services/call_workspace.py, afresh on every request:
verification belongs to the call and ends with it, and a permission revoked mid-call stops
disclosure at the next request. Reads here write nothing: a call past its maximum length is
closed by `call_state.close_if_overdue`, a unit of work of its own.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Call, Permission, Resident, StaffUser
from app.refusals import NotFound
from app.rules.audit_actions import AuditAction
from app.rules.call_verification import VerificationEnd
from app.rules.disclosure import Disclosure, StaffAccess
from app.rules.vocabulary import CallerType, CallOutcome, Relationship
from app.services import audit, call_state, call_workspace
from app.services.call_workspace import RecordPanel, Show
from app.services.search import street_of
from app.services.transactions import transactional


@transactional
def start_call(handler: StaffUser, caller_number: str | None, now: datetime) -> Call:
    call = Call(
        handler_id=handler.id,
        caller_number=caller_number,
        caller_number_withheld=caller_number is None,
        started_at=now,
        last_activity_at=now,
    )
    db.session.add(call)
    db.session.flush()
    audit.record(AuditAction.CALL_STARTED, staff_id=handler.id, call_id=call.id)
    return call


@dataclass(frozen=True)
class OpenCall:
    """One of a handler's open calls, as their lists show it: enough to tell eighteen apart."""

    id: int
    started_at: datetime
    ago: str  # "12 minutes ago"
    caller_number: str | None  # E.164; None when withheld
    # The record chosen, as the call page names it: name, street, outward postcode.
    record: str | None
    caller: str | None  # who is calling, as recorded: "The resident", "Pat Reynolds, neighbour"


def open_calls_for(handler: StaffUser, now: datetime | None = None) -> list[OpenCall]:
    """The handler's calls still open at `now` (the clock's unless given), the newest first,
    with the record and the caller when known: one statement. A call past its maximum length
    is not one of them, closed in the database or not yet."""
    now = now or clock.now()
    stmt = (
        select(Call)
        .where(
            Call.handler_id == handler.id,
            Call.ended_at.is_(None),
            Call.started_at > now - call_state.max_length(),
        )
        .options(joinedload(Call.resident))
        .order_by(Call.started_at.desc())
    )
    return [
        OpenCall(
            id=call.id,
            started_at=call.started_at,
            ago=f"{clock.how_long(now - call.started_at)} ago",
            caller_number=call.caller_number,
            record=_record_named(call.resident),
            caller=_caller_named(call),
        )
        for call in db.session.scalars(stmt)
    ]


def _record_named(resident: Resident | None) -> str | None:
    if resident is None:
        return None
    street = street_of(resident.address_line_1)
    return f"{resident.full_name}, {street}, {resident.outward_postcode}"


def _caller_named(call: Call) -> str | None:
    """Who is calling, as the handler recorded it: a claim, not a proof."""
    if call.caller_type is CallerType.UNKNOWN:
        return None
    if call.caller_type is CallerType.RESIDENT:
        return call.caller_type.label
    who = call.caller_name or call.caller_type.label
    if call.relationship_to_resident is not None:
        return f"{who}, {call.relationship_to_resident.label.lower()}"
    return who


def close_overdue_calls(now: datetime) -> int:
    """Close every call left open past its maximum length; how many were closed."""
    cutoff = now - call_state.max_length()
    stmt = select(Call).where(Call.ended_at.is_(None), Call.started_at <= cutoff)
    return sum(call_state.close_if_overdue(call, now) for call in db.session.scalars(stmt).all())


def get_call_or_404(call_id: int, handler: StaffUser) -> Call:
    """The handler's own call. Anyone else's call is "not found", not "forbidden":
    its existence is nobody else's business. A read: it writes nothing."""
    call = db.session.get(Call, call_id)
    if call is None or call.handler_id != handler.id:
        raise NotFound
    return call


def ended_by_handler(call_id: int, handler: StaffUser) -> bool:
    """Whether `handler` ended this call of theirs themselves (not the caller hanging up
    before it was taken, nor the service closing it). A read: it writes nothing."""
    call = db.session.get(Call, call_id)
    return (
        call is not None
        and call.handler_id == handler.id
        and call.ended_at is not None
        and call.outcome is not None
        and call.outcome is not CallOutcome.CLOSED_AUTOMATICALLY
    )


def get_open_call_or_404(call_id: int, handler: StaffUser, now: datetime | None = None) -> Call:
    """The handler's own call, still open at `now` (the clock's unless given): one past its
    maximum length is not, even before anything closed it. A read: it writes nothing."""
    call = get_call_or_404(call_id, handler)
    if call_state.closure(call, now or clock.now()) is not None:
        raise NotFound
    return call


@dataclass(frozen=True)
class SearchedCall:
    """What a search on a call needs of the call: which it is, and the number it came from."""

    id: int
    caller_number: str | None


# The columns that say whose a call is and whether it is still open (`call_state.closure`),
# read as one row: a search on a call changes nothing on it, so it needs no object.
_CALL_TO_SEARCH_ON = select(
    Call.id,
    Call.handler_id,
    Call.caller_number,
    Call.started_at,
    Call.ended_at,
    Call.outcome,
    Call.summary,
).where(Call.id == bindparam("call_id"))


def get_call_to_search_on_or_404(call_id: int, handler: StaffUser, now: datetime) -> SearchedCall:
    """The handler's own call, still open at `now`, for a search on it: the same checks as
    `get_open_call_or_404`, from one row of plain columns. A read: it writes nothing."""
    row = db.session.connection().execute(_CALL_TO_SEARCH_ON, {"call_id": call_id}).first()
    if row is None or row.handler_id != handler.id or call_state.closure(row, now) is not None:
        raise NotFound
    return SearchedCall(row.id, row.caller_number)


def _permission_of_resident_or_404(call: Call, permission_id: int | None) -> Permission:
    """A permission of the call's resident: one of anyone else's is "not found"."""
    permission = db.session.get(Permission, permission_id) if permission_id else None
    if permission is None or permission.resident_id != call.resident_id:
        raise NotFound
    return permission


# What it read stays loaded after the commit: the answer reads the call afresh, and
# nothing else twice.
@transactional(keep_loaded=True)
def select_resident(call: Call, resident_id: int, handler: StaffUser, now: datetime) -> None:
    """Say which record the call is about. Choosing another record starts
    verification again: a caller verified for one resident is nothing to another."""
    call_state.lock_call(call, now)
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound
    if call.resident_id != resident.id:
        call.resident_id = resident.id
        call.permission_id = None
        call_state.reset_verification(call, VerificationEnd.RECORD_CHANGED, now)
        audit.record_on_call(AuditAction.CALL_RESIDENT_SELECTED, call, staff_id=handler.id)


@transactional
def clear_resident(call: Call, handler: StaffUser, now: datetime) -> None:
    call_state.lock_call(call, now)
    if call.resident_id is not None:
        audit.record_on_call(AuditAction.CALL_RESIDENT_CLEARED, call, staff_id=handler.id)
    call.resident_id = None
    call.permission_id = None
    call_state.reset_verification(call, VerificationEnd.RECORD_CHANGED, now)


# What it read stays loaded after the commit: the answer reads the call afresh, and
# nothing else twice.
@transactional(keep_loaded=True)
def record_caller(
    call: Call,
    caller_type: CallerType,
    name: str | None,
    relationship: Relationship | None,
    handler: StaffUser,
    now: datetime,
    permission_id: int | None = None,
) -> None:
    """Record who the caller says they are: a claim, which verification tests.

    A caller who says they act for the resident names the permission they hold;
    until they prove it with that permission's own check, they are told nothing.
    """
    call_state.lock_call(call, now)
    permission = None
    if caller_type is CallerType.RESIDENT:
        relationship = Relationship.SELF
    elif caller_type is CallerType.REPRESENTATIVE:
        permission = _permission_of_resident_or_404(call, permission_id)
        name = name or permission.holder_name
        relationship = permission.holder_relationship
    caller_changed = call.caller_type is not caller_type
    changed = caller_changed or call.permission_id != (permission.id if permission else None)
    call.caller_type = caller_type
    call.caller_name = name or None
    call.caller_relationship = relationship
    call.permission_id = permission.id if permission else None
    if changed:
        # What was verified was a claim to be someone else.
        call_state.reset_verification(
            call,
            VerificationEnd.CALLER_CHANGED
            if caller_changed
            else VerificationEnd.PERMISSION_CHANGED,
            now,
        )
    audit.record(AuditAction.CALL_CALLER_RECORDED, staff_id=handler.id, call_id=call.id)


@transactional
def end_call(
    call: Call, outcome: CallOutcome, summary: str, handler: StaffUser, now: datetime
) -> None:
    """End the call. Verification ends with it: nothing is disclosed on an ended call."""
    call.ended_at = call_state.lock_call(call, now)
    call.outcome = outcome
    call.summary = summary
    audit.record_on_call(AuditAction.CALL_ENDED, call, staff_id=handler.id, outcome=outcome.value)


def disclosure_for(call: Call, today: date) -> Disclosure:
    """The disclosure decision for this call as things stand in the database now, with any
    duty-to-share override in force on it: the call page's own decision
    (app/services/call_workspace.py), for a unit of work that needs it."""
    return call_workspace.disclosure(call, clock.now(), today)


def staff_access(staff: StaffUser) -> StaffAccess:
    return StaffAccess(areas=staff.area_codes, may_see_sensitive=staff.may_see_sensitive)


def record_panel(call: Call, staff: StaffUser, now: datetime, page: int = 1) -> RecordPanel:
    """The call's record panel at `now`, decided and audited as the call page's is
    (app/services/call_workspace.py): for a page that shows the panel after a change of its
    own (a dispute recorded on the call). A page past the last is not found."""
    return call_workspace.workspace(call.id, staff, now, Show.RECORD, page=page).record
