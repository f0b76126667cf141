"""Calls: the handler's workspace for one conversation (docs/rules.md rules 1 and 7).

Whatever is shown about a resident on a call is decided here, from the call's
own state, on every request: verification belongs to the call and ends with it,
and a permission revoked mid-call stops disclosure at the next request.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Entry, Permission, Resident, ResidentPhone, StaffUser
from app.models.types import utcnow
from app.pagination import page_count
from app.rules import call_outcome as outcome_rules
from app.rules.call_outcome import EndDefaults, LoggedReport
from app.rules.call_steps import CallProgress, CallSteps, Step, call_steps, verification_applies
from app.rules.call_verification import VerificationEnd
from app.rules.disclosure import (
    CallerOnCall,
    Disclosure,
    StaffAccess,
    VerifiedAs,
    entry_visible_on_call,
    entry_withheld_as_disputed,
)
from app.rules.duty_to_share import decide_disclosure_on_call
from app.rules.vocabulary import CallerType, CallOutcome, EntryStatus, Relationship
from app.services import (
    audit,
    call_state,
    cross_record,
    disputes,
    duty_to_share,
    permissions,
    verification,
)
from app.services.service_areas import active_area_codes
from app.services.transactions import transactional


@transactional
def start_call(handler: StaffUser, caller_number: str | None) -> Call:
    now = utcnow()
    call = Call(
        handler_id=handler.id,
        caller_number=caller_number,
        caller_number_withheld=caller_number is None,
        started_at=now,
        last_activity_at=now,
    )
    db.session.add(call)
    db.session.flush()
    audit.record("call.started", staff_id=handler.id, call_id=call.id)
    return call


def open_calls_for(handler: StaffUser) -> list[Call]:
    stmt = (
        select(Call)
        .where(Call.handler_id == handler.id, Call.ended_at.is_(None))
        .order_by(Call.started_at.desc())
    )
    calls = list(db.session.scalars(stmt))
    return [call for call in calls if not call_state.close_if_overdue(call)]


def close_overdue_calls() -> int:
    """Close every call left open past its maximum length; how many were closed."""
    cutoff = utcnow() - call_state.max_length()
    stmt = select(Call).where(Call.ended_at.is_(None), Call.started_at <= cutoff)
    return sum(call_state.close_if_overdue(call) for call in db.session.scalars(stmt).all())


def get_call_or_404(call_id: int, handler: StaffUser) -> Call:
    """The handler's own call. Anyone else's call is "not found", not "forbidden":
    its existence is nobody else's business."""
    call = db.session.get(Call, call_id)
    if call is None or call.handler_id != handler.id:
        abort(404)
    call_state.close_if_overdue(call)
    return call


def get_open_call_or_404(call_id: int, handler: StaffUser) -> Call:
    call = get_call_or_404(call_id, handler)
    if not call.is_open:
        abort(404)
    return call


def _permission_of_resident_or_404(call: Call, permission_id: int | None) -> Permission:
    """A permission of the call's resident: one of anyone else's is "not found"."""
    permission = db.session.get(Permission, permission_id) if permission_id else None
    if permission is None or permission.resident_id != call.resident_id:
        abort(404)
    return permission


@transactional
def select_resident(call: Call, resident_id: int, handler: StaffUser) -> None:
    """Say which record the call is about. Choosing another record starts
    verification again: a caller verified for one resident is nothing to another."""
    call_state.lock_call(call)
    resident = db.session.get(Resident, resident_id)
    if resident is None:
        abort(404)
    if call.resident_id != resident.id:
        call.resident_id = resident.id
        call.permission_id = None
        call_state.reset_verification(call, VerificationEnd.RECORD_CHANGED)
        audit.record_on_call("call.resident_selected", call, staff_id=handler.id)


@transactional
def clear_resident(call: Call, handler: StaffUser) -> None:
    call_state.lock_call(call)
    if call.resident_id is not None:
        audit.record_on_call("call.resident_cleared", call, staff_id=handler.id)
    call.resident_id = None
    call.permission_id = None
    call_state.reset_verification(call, VerificationEnd.RECORD_CHANGED)


