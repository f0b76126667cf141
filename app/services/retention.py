"""Retention: removing what the schedule says is due (app/rules/retention.py), a batch at a time.

Each kind is walked in id order, a batch of candidates at a time: the database narrows them
to rows old enough for the kind's shortest period, the rule decides each one, and the due ones
are removed with what hangs off them. Holds, disputes and the rows pointing at a candidate are
looked up once per batch. `purge_batch` is one transaction that locks its candidates and checks
holds and open disputes again just before removing them; an interrupted purge keeps every
batch it finished, and a second run finds only what is still due.

What hangs off a removed row:

- a call takes its verification attempts and text codes with it; entries reported on it,
  disputes recorded on it, permission history and changes to numbers on file that name it
  stay, no longer naming it;
- an entry takes its dispatches and its decided disputes (with their decisions) with it;
- any other table that points at a call, entry, attempt or message (audit events while they
  keep a foreign key to calls, requests recorded on a call) keeps that row until it no longer
  does: the rule's "referenced". Audit events are never edited.

Audit events are removed by the audit trail itself (`audit.purge_before`), which keeps its
chain verifiable.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, delete, exists, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db
from app.models import (
    AuditEvent,
    Call,
    CallLeg,
    Dispatch,
    Dispute,
    DisputeDecision,
    Entry,
    LegalHold,
    OutboxMessage,
    Permission,
    PermissionEvent,
    PortalSession,
    ResidentPhoneChange,
    TextCode,
    VerificationAttempt,
)
from app.rules import retention as rules
from app.rules.audit_actions import AuditAction
from app.rules.retention import Schedule
from app.rules.vocabulary import DisputeStatus, RetainedKind, RetentionDecision
from app.services import audit, legal_holds
from app.services.lookups import count_of
from app.services.transactions import transactional

# The order a purge goes in: what points at calls before calls, and the audit log last, since
# its events name the rest.
ORDER = (
    RetainedKind.PORTAL_SIGN_INS,
    RetainedKind.PHONE_CHANGES,
    RetainedKind.MESSAGES,
    RetainedKind.VERIFICATION_ATTEMPTS,
    RetainedKind.ENTRIES,
    RetainedKind.CALLS,
    RetainedKind.AUDIT_EVENTS,
)
ROW_KINDS = ORDER[:-1]

# Tables whose rows retention looks after when the row they point at goes (see above).
# Permissions are not removed, and keep the call a verbal consent was given on: the rule's
# "consent evidence".
_LOOKED_AFTER = {
    "calls": {
        "entries",
        "disputes",
        "permission_events",
        "permissions",
        "resident_phone_changes",
        "text_codes",
        "verification_attempts",
        "call_legs",
    },
    "entries": {"disputes", "dispatches"},
    "disputes": {"dispute_decisions"},
    "verification_attempts": set(),
    "outbox_messages": set(),
    "resident_phone_changes": set(),
    "portal_sessions": set(),
}


def schedule() -> Schedule:
    return Schedule.from_days(current_app.config["RETENTION_SCHEDULE_DAYS"])


def batch_size() -> int:
    return max(1, int(current_app.config["RETENTION_BATCH_SIZE"]))


@dataclass(frozen=True)
class Batch:
    """What one batch of a kind examined and removed, and where the next batch starts (None
    once the kind is done)."""

    examined: int
    removed: int
    next_after: int | None


def _held(resident_id: InstrumentedAttribute) -> ColumnElement[bool]:
    return exists().where(LegalHold.resident_id == resident_id, LegalHold.lifted_at.is_(None))


def _held_residents() -> set[int]:
    """The residents whose records are under a legal hold now (a short list)."""
    return set(
        db.session.scalars(select(LegalHold.resident_id).where(LegalHold.lifted_at.is_(None)))
    )


def _pointers(table: str) -> list:
    """The columns of tables retention does not look after that point at `table`. Read from
    the models, so a table added later keeps what it points at without a change here."""
    looked_after = _LOOKED_AFTER[table]
    return [
        fk.parent
        for other in db.metadata.sorted_tables
        if other.name not in looked_after
        for fk in other.foreign_keys
        if fk.column.table.name == table
    ]


def _pointed_at(ids: list[int], columns, *where: ColumnElement[bool]) -> set[int]:
    """Which of `ids` any of `columns` holds: one query per column for the whole batch, never
    one per row."""
    found: set[int] = set()
    for column in columns:
        if ids:
            found.update(db.session.scalars(select(column).where(column.in_(ids), *where)))
    return found


def _open_dispute_on(call_id: InstrumentedAttribute) -> ColumnElement[bool]:
    recorded_on_it = exists().where(
        Dispute.call_id == call_id, Dispute.status == DisputeStatus.OPEN
    )
    reported_on_it = exists().where(
        Entry.call_id == call_id,
        Dispute.entry_id == Entry.id,
        Dispute.status == DisputeStatus.OPEN,
    )
    return or_(recorded_on_it, reported_on_it)


def _attempt_on_held_record(call_id: InstrumentedAttribute) -> ColumnElement[bool]:
    return exists().where(
        VerificationAttempt.call_id == call_id, _held(VerificationAttempt.resident_id)
    )


def candidates_count(kind: RetainedKind, now: datetime) -> int:
    """Rows old enough for the kind's shortest period: at most this many are due."""
    model, made_at = _CANDIDATES[kind]
    return count_of(model, made_at <= rules.cutoff(now, schedule().period(kind)))


