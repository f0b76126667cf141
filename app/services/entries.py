"""Reports logged in good faith, and the dispatches they raise (docs/rules.md rule 2).

Logging a report never needs verification: the entry records who reported
it, their relationship to the resident and whether they were verified.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from app import clock
from app.extensions import db
from app.models import Call, Dispatch, Entry, StaffUser
from app.refusals import NotFound, Refused
from app.rules.audit_actions import AuditAction
from app.rules.disclosure import VerifiedAs, dispatch_on_hold
from app.rules.reports import ReportDetails, report_problem
from app.rules.vocabulary import CallerType, DispatchOutcome, EntryStatus, Relationship, Urgency
from app.services import audit, call_state, calls, outbox
from app.services.transactions import transactional

# What the caller reported, kept in the entry's columns of the same names.
REPORTED = ("area_code", "category", "summary", "urgency", "is_sensitive")


def reporter_of(call: Call) -> dict[str, Any]:
    """Who reported it, as the call knows them, in the entry's reporter columns: name,
    number, relationship, and verified or not."""
    verified_as = call_state.verified_as(call)
    if verified_as is VerifiedAs.RESIDENT:
        relationship, verified = Relationship.SELF, True
    else:
        relationship = call.caller_relationship or Relationship.NOT_GIVEN
        verified = verified_as is VerifiedAs.REPRESENTATIVE
    return {
        "reporter_name": call.caller_name,
        "reporter_number": call.caller_number,
        "reporter_relationship": relationship,
        "reporter_verified": verified,
    }


# What it read stays loaded after the commit: the answer reads the call afresh, and
# nothing else twice.
@transactional(keep_loaded=True)
def log_report(
    call: Call, details: ReportDetails, handler: StaffUser, shown_for_resident: int | None
) -> Entry:
    """Record what the caller reported on the resident's record, and send help if asked.

    Anyone may report something in good faith, except what a disclosure-only
    representative may not (app.rules.reports). `shown_for_resident` is the record the
    form was filled in for: a report is never filed on another record the call moved to.
    """
    call_state.lock_call(call)
    if call.resident_id is None or call.resident_id != shown_for_resident:
        raise Refused(
            "The record on this call changed after you started this report. Nothing was "
            "logged: check the record and log the report again",
            field="area",
        )
    problem = report_problem(
        details.category,
        by_representative=call_state.verified_as(call) is VerifiedAs.REPRESENTATIVE,
        may_act=calls.disclosure_for(call, clock.today()).may_act,
    )
    if problem:
        raise Refused(problem, field="category")
    if call.caller_type is CallerType.UNKNOWN and details.relationship is not None:
        # Nobody said who is calling before the report: the report says it for the call.
        call.caller_type = CallerType.THIRD_PARTY
        call.caller_relationship = details.relationship
        audit.record(AuditAction.CALL_CALLER_RECORDED, staff_id=handler.id, call_id=call.id)
    entry = Entry(
        resident_id=call.resident_id,
        call_id=call.id,
        created_by_id=handler.id,
        **{column: getattr(details, column) for column in REPORTED},
        **reporter_of(call),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record_on_call(
        AuditAction.ENTRY_LOGGED,
        call,
        staff_id=handler.id,
        entry=entry.id,
        verified=entry.reporter_verified,
    )
    # The resident is told a report was made (never who made it, or what), in this same
    # transaction: no report without its message, no message without its report.
    outbox.queue_report_made(call.resident)
    if details.dispatch_team:
        dispatch = Dispatch(
            entry_id=entry.id,
            team=details.dispatch_team,
            priority=details.urgency,
            instructions=details.dispatch_instructions or "",
            created_by_id=handler.id,
        )
        db.session.add(dispatch)
        db.session.flush()
        audit.record_on_call(
            AuditAction.DISPATCH_RAISED, call, staff_id=handler.id, dispatch=dispatch.id
        )
    return entry


def open_dispatches(staff: StaffUser, page: int, per_page: int) -> tuple[list[Dispatch], int]:
    """Open dispatches in the staff member's service areas, most urgent and oldest first,
    a page at a time; and how many there are. Those on hold while their entry is disputed
    come after the ones a team can act on."""
    base = (
        select(Dispatch)
        .join(Entry)
        .where(Dispatch.closed_at.is_(None), Entry.area_code.in_(staff.area_codes))
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    most_urgent_first = case(
        (Dispatch.priority == Urgency.EMERGENCY, 0),
        (Dispatch.priority == Urgency.URGENT, 1),
        else_=2,
    )
    holding = [status for status in EntryStatus if dispatch_on_hold(status)]
    on_hold_last = case((Entry.status.in_(holding), 1), else_=0)
    stmt = (
        base.order_by(on_hold_last, most_urgent_first, Dispatch.created_at, Dispatch.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(db.session.scalars(stmt)), total


def get_dispatch_or_404(dispatch_id: int, staff: StaffUser) -> Dispatch:
    """A dispatch in the staff member's service areas; any other is "not found"."""
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch is None or dispatch.entry.area_code not in staff.area_codes:
        raise NotFound
    return dispatch


@transactional
def record_dispatch_outcome(
    dispatch: Dispatch, outcome: DispatchOutcome, notes: str, staff: StaffUser, now: datetime
) -> None:
    dispatch.outcome = outcome
    dispatch.outcome_notes = notes or None
    dispatch.closed_at = now
    dispatch.closed_by_id = staff.id
    audit.record(
        AuditAction.DISPATCH_CLOSED,
        staff_id=staff.id,
        resident_id=dispatch.entry.resident_id,
        dispatch=dispatch.id,
        outcome=outcome.value,
    )