@transactional
def record_caller(
    call: Call,
    caller_type: CallerType,
    name: str | None,
    relationship: Relationship | None,
    handler: StaffUser,
    permission_id: int | None = None,
) -> None:
    """Record who the caller says they are: a claim, which verification tests.

    A caller who says they act for the resident names the permission they hold;
    until they prove it with that permission's own check, they are told nothing.
    """
    call_state.lock_call(call)
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
        )
    audit.record("call.caller_recorded", staff_id=handler.id, call_id=call.id)


@transactional
def end_call(call: Call, outcome: CallOutcome, summary: str, handler: StaffUser) -> None:
    """End the call. Verification ends with it: nothing is disclosed on an ended call."""
    call.ended_at = call_state.lock_call(call)
    call.outcome = outcome
    call.summary = summary
    audit.record_on_call("call.ended", call, staff_id=handler.id, outcome=outcome.value)


def end_defaults(call: Call) -> EndDefaults:
    """The end-of-call form's defaults, from the reports logged on this call and the teams
    they sent (app/rules/call_outcome.py)."""
    logged = db.session.scalars(
        select(Entry)
        .where(Entry.call_id == call.id)
        .options(selectinload(Entry.dispatches))
        .order_by(Entry.id)
    )
    return outcome_rules.end_defaults(
        [LoggedReport(entry.summary, tuple(d.team for d in entry.dispatches)) for entry in logged],
        caller_verified=call_state.verified_as(call) is not VerifiedAs.NOBODY,
    )


def steps_for(call: Call, asked: Step | None = None) -> CallSteps:
    """Which steps of the call page to show now (app/rules/call_steps.py). The lock is read
    only for a caller who could be verified and is not yet."""
    if call.resident_id is None:
        return call_steps(CallProgress(has_resident=False), asked)
    standing = call_state.standing(call)
    verified = standing.verified_as is not VerifiedAs.NOBODY
    could_verify = verification_applies(call.caller_type) and not verified
    progress = CallProgress(
        has_resident=True,
        caller_type=call.caller_type,
        verified=verified,
        verified_as_resident=standing.verified_as is VerifiedAs.RESIDENT,
        locked=could_verify and verification.lock_state(call.resident_id).locked,
    )
    return call_steps(progress, asked)


def report_logged_on(call: Call, entry_id: int | None) -> Entry | None:
    """A report logged on this call, to confirm it; never one from another call."""
    entry = db.session.get(Entry, entry_id) if entry_id is not None else None
    return entry if entry is not None and entry.call_id == call.id else None


def caller_id_matches(call: Call, resident_ids: list[int]) -> set[int]:
    """Which of these residents have the caller's number on file: a hint, never proof."""
    if not call.caller_number or not resident_ids:
        return set()
    stmt = select(ResidentPhone.resident_id).where(
        ResidentPhone.number == call.caller_number, ResidentPhone.resident_id.in_(resident_ids)
    )
    return set(db.session.scalars(stmt))


def disclosure_for(call: Call, today: date) -> Disclosure:
    """The disclosure decision for this call as things stand in the database now, with any
    duty-to-share override in force on it."""
    locked = call.resident_id is not None and verification.lock_state(call.resident_id).locked
    permission = db.session.get(Permission, call.permission_id) if call.permission_id else None
    standing = call_state.standing(call)
    caller = CallerOnCall(
        call_open=call.is_open,
        verified_as=standing.verified_as,
        permission=permissions.facts_for(permission) if permission else None,
        resident_locked=locked,
        unverified_reason=standing.reason or "caller not verified",
    )
    return decide_disclosure_on_call(
        caller,
        today,
        active_area_codes(),
        duty_to_share.override_facts(call),
        duty_to_share.call_now(call),
    )


def staff_access(staff: StaffUser) -> StaffAccess:
    return StaffAccess(areas=staff.area_codes, may_see_sensitive=staff.may_see_sensitive)


ENTRIES_PER_PAGE = 20  # entries in the record panel at a time, newest first
NEWEST_FIRST = (Entry.created_at.desc(), Entry.id.desc())