def _examine(
    kind: RetainedKind, now: datetime, after_id: int, size: int, *, lock: bool = False
) -> tuple[list[int], Batch]:
    """The due ids among the next `size` candidates after `after_id`, and where that leaves
    the walk. Reads only; `lock` locks the candidates for their removal."""
    plan = schedule()
    decide = _DECIDERS[kind]
    due, last_id, examined = decide(plan, now, after_id, size, lock)
    next_after = last_id if examined == size else None
    return due, Batch(examined=examined, removed=0, next_after=next_after)


def _rows(model, lock: bool, query) -> list:
    """The candidates' rows; when they are to be removed, locked until the batch commits, so
    that nothing can point at one (a dispute opened on an entry) between the decision and the
    removal."""
    if lock:
        query = query.with_for_update(of=model)
    return db.session.execute(query).all()


def _walked(rows: list, after_id: int, due: list[int]):
    return due, rows[-1].id if rows else after_id, len(rows)


def _due_calls(plan: Schedule, now: datetime, after_id: int, size: int, lock: bool):
    rows = _rows(
        Call,
        lock,
        select(Call.id, Call.started_at, Call.ended_at, Call.resident_id)
        .where(Call.id > after_id, Call.started_at <= rules.cutoff(now, plan.calls))
        .order_by(Call.id)
        .limit(size),
    )
    ids = [row.id for row in rows]
    held = _held_residents()
    held_calls = (
        _pointed_at(ids, [VerificationAttempt.call_id], VerificationAttempt.resident_id.in_(held))
        if held
        else set()
    )
    open_disputes = _pointed_at(ids, [Dispute.call_id], Dispute.status == DisputeStatus.OPEN) | set(
        db.session.scalars(
            select(Entry.call_id)
            .join(Dispute, Dispute.entry_id == Entry.id)
            .where(Entry.call_id.in_(ids), Dispute.status == DisputeStatus.OPEN)
        )
    )
    evidence = _pointed_at(ids, [Permission.granted_on_call_id])
    referenced = _pointed_at(ids, _pointers("calls"))
    due = [
        row.id
        for row in rows
        if rules.call_decision(
            row.started_at,
            now,
            plan,
            ended=row.ended_at is not None,
            on_hold=row.resident_id in held or row.id in held_calls,
            under_open_dispute=row.id in open_disputes,
            consent_evidence=row.id in evidence,
            referenced=row.id in referenced,
        )
        is RetentionDecision.REMOVE
    ]
    return _walked(rows, after_id, due)


