"""Disputes: opening one on a call, and supervisors deciding (docs/rules.md rule 5).

The entry is marked disputed in the same unit of work that opens the dispute. Opening a
dispute and deciding one both start by taking the entry's row lock, then read the entry's
disputes and ask the rules: so a decision never lands on an entry that a dispute opened
meanwhile now governs, and no entry gets two disputes open. A decision is recorded by an
UPDATE that matches only the dispute as the supervisor saw it (its status and the number of
decisions made), so of two supervisors deciding at once one wins and the other is told.
Nothing here deletes an entry.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, Select, func, literal, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, Call, Dispute, DisputeDecision, Entry, StaffUser
from app.references import format_reference, normalise_reference
from app.refusals import NotFound, Refused
from app.rules import disputes as rules
from app.rules.audit_actions import AuditAction
from app.rules.disclosure import VerifiedAs
from app.rules.outbox import dispute_decided_text
from app.rules.vocabulary import (
    DisputeChannel,
    DisputeReason,
    DisputeStatus,
    EntryStatus,
    MessageKind,
)
from app.services import audit, call_state, decisions, outbox
from app.services.transactions import lock_row, transactional


def get_dispute_or_404(dispute_id: int, staff: StaffUser) -> Dispute:
    """A dispute on an entry in the member of staff's service areas; any other is "not
    found" (rule 7)."""
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None or not _may_see(staff, dispute.entry):
        raise NotFound
    return dispute


def _may_see(staff: StaffUser, entry: Entry) -> bool:
    return entry.area_code in staff.area_codes and (
        staff.may_see_sensitive or not entry.is_sensitive
    )


@dataclass(frozen=True)
class QueueRow:
    dispute: Dispute
    tag: str | None  # "Overdue", "Due soon", or nothing


def disputes_seen_by(staff: StaffUser, area: str | None = None) -> Select:
    """Disputes on entries in the member of staff's service areas (or one of them), and
    sensitive ones only for those who may see them."""
    areas = [code for code in staff.area_codes if area in (None, code)]
    base = (
        select(Dispute).join(Entry, Entry.id == Dispute.entry_id).where(Entry.area_code.in_(areas))
    )
    if not staff.may_see_sensitive:
        base = base.where(Entry.is_sensitive.is_(False))
    return base


def open_disputes_near_deadline(staff: StaffUser, today: date) -> int:
    """How many open disputes in the queue this member of staff sees are due soon or overdue,
    placed against the deadline by the same rule as the queue's tags."""
    by_due_date = db.session.execute(
        disputes_seen_by(staff)
        .where(Dispute.status == DisputeStatus.OPEN)
        .with_only_columns(Dispute.due_on, func.count())
        .group_by(Dispute.due_on)
    ).all()
    return sum(
        count
        for due_on, count in by_due_date
        if rules.deadline_state(DisputeStatus.OPEN, due_on, today) is not rules.Deadline.ON_TIME
    )