@dataclass(frozen=True)
class RecordPanel:
    """What the record panel of a call shows: the decision, and only what it allows."""

    disclosure: Disclosure
    resident: Resident | None  # None unless disclosure allows it
    entries: list[Entry]
    hidden_entries: int  # entries withheld by need to know, counted but not shown
    # Entries otherwise shown but left out while disputed (rule 5): counted, content not shown.
    disputed_entries: int = 0
    # Entries the caller, verified as the resident on this call, may dispute (rule 5).
    disputable: list[Entry] = field(default_factory=list)
    # Earlier reports from the caller's number upheld as hoaxes: a warning, never a block.
    hoax_warning: str | None = None
    # The caller's number failed verification on several residents' records: a warning too.
    cross_record_warning: str | None = None
    # Entries come a page at a time, newest first: which page, of how many, and how many
    # entries the caller may hear about in all.
    entries_page: int = 1
    entries_pages: int = 1
    entries_total: int = 0

    @property
    def first_shown(self) -> int:
        """The position of the first entry on this page, counting from the newest (1)."""
        return (self.entries_page - 1) * ENTRIES_PER_PAGE + 1 if self.entries else 0

    @property
    def last_shown(self) -> int:
        return (self.entries_page - 1) * ENTRIES_PER_PAGE + len(self.entries)


def record_panel(call: Call, staff: StaffUser, today: date, page: int = 1) -> RecordPanel:
    """Decide disclosure for this call now, and load only what it allows: the newest
    ENTRIES_PER_PAGE entries the caller may hear about, or an older page of them.

    Every disclosure is audited with the call it belongs to and the entries it showed. A page
    past the last is not found.
    """
    panel, page_ids, by_resident = _decide_record_panel(call, staff, today, page)
    if not page_ids:
        return panel
    # The commit expired what was loaded: one query reloads the entries shown, not one each.
    shown = db.session.scalars(
        select(Entry).where(Entry.id.in_(page_ids)).order_by(*NEWEST_FIRST)
    ).all()
    disputable = [e for e in shown if e.status is EntryStatus.ACTIVE] if by_resident else []
    return replace(panel, entries=list(shown), disputable=disputable)


@transactional
def _decide_record_panel(
    call: Call, staff: StaffUser, today: date, page: int
) -> tuple[RecordPanel, list[int], bool]:
    """The panel without its entries, audited with the ids of the page's entries; those ids;
    and whether the caller, verified as the resident, may dispute them."""
    disclosure = disclosure_for(call, today)
    warning = disputes.hoax_warning_for(call.caller_number)
    cross_warning = cross_record.cross_record_warning_for(call.caller_number)
    if call.resident_id is None or not disclosure.allowed:
        if page != 1:
            abort(404)
        return (
            RecordPanel(
                disclosure=disclosure,
                resident=None,
                entries=[],
                hidden_entries=0,
                hoax_warning=warning,
                cross_record_warning=cross_warning,
            ),
            [],
            False,
        )
    resident = db.session.get(Resident, call.resident_id)
    access = staff_access(staff)
    # The rule is asked about every entry, from the four columns it reads; only the page
    # shown is loaded whole. A record with hundreds of entries costs one narrow query.
    facts = db.session.execute(
        select(Entry.id, Entry.area_code, Entry.is_sensitive, Entry.status)
        .where(Entry.resident_id == resident.id)
        .order_by(*NEWEST_FIRST)
    ).all()
    visible = [
        entry_id
        for entry_id, area_code, is_sensitive, status in facts
        if entry_visible_on_call(disclosure, access, area_code, is_sensitive, status)
    ]
    disputed = sum(
        entry_withheld_as_disputed(
            entry_visible_on_call(disclosure, access, area_code, is_sensitive, EntryStatus.ACTIVE),
            status,
        )
        for _, area_code, is_sensitive, status in facts
    )
    pages = page_count(len(visible), ENTRIES_PER_PAGE)
    if page < 1 or page > pages:
        abort(404)
    page_ids = visible[(page - 1) * ENTRIES_PER_PAGE : page * ENTRIES_PER_PAGE]
    duty_to_share.record_disclosures(call, staff, disclosure)
    audit.record_on_call(
        "record.disclosed",
        call,
        staff_id=staff.id,
        purpose=f"call {call.id}",
        reason=disclosure.reason,
        entries=page_ids,
    )
    by_resident = call_state.verified_as(call) is VerifiedAs.RESIDENT
    return (
        RecordPanel(
            disclosure=disclosure,
            resident=resident,
            entries=[],
            hidden_entries=len(facts) - len(visible) - disputed,
            disputed_entries=disputed,
            hoax_warning=warning,
            cross_record_warning=cross_warning,
            entries_page=page,
            entries_pages=pages,
            entries_total=len(visible),
        ),
        page_ids,
        by_resident,
    )