def _due_entries(plan: Schedule, now: datetime, after_id: int, size: int, lock: bool):
    rows = _rows(
        Entry,
        lock,
        select(Entry.id, Entry.created_at, Entry.area_code, Entry.resident_id)
        .where(
            Entry.id > after_id,
            Entry.created_at <= rules.cutoff(now, plan.shortest_entry_period),
        )
        .order_by(Entry.id)
        .limit(size),
    )
    ids = [row.id for row in rows]
    statuses: dict[int, set[DisputeStatus]] = defaultdict(set)
    dispute_ids: dict[int, int] = {}
    if ids:
        for dispute_id, entry_id, status in db.session.execute(
            select(Dispute.id, Dispute.entry_id, Dispute.status).where(Dispute.entry_id.in_(ids))
        ):
            statuses[entry_id].add(status)
            dispute_ids[dispute_id] = entry_id
    referenced = _pointed_at(ids, _pointers("entries")) | {
        dispute_ids[dispute_id]
        for dispute_id in _pointed_at(list(dispute_ids), _pointers("disputes"))
    }
    held = _held_residents()
    due = [
        row.id
        for row in rows
        if rules.entry_decision(
            row.created_at,
            row.area_code,
            statuses[row.id],
            now,
            plan,
            on_hold=row.resident_id in held,
            referenced=row.id in referenced,
        )
        is RetentionDecision.REMOVE
    ]
    return _walked(rows, after_id, due)


def _due_by_age(
    model, table: str, period, now: datetime, after_id: int, size: int, lock: bool, *columns, decide
):
    """The next batch of `model`'s rows older than `period`, and which of them are due: each
    row (id, created_at, resident_id and `columns`) is put to `decide` with whether its
    resident is on hold and whether another table still points at it."""
    rows = _rows(
        model,
        lock,
        select(model.id, model.created_at, model.resident_id, *columns)
        .where(model.id > after_id, model.created_at <= rules.cutoff(now, period))
        .order_by(model.id)
        .limit(size),
    )
    referenced = _pointed_at([row.id for row in rows], _pointers(table))
    held = _held_residents()
    due = [
        row.id
        for row in rows
        if decide(row, on_hold=row.resident_id in held, referenced=row.id in referenced)
        is RetentionDecision.REMOVE
    ]
    return _walked(rows, after_id, due)


def _due_aged(kind: RetainedKind, table: str):
    """The walk of a kind kept only for its period, while held or while others refer to it."""

    def due(plan: Schedule, now: datetime, after_id: int, size: int, lock: bool):
        model, _ = _CANDIDATES[kind]

        def decide(row, **facts):
            return rules.aged_decision(kind, row.created_at, now, plan, **facts)

        period = plan.period(kind)
        return _due_by_age(model, table, period, now, after_id, size, lock, decide=decide)

    return due


def _due_messages(plan: Schedule, now: datetime, after_id: int, size: int, lock: bool):
    return _due_by_age(
        OutboxMessage, "outbox_messages", plan.messages, now, after_id, size, lock,
        OutboxMessage.status,
        decide=lambda row, **facts: rules.message_decision(
            row.created_at, row.status, now, plan, **facts
        ),
    )  # fmt: skip


def _still_free(model, ids: list[int], *protected: ColumnElement[bool]) -> list[int]:
    """The ids that nothing protects now. The rows are locked, so nothing new can point at
    them; this statement sees what was committed while the batch waited for its locks."""
    return list(
        db.session.scalars(select(model.id).where(model.id.in_(ids), *[~p for p in protected]))
    )