def dispute_queue(
    staff: StaffUser,
    page: int,
    per_page: int,
    *,
    today: date,
    area: str | None = None,
    status: DisputeStatus | None = None,
    reference: str | None = None,
) -> tuple[list[QueueRow], int]:
    """Disputes on entries in the member of staff's service areas, the nearest deadline
    first, a page at a time, each tagged overdue or due soon on `today`; and how many there
    are. A `reference` as the resident reads it out finds that dispute alone (one that cannot
    be a reference finds none)."""
    base = disputes_seen_by(staff, area)
    if status is not None:
        base = base.where(Dispute.status == status)
    if reference is not None:
        base = base.where(Dispute.reference == (normalise_reference(reference) or ""))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = (
        base.options(joinedload(Dispute.entry), joinedload(Dispute.assigned_to))
        .order_by(Dispute.due_on, Dispute.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        QueueRow(d, rules.DEADLINE_TAGS[rules.deadline_state(d.status, d.due_on, today)])
        for d in db.session.scalars(stmt)
    ]
    return rows, total


@transactional
def assign_to(dispute: Dispute, supervisor: StaffUser) -> None:
    """Make the supervisor the one working on the dispute."""
    dispute.assigned_to_id = supervisor.id
    audit.record(
        AuditAction.DISPUTE_ASSIGNED,
        staff_id=supervisor.id,
        resident_id=dispute.resident_id,
        dispute=dispute.id,
    )


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    staff_name: str | None


@dataclass(frozen=True)
class DisputePage:
    """What a supervisor sees to decide a dispute."""

    dispute: Dispute
    tag: str | None
    decisions: list[DisputeDecision]
    call: Call | None  # the call the entry came from
    caller_verification: str | None  # whether its reporter was verified, in words
    same_number: list[Entry]  # other entries reported from the entry's number
    trail: list[TrailRow]  # the audit trail of the entry and its dispute, newest first
    hoax_warning: str | None  # the reporting number's standing upheld disputes
    newer: Dispute | None  # a later dispute about the same entry: it governs the entry now


TRAIL_LIMIT = 500
SAME_NUMBER_LIMIT = 20


def view_dispute(dispute: Dispute, supervisor: StaffUser, today: date) -> DisputePage:
    """The dispute, the entry and where it came from, other entries from the same number and
    the entry's audit trail, its deadline placed against `today`. The view is audited with
    its purpose first."""
    what = f"dispute {dispute.id}"
    dispute = decisions.opened_to_decide(
        dispute, AuditAction.DISPUTE_VIEWED, what, supervisor, dispute=dispute.id
    )
    entry = dispute.entry
    call = db.session.get(Call, entry.call_id) if entry.call_id else None
    same_number: list[Entry] = []
    if entry.reporter_number:
        same_number = list(
            db.session.scalars(
                select(Entry)
                .where(Entry.reporter_number == entry.reporter_number, Entry.id != entry.id)
                .order_by(Entry.created_at.desc(), Entry.id.desc())
                .limit(SAME_NUMBER_LIMIT)
            )
        )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.resident_id == dispute.resident_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(TRAIL_LIMIT)
    )
    events = [
        event
        for event in events
        if event.detail.get("entry") == entry.id
        or event.detail.get("dispute") == dispute.id
        or (call is not None and event.call_id == call.id)
    ]
    staff_ids = {event.staff_id for event in events if event.staff_id is not None}
    rows = db.session.execute(
        select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids))
    )
    names = {staff_id: name for staff_id, name in rows}
    trail = [TrailRow(event, names.get(event.staff_id)) for event in events]
    verified = "Verified" if entry.reporter_verified else "Not verified"
    return DisputePage(
        dispute=dispute,
        tag=rules.DEADLINE_TAGS[rules.deadline_state(dispute.status, dispute.due_on, today)],
        decisions=list(dispute.decisions),
        call=call,
        caller_verification=verified,
        same_number=same_number,
        trail=trail,
        hoax_warning=hoax_warning_for(entry.reporter_number),
        newer=newer_dispute(dispute),
    )


@transactional
def open_dispute_on_call(
    call: Call, entry_id: int, reason: DisputeReason, statement: str, handler: StaffUser
) -> Dispute:
    """Record a dispute the resident, verified on this call, makes about an entry on their
    own record. The entry is marked disputed at once."""
    now = call_state.lock_call(call)
    if call_state.verified_as(call, now) is not VerifiedAs.RESIDENT:
        raise Refused(rules.RESIDENT_NOT_VERIFIED)
    dispute = _open_dispute(
        call.verified_resident_id,
        entry_id,
        reason,
        statement,
        now,
        channel=DisputeChannel.CALL,
        call=call,
        handler=handler,
    )
    audit.record_on_call(
        AuditAction.DISPUTE_OPENED,
        call,
        staff_id=handler.id,
        dispute=dispute.id,
        reference=dispute.reference,
        entry=dispute.entry_id,
        reason=reason.value,
    )
    return dispute