def _remove_calls(ids: list[int]) -> int:
    ids = _still_free(
        Call,
        ids,
        _held(Call.resident_id),
        _attempt_on_held_record(Call.id),
        _open_dispute_on(Call.id),
    )
    if not ids:
        return 0
    for model in (Entry, Dispute, PermissionEvent, ResidentPhoneChange):
        db.session.execute(
            update(model)
            .where(model.call_id.in_(ids))
            .values(call_id=None)
            .execution_options(synchronize_session=False)
        )
    for model in (TextCode, VerificationAttempt, CallLeg):
        db.session.execute(
            delete(model).where(model.call_id.in_(ids)).execution_options(synchronize_session=False)
        )
    db.session.execute(
        delete(Call).where(Call.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return len(ids)


def _remove_entries(ids: list[int]) -> int:
    open_dispute = exists().where(
        Dispute.entry_id == Entry.id, Dispute.status == DisputeStatus.OPEN
    )
    ids = _still_free(Entry, ids, _held(Entry.resident_id), open_dispute)
    if not ids:
        return 0
    disputes = select(Dispute.id).where(Dispute.entry_id.in_(ids)).scalar_subquery()
    # A correction names the decision it supersedes: unlink them, then remove them together.
    db.session.execute(
        update(DisputeDecision)
        .where(DisputeDecision.dispute_id.in_(disputes))
        .values(supersedes_id=None)
        .execution_options(synchronize_session=False)
    )
    for statement in (
        delete(DisputeDecision).where(DisputeDecision.dispute_id.in_(disputes)),
        delete(Dispute).where(Dispute.entry_id.in_(ids)),
        delete(Dispatch).where(Dispatch.entry_id.in_(ids)),
        delete(Entry).where(Entry.id.in_(ids)),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    return len(ids)


def _remove_rows(model) -> Callable[[list[int]], int]:
    def remove(ids: list[int]) -> int:
        db.session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        )
        return len(ids)

    return remove


_CANDIDATES = {
    RetainedKind.CALLS: (Call, Call.started_at),
    RetainedKind.ENTRIES: (Entry, Entry.created_at),
    RetainedKind.VERIFICATION_ATTEMPTS: (VerificationAttempt, VerificationAttempt.created_at),
    RetainedKind.MESSAGES: (OutboxMessage, OutboxMessage.created_at),
    RetainedKind.AUDIT_EVENTS: (AuditEvent, AuditEvent.at),
    RetainedKind.PHONE_CHANGES: (ResidentPhoneChange, ResidentPhoneChange.created_at),
    RetainedKind.PORTAL_SIGN_INS: (PortalSession, PortalSession.created_at),
}
_DECIDERS = {
    RetainedKind.CALLS: _due_calls,
    RetainedKind.ENTRIES: _due_entries,
    RetainedKind.VERIFICATION_ATTEMPTS: _due_aged(
        RetainedKind.VERIFICATION_ATTEMPTS, "verification_attempts"
    ),
    RetainedKind.MESSAGES: _due_messages,
    RetainedKind.PHONE_CHANGES: _due_aged(RetainedKind.PHONE_CHANGES, "resident_phone_changes"),
    RetainedKind.PORTAL_SIGN_INS: _due_aged(RetainedKind.PORTAL_SIGN_INS, "portal_sessions"),
}
_REMOVERS = {
    RetainedKind.CALLS: _remove_calls,
    RetainedKind.ENTRIES: _remove_entries,
    RetainedKind.VERIFICATION_ATTEMPTS: _remove_rows(VerificationAttempt),
    RetainedKind.MESSAGES: _remove_rows(OutboxMessage),
    RetainedKind.PHONE_CHANGES: _remove_rows(ResidentPhoneChange),
    RetainedKind.PORTAL_SIGN_INS: _remove_rows(PortalSession),
}


@transactional
def purge_batch(kind: RetainedKind, now: datetime, after_id: int = 0, size: int = 1000) -> Batch:
    """Remove what is due among the next `size` rows of a kind after `after_id`: one unit of
    work. Rows removed by an earlier run are simply not there, so a re-run is safe."""
    due, batch = _examine(kind, now, after_id, size, lock=True)
    removed = _REMOVERS[kind](due) if due else 0
    return Batch(examined=batch.examined, removed=removed, next_after=batch.next_after)


def count_due(kind: RetainedKind, now: datetime, size: int = 1000) -> int:
    """How many rows of a kind are due now, decided exactly as a purge would; reads only."""
    if kind is RetainedKind.AUDIT_EVENTS:
        return audit_events_due(now)
    total, after_id = 0, 0
    while True:
        due, batch = _examine(kind, now, after_id, size)
        total += len(due)
        if batch.next_after is None:
            return total
        after_id = batch.next_after


def audit_cutoff(now: datetime) -> datetime | None:
    """Audit events before this moment are due; None while any legal hold is in force."""
    return rules.audit_cutoff(now, schedule(), holds_in_force=legal_holds.holds_in_force_count())


def audit_events_due(now: datetime) -> int:
    """At most this many audit events are due (the audit trail may keep some it cannot remove
    safely)."""
    before = audit_cutoff(now)
    if before is None:
        return 0
    return count_of(AuditEvent, AuditEvent.at < before)


def purge_audit_events(
    now: datetime, size: int = 1000, progress: Callable[[int], None] | None = None
) -> int:
    """Remove the audit events due, through the audit trail, which commits its own batches."""
    before = audit_cutoff(now)
    if before is None:
        return 0
    return audit.purge_before(before, batch_size=size, progress=progress)


@transactional
def record_purge(counts: dict[RetainedKind, int], *, completed: bool = True) -> None:
    """Record in the audit log how many of each kind a purge removed: counts, never data."""
    audit.record(AuditAction.RETENTION_PURGED, completed=completed, **rules.purged_summary(counts))