@transactional
def open_dispute_from_portal(
    resident_id: int, entry_id: int, reason: DisputeReason, statement: str, now: datetime
) -> Dispute:
    """Record a dispute the resident, signed in to the portal, makes about an entry on their
    own record. The entry is marked disputed at once."""
    dispute = _open_dispute(
        resident_id, entry_id, reason, statement, now, channel=DisputeChannel.PORTAL
    )
    audit.record(
        AuditAction.DISPUTE_OPENED,
        resident_id=resident_id,
        dispute=dispute.id,
        reference=dispute.reference,
        entry=dispute.entry_id,
        reason=reason.value,
        by="resident",
    )
    return dispute


def _open_dispute(
    resident_id: int | None,
    entry_id: int,
    reason: DisputeReason,
    statement: str,
    now: datetime,
    *,
    channel: DisputeChannel,
    call: Call | None = None,
    handler: StaffUser | None = None,
) -> Dispute:
    """The dispute itself, whichever way the resident made it: only on the resident's own
    entry, only on an entry still active, and the entry marked disputed in the same unit of
    work."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or resident_id is None or entry.resident_id != resident_id:
        raise Refused(rules.NOT_THE_RESIDENTS_ENTRY)
    statement = statement.strip()
    if not statement:
        raise Refused(rules.ENTER_STATEMENT, field="statement")
    # A dispute opened or decided meanwhile, on a call or in the portal, waits for this lock
    # and then sees this one, or this one sees it: never two open, never one overwritten.
    _lock_entry(entry)
    refusal = rules.refusal_to_open(entry.status, _disputes_on(entry.id))
    if refusal is not None:
        raise Refused(refusal)
    entry.status = rules.entry_status_when_opened()
    dispute = Dispute(
        entry_id=entry.id,
        resident_id=entry.resident_id,
        reason=reason,
        statement=statement,
        opened_via=channel,
        call_id=call.id if call else None,
        opened_by_id=handler.id if handler else None,
        opened_at=now,
        due_on=rules.response_due_on(now),
        status=DisputeStatus.OPEN,
        decisions_made=0,
    )
    db.session.add(dispute)
    db.session.flush()
    # Told in the same transaction: a dispute opened in their name by someone else on a call,
    # or by someone who signed in as them, does not go unnoticed.
    outbox.queue_dispute_opened(entry.resident)
    return dispute


def _lock_entry(entry: Entry) -> None:
    """Take the entry's row lock for the rest of this transaction, and re-read the entry as
    the last unit of work left it. The first write of the transaction (after the call's lock
    on a call): on SQLite that makes the transaction the only writer until it commits."""
    lock_row(Entry.status, entry.id)
    db.session.refresh(entry)


def _disputes_on(entry_id: int) -> list[rules.DisputeOnEntry]:
    """Every dispute about the entry, as the rules see them."""
    rows = db.session.execute(
        select(Dispute.id, Dispute.status, Dispute.reference).where(Dispute.entry_id == entry_id)
    )
    return [
        rules.DisputeOnEntry(dispute_id, status, format_reference(reference))
        for dispute_id, status, reference in rows
    ]


def newer_dispute(dispute: Dispute) -> Dispute | None:
    """The newest dispute about the same entry opened after this one, if any: it governs the
    entry, so this one can no longer be decided or corrected."""
    return db.session.scalar(
        select(Dispute)
        .where(Dispute.entry_id == dispute.entry_id, Dispute.id > dispute.id)
        .order_by(Dispute.id.desc())
        .limit(1)
    )


@transactional
def decide_dispute(
    dispute: Dispute,
    outcome: DisputeStatus,
    reasons: str,
    decisions_seen: int,
    supervisor: StaffUser,
    now: datetime,
) -> DisputeDecision:
    """Record a supervisor's decision, or a correction of the standing one.

    `decisions_seen` is how many decisions the supervisor's page showed: the decision is
    recorded only if that is still so, so of two supervisors deciding at once one wins and
    the other is told. Only the newest dispute about an entry is decided or corrected: the
    entry's row lock is taken first, so a dispute opened at the same moment is either seen
    here or waits and sees this decision. The entry is marked as its disputes then say, the
    resident is told through the outbox, and when an upheld entry had sent a team out, the
    team's dispatch gets a correction notice.
    """
    reasons = reasons.strip()
    if outcome not in rules.DECIDED:
        raise Refused(rules.SELECT_OUTCOME, field="outcome")
    if not reasons:
        raise Refused(rules.ENTER_REASONS, field="reasons")
    entry = dispute.entry
    _lock_entry(entry)
    db.session.refresh(dispute)
    ruling = rules.rule_on_decision(
        rules.DisputeOnEntry(dispute.id, dispute.status),
        decisions_seen,
        dispute.decisions_made,
        outcome,
        [other for other in _disputes_on(entry.id) if other.id != dispute.id],
    )
    if ruling.refusal is not None:
        raise Refused(ruling.refusal)
    expected = [Dispute.id == dispute.id, Dispute.decisions_made == decisions_seen]
    if decisions_seen == 0:
        expected.append(Dispute.status == DisputeStatus.OPEN)
    else:
        expected.append(Dispute.status != DisputeStatus.OPEN)
    won = db.session.execute(
        update(Dispute)
        .where(*expected)
        .values(status=outcome, decisions_made=Dispute.decisions_made + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(dispute)
    if won.rowcount != 1:
        raise Refused(
            rules.refusal_to_decide(dispute.status, decisions_seen, dispute.decisions_made)
            or rules.ALREADY_DECIDED
        )
    standing = db.session.scalar(
        select(DisputeDecision.id)
        .where(DisputeDecision.dispute_id == dispute.id)
        .order_by(DisputeDecision.id.desc())
        .limit(1)
    )
    decision = DisputeDecision(
        dispute_id=dispute.id,
        outcome=outcome,
        reasons=reasons,
        decided_by_id=supervisor.id,
        decided_at=now,
        supersedes_id=standing,
    )
    db.session.add(decision)
    entry.status = ruling.entry_status
    db.session.flush()
    # Who decided, on whose record, and which dispute: said by each event the decision makes.
    decided = {"staff_id": supervisor.id, "resident_id": dispute.resident_id, "dispute": dispute.id}
    audit.record(
        AuditAction.DISPUTE_DECIDED,
        **decided,
        decision=decision.id,
        entry=entry.id,
        outcome=outcome.value,
        supersedes=standing,
    )
    if entry.status is EntryStatus.UPHELD:
        for dispatch in entry.dispatches:
            audit.record(
                AuditAction.DISPATCH_CORRECTION, **decided, dispatch=dispatch.id, team=dispatch.team
            )
    body = dispute_decided_text(outcome, current_app.config["RESIDENT_PORTAL_URL"])
    outbox.queue_message(MessageKind.DISPUTE_DECIDED, dispute.resident, body)
    return decision


def strikes_of(number: ColumnElement[str | None]) -> ScalarSelect[int]:
    """A number's hoax strikes, as a column of another query: how many reports from it stand
    upheld after a dispute. By the index on the entries' reporter number."""
    return (
        select(func.count())
        .select_from(Dispute)
        .join(Entry, Entry.id == Dispute.entry_id)
        .where(Entry.reporter_number == number, Dispute.status == DisputeStatus.UPHELD)
        .scalar_subquery()
    )


def hoax_strikes(number: str | None) -> int:
    """How many reports from this number stand upheld after a dispute: its hoax strikes."""
    if not number:
        return 0
    return db.session.scalar(select(strikes_of(literal(number)))) or 0


def hoax_warning_for(number: str | None) -> str | None:
    """The warning a handler sees when this number calls: never a block (rule 6)."""
    return rules.hoax_warning(hoax_strikes(number))
