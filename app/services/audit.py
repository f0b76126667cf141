"""The audit trail: written in the same transaction as the change it records, and made
tamper-evident (docs/architecture.md, "The audit log"; the hashes are app/rules/audit_chain.py).

- `record` gives each event, as it is written, a MAC over its own content: no lock, no read of
  other events, so writing events never serialises requests.
- `seal_pending` (run by `flask audit seal` and by the scheduler's `audit-seal` job, never in
  a request) links events into one chain in id order. It is the only place that orders
  events. It never blocks a writer: on PostgreSQL it seals only as far as every transaction
  that could still be writing a lower id has ended (read from snapshots, no table lock), and
  takes an advisory lock so that one sealer runs at a time.
- After each round that sealed something, the new head is written outside the database
  (app/services/audit_head.py); the sealer refuses to seal a chain that no longer reaches the
  head it last wrote.
- `verify` walks the chain, names the first broken event, and checks that the chain still
  reaches the head written outside the database.
- `purge_before` removes old sealed events for retention, each batch with an anchor saying
  where the chain now starts. On PostgreSQL only the audit tables' owner can purge.
"""

import csv
import io
import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, text

from app import clock
from app.extensions import db
from app.models import AuditAnchor, AuditEvent, AuditSeal, Call, Resident, StaffUser
from app.references import format_reference, normalise_reference
from app.refusals import Refused
from app.rules import audit_chain
from app.rules.audit_actions import AuditAction
from app.rules.audit_chain import AuditFilters, ChainCheck, EventContent, HeadMark, StoredEvent
from app.services import audit_head
from app.services.facts import facts_from
from app.services.transactions import transactional

# One sealer or purge at a time (pg_advisory_xact_lock); any number of writers.
CHAIN_LOCK = 0x41554454  # "AUDT"
SEAL_BATCH = 1000
# How long the sealer waits for transactions still writing events (PostgreSQL), how long
# apart it looks at what is running, and how often it looks again.
SETTLE_WAIT = 1.0
SETTLE_GAP = 0.05
SETTLE_POLL = 0.02
VERIFY_BATCH = 5000


def chain_key() -> bytes:
    """The chain's key: `AUDIT_CHAIN_KEY`, or in development and tests one derived from the
    secret key. Production refuses to start without it (config.ProductionConfig.check)."""
    configured = current_app.config.get("AUDIT_CHAIN_KEY")
    if configured:
        return configured.encode()
    if current_app.config.get("IS_PRODUCTION"):
        raise RuntimeError("AUDIT_CHAIN_KEY must be set in production")
    secret = current_app.config["SECRET_KEY"]
    derived = current_app.extensions.get("audit_chain_key")
    if derived is None or derived[0] != secret:
        derived = (secret, audit_chain.derive_key(secret))
        current_app.extensions["audit_chain_key"] = derived
    return derived[1]


@dataclass(frozen=True)
class Origin:
    """Where the acts a request audits come from: the client's address, and the member of
    staff signed in with their role (so an event names the role without reading it again).
    The web layer sets it for each request (`app/audit_origin.py`); a command has none."""

    address: str | None = None
    staff_id: int | None = None
    role: str | None = None


NO_ORIGIN = Origin()  # a command run from the shell, or a test calling a service
_origin: ContextVar[Origin] = ContextVar("audit_origin")


def set_origin(origin: Origin):
    """Make `origin` where this context's events come from; returns the token to reset it."""
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)


def current_origin() -> Origin:
    return _origin.get(NO_ORIGIN)


def _role_of(staff_id: int | None, origin: Origin) -> str | None:
    if staff_id is None:
        return None
    if origin.staff_id == staff_id and origin.role is not None:
        return origin.role
    staff = db.session.get(StaffUser, staff_id)
    return staff.role.value if staff else None


def _entry_id(detail: dict[str, Any]) -> int | None:
    for name in ("entry_id", "entry"):
        value = detail.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def content_of(event: AuditEvent) -> EventContent:
    return facts_from(EventContent, event)


def _event_values(
    action: AuditAction | str,
    staff_id: int | None,
    resident_id: int | None,
    call_id: int | None,
    purpose: str | None,
    detail: dict[str, Any],
) -> dict[str, Any]:
    """An event's columns, with its MAC over the rest of them (`content_of` reads the same
    fields back from a stored event)."""
    action = str(action)
    stated = detail.get("outcome")
    origin = _origin.get(NO_ORIGIN)
    values: dict[str, Any] = {
        "at": clock.now(),
        "action": action,
        "staff_id": staff_id,
        "role": _role_of(staff_id, origin),
        "resident_id": resident_id,
        "call_id": call_id,
        "entry_id": _entry_id(detail),
        "purpose": purpose,
        "outcome": audit_chain.outcome_of(action, stated if isinstance(stated, str) else None),
        "detail": audit_chain.plain_detail(detail),
        "remote_addr": origin.address,
        "nonce": secrets.token_hex(16),
    }
    if current_app.config.get("AUDIT_CHAIN_ENABLED", True):
        values["mac"] = audit_chain.event_mac(chain_key(), EventContent(**values))
    return values


def record(
    action: AuditAction | str,
    *,
    staff_id: int | None = None,
    resident_id: int | None = None,
    call_id: int | None = None,
    purpose: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit writes it.

    `action` is one of the vocabulary's (app/rules/audit_actions.py), stored as its code. The
    event carries the member of staff's role, the entry it is about (an `entry` or `entry_id`
    in the detail), its outcome (an `outcome` in the detail, else read from the action) and a
    MAC over all of it.
    """
    event = AuditEvent(**_event_values(action, staff_id, resident_id, call_id, purpose, detail))
    db.session.add(event)
    return event


_INSERT_EVENT = insert(AuditEvent.__table__)
# What an event is about, as `record` takes it: every other keyword is the detail.
_ABOUT = ("staff_id", "resident_id", "call_id", "purpose")


def record_now(action: AuditAction | str, **fields: Any) -> None:
    """Write an audit event in the unit of work at once, with one INSERT: the same event, MAC
    and all, that `record` adds, for a unit of work that writes nothing else and wants no
    object back (a search, many times a call). `fields` are `record`'s keywords: `staff_id`,
    `resident_id`, `call_id`, `purpose`, and the rest the detail. No object is made and
    nothing is flushed, so the commit has no unit of work to sort out; the caller's commit
    keeps it, its rollback drops it."""
    staff_id, resident_id, call_id, purpose = [fields.pop(name, None) for name in _ABOUT]
    values = _event_values(action, staff_id, resident_id, call_id, purpose, fields)
    db.session.connection().execute(_INSERT_EVENT, values)


def record_on_call(
    action: AuditAction | str, call: Call, *, staff_id: int | None = None, **detail: Any
) -> AuditEvent:
    """Add an audit event about a call: it names the call, and the resident the call is
    about as it stands now."""
    return record(
        action, staff_id=staff_id, resident_id=call.resident_id, call_id=call.id, **detail
    )


@transactional
def record_command(command: str, **detail: Any) -> None:
    """Record that a command was run from the command line (`flask ...`), with what it did:
    a unit of work of its own, for commands whose changes are not audited one by one."""
    record(AuditAction.COMMAND_RUN, command=command, **detail)


# Sealing ------------------------------------------------------------------------------------


class AuditChainBroken(RuntimeError):
    """The chain does not verify: a purge keeps the events as evidence, and the sealer seals
    nothing onto a chain that no longer reaches its recorded head."""


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _take_chain_lock() -> None:
    if _is_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


@dataclass(frozen=True)
class ChainStart:
    after_event_id: int
    previous_seal: str
    anchor: AuditAnchor | None


def _chain_start() -> ChainStart:
    anchor = db.session.scalar(select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1))
    if anchor is None:
        return ChainStart(0, audit_chain.GENESIS, None)
    return ChainStart(anchor.after_event_id, anchor.previous_seal, anchor)


def _mark() -> tuple[int, int]:
    """The newest committed event, and a transaction id given out after every transaction
    running when it was read had been given theirs (this statement's own, committed at once)."""
    row = db.session.execute(
        text(
            "SELECT (SELECT max(id) FROM audit_events) AS newest, "
            "pg_current_xact_id()::text::numeric AS horizon"
        )
    ).one()
    db.session.commit()
    return row.newest or 0, int(row.horizon)


def _oldest_running() -> int:
    """The oldest transaction still running (or, when none is, the next to be given out)."""
    oldest = db.session.scalar(
        text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::numeric")
    )
    db.session.commit()
    return int(oldest)


def _settled_limit() -> int | None:
    """The highest event id below which no transaction is still writing; None when one has
    been writing for longer than SETTLE_WAIT (the next round seals it all).

    Ids come from a sequence as rows are written, so an event with a lower id than one
    already committed may still be on its way, and sealing past it would leave it out of the
    chain. Nothing here takes a lock, so no writer ever waits for the sealer. On PostgreSQL
    it reads the newest committed event; a moment later takes a transaction id (a
    transaction that had taken an event id but not yet a transaction id has one by then);
    and waits until every transaction given an id before that one has ended. Every event up
    to the newest it read is then committed or rolled back. SQLite writes one transaction
    at a time, in id order.
    """
    if not _is_postgresql():
        limit = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        db.session.commit()
        return limit
    newest, _ = _mark()
    time.sleep(SETTLE_GAP)
    _, horizon = _mark()
    deadline = time.monotonic() + SETTLE_WAIT
    while _oldest_running() < horizon:
        if time.monotonic() > deadline:
            return None
        time.sleep(SETTLE_POLL)
    return newest


def _newest_seal(start: ChainStart) -> HeadMark | None:
    row = db.session.execute(
        select(AuditSeal.event_id, AuditSeal.seal, AuditSeal.sealed_at)
        .where(AuditSeal.event_id > start.after_event_id)
        .order_by(AuditSeal.event_id.desc())
        .limit(1)
    ).first()
    return HeadMark(row.event_id, row.seal, row.sealed_at) if row else None


def _stored_seal(event_id: int) -> str | None:
    """The seal of event `event_id`, when the event and its seal are both there."""
    return db.session.scalar(
        select(AuditSeal.seal)
        .join(AuditEvent, AuditEvent.id == AuditSeal.event_id)
        .where(AuditSeal.event_id == event_id)
    )


def _head_problem(mark: HeadMark, start: ChainStart) -> str | None:
    return audit_chain.head_problem(
        mark, chain_starts_after=start.after_event_id, stored_seal=_stored_seal(mark.event_id)
    )


@dataclass(frozen=True)
class Sealed:
    """What one batch sealed, and the chain's newest seal after it (None: nothing sealed
    since the chain's start)."""

    count: int
    head: HeadMark | None


@transactional
def _seal_batch(limit: int, batch_size: int, recorded: HeadMark | None) -> Sealed:
    """Seal the next events up to `limit`. `recorded` (the head last written outside the
    database), when given, is checked first: the chain must still reach it."""
    _take_chain_lock()
    start = _chain_start()
    if recorded is not None:
        problem = _head_problem(recorded, start)
        if problem:
            raise AuditChainBroken(f"Nothing sealed: {problem}. Run flask audit verify.")
    head = _newest_seal(start)
    head_id, previous = (
        (head.event_id, head.seal) if head else (start.after_event_id, start.previous_seal)
    )
    rows = db.session.execute(
        select(AuditEvent.id, AuditEvent.mac)
        .where(AuditEvent.id > head_id, AuditEvent.id <= limit, AuditEvent.mac.is_not(None))
        .order_by(AuditEvent.id)
        .limit(batch_size)
    ).all()
    if not rows:
        return Sealed(0, head)
    key = chain_key()
    now = clock.now()
    seals = []
    for row in rows:
        previous = audit_chain.seal(key, previous, row.mac, row.id)
        seals.append({"event_id": row.id, "seal": previous, "sealed_at": now})
    db.session.execute(insert(AuditSeal), seals)
    return Sealed(len(seals), HeadMark(rows[-1].id, previous, now))


def seal_pending(batch_size: int = SEAL_BATCH) -> int:
    """Link every settled event into the chain; the number sealed. Never call it in a request.

    When a transaction writing events runs longer than SETTLE_WAIT, nothing is sealed this
    time (the next round seals it all). When the chain no longer reaches the head last
    written outside the database, or that head's line was edited, nothing is sealed:
    `AuditChainBroken`. A round that sealed something writes the new head out; so does one
    that finds the head file missing or empty, so that a new or rotated file starts at once.
    """
    key = chain_key()
    reading = audit_head.read(key)
    if reading.problem:
        raise AuditChainBroken(f"Nothing sealed: {reading.problem}. Run flask audit verify.")
    limit = _settled_limit()
    if limit is None:
        current_app.logger.warning("audit: events still being written; sealing next round")
        return 0
    sealed, recorded = 0, reading.mark
    while True:
        done = _seal_batch(limit, batch_size, recorded)
        recorded = None
        sealed += done.count
        if done.count < batch_size:
            break
    if done.head is not None and (sealed or reading.unavailable):
        audit_head.write(key, done.head)
    return sealed


# Verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadCheck:
    """The chain against the head written outside the database: the head the file names,
    what is wrong (fails `verify`), or a note on why it was not checked."""

    mark: HeadMark | None = None
    problem: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Verification:
    check: ChainCheck
    seconds: float
    anchor_problem: str | None = None
    head: HeadCheck = HeadCheck()

    @property
    def intact(self) -> bool:
        return self.check.intact and self.anchor_problem is None and self.head.problem is None


_CONTENT_COLUMNS = (
    AuditEvent.at,
    AuditEvent.action,
    AuditEvent.staff_id,
    AuditEvent.role,
    AuditEvent.resident_id,
    AuditEvent.call_id,
    AuditEvent.entry_id,
    AuditEvent.purpose,
    AuditEvent.outcome,
    AuditEvent.detail,
    AuditEvent.remote_addr,
    AuditEvent.nonce,
)


def _stored_events(after_id: int, batch: int, up_to: int | None) -> Iterator[list[StoredEvent]]:
    """Events in id order with their seals, a batch at a time: plain rows, not ORM objects."""
    last = after_id
    while True:
        query = (
            select(AuditEvent.id, AuditEvent.mac, AuditSeal.seal, *_CONTENT_COLUMNS)
            .outerjoin(AuditSeal, AuditSeal.event_id == AuditEvent.id)
            .where(AuditEvent.id > last)
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        if up_to is not None:
            query = query.where(AuditEvent.id <= up_to)
        rows = db.session.execute(query).all()
        if not rows:
            return
        yield [StoredEvent(row[0], EventContent(*row[3:]), row[1], row[2]) for row in rows]
        last = rows[-1][0]


def _first_copy(after_id: int, up_to: int | None) -> int | None:
    """The first event repeating an earlier one's MAC (the unique constraint stops this
    unless someone dropped it)."""
    repeats = (
        select(func.max(AuditEvent.id).label("id"))
        .where(AuditEvent.id > after_id, AuditEvent.mac.is_not(None))
        .group_by(AuditEvent.mac)
        .having(func.count() > 1)
    )
    if up_to is not None:
        repeats = repeats.where(AuditEvent.id <= up_to)
    return db.session.scalar(select(func.min(repeats.subquery().c.id)))


def _sealing_grace() -> timedelta:
    return current_app.config["AUDIT_SEALING_GRACE"]


def _first_before_start(start: ChainStart) -> int | None:
    """An event at or before the chain's start, where a purge left none."""
    if not start.after_event_id:
        return None
    return db.session.scalar(
        select(func.min(AuditEvent.id)).where(AuditEvent.id <= start.after_event_id)
    )


def _check_head(key: bytes, start: ChainStart) -> HeadCheck:
    """Whether the chain still reaches the head the head file names. A missing, empty or
    unreadable file fails only in production: in development the file sits in `instance/`
    beside a database made and thrown away freely."""
    reading = audit_head.read(key)
    if reading.problem:
        return HeadCheck(problem=reading.problem)
    if reading.mark is not None:
        return HeadCheck(reading.mark, _head_problem(reading.mark, start))
    chain_begun = start.anchor is not None or _newest_seal(start) is not None
    if not chain_begun:
        return HeadCheck()
    if reading.path is None:
        return HeadCheck(
            note="No head file is set (AUDIT_HEAD_FILE), so the chain's newest seal was not "
            "checked: compare the last sealed event with the newest head line in syslog."
        )
    if current_app.config.get("IS_PRODUCTION"):
        return HeadCheck(
            problem=f"{reading.unavailable}, though the database has sealed events: whether "
            "the newest sealed events were deleted cannot be checked"
        )
    return HeadCheck(
        note=f"Not checked against a head: {reading.unavailable} (in production this fails)."
    )


def verify(batch_size: int = VERIFY_BATCH, up_to: int | None = None) -> Verification:
    """Walk the chain from its start (as far as event `up_to`, or to its end); the first
    broken event, if any, and what was counted. A whole walk also checks the chain against
    the head written outside the database."""
    started = time.perf_counter()
    key = chain_key()
    start = _chain_start()
    anchor_problem = None
    if start.anchor is not None and start.anchor.mac != audit_chain.anchor_mac(
        key, start.after_event_id, start.previous_seal
    ):
        anchor_problem = f"The chain's start (anchor {start.anchor.id}) was changed or forged."
    check = ChainCheck(
        key=key, now=clock.now(), grace=_sealing_grace(), previous_seal=start.previous_seal
    )
    orphan = db.session.scalar(
        select(func.min(AuditSeal.event_id))
        .outerjoin(AuditEvent, AuditEvent.id == AuditSeal.event_id)
        .where(AuditSeal.event_id > start.after_event_id, AuditEvent.id.is_(None))
        .where(AuditSeal.event_id <= up_to if up_to is not None else True)
    )
    for events in _stored_events(start.after_event_id, batch_size, up_to):
        if orphan is not None and events[0].id > orphan:
            break
        if not check.feed(e for e in events if orphan is None or e.id < orphan):
            break
    check.finish()
    if orphan is not None:
        check.missing(orphan)
    copied = _first_copy(start.after_event_id, up_to)
    if copied is not None:
        check.copied(copied)
    before_start = _first_before_start(start)
    if before_start is not None:
        check.before_start(before_start, start.after_event_id)
    head = _check_head(key, start) if up_to is None else HeadCheck()
    return Verification(check, time.perf_counter() - started, anchor_problem, head)


# Purging ------------------------------------------------------------------------------------


class AuditPurgeRefused(RuntimeError):
    """The database role is not the audit tables' owner, which alone may purge them."""


def check_may_purge() -> None:
    """On PostgreSQL only the audit tables' owner (or a member of its role) may purge: the
    trigger refuses every other role, whatever it sets. Say so before anything is done."""
    if not _is_postgresql():
        return
    is_owner = db.session.scalar(
        text(
            "SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class "
            "WHERE oid = 'audit_events'::regclass"
        )
    )
    if not is_owner:
        raise AuditPurgeRefused(
            "Audit events can be purged only by the database role that owns the audit "
            "tables; this one does not. Run flask retention purge with the owner's "
            "DATABASE_URL (README, Production)."
        )


def _allow_purge() -> None:
    if _is_postgresql():
        db.session.execute(text("SET LOCAL app.audit_purge = 'on'"))


def _last_purgeable(cutoff: datetime, start: ChainStart) -> int:
    """The last event a purge may remove: the events older than `cutoff` from the chain's
    start, as far as the first that is newer or not sealed yet. 0 when there is none."""
    kept = db.session.scalar(
        select(func.min(AuditEvent.id))
        .outerjoin(AuditSeal, AuditSeal.event_id == AuditEvent.id)
        .where(
            AuditEvent.id > start.after_event_id,
            or_(AuditEvent.at >= cutoff, AuditSeal.event_id.is_(None)),
        )
    )
    last = select(func.max(AuditEvent.id)).where(AuditEvent.id > start.after_event_id)
    if kept is not None:
        last = last.where(AuditEvent.id < kept)
    return db.session.scalar(last) or 0


@transactional
def _purge_batch(last_id: int, batch_size: int) -> int:
    """Remove the next events up to `last_id` with their seals, and in the same transaction
    anchor the chain's start after the last of them, continuing from its seal: the chain
    verifies between any two batches, and an interrupted purge leaves nothing behind."""
    _allow_purge()
    _take_chain_lock()
    start = _chain_start()
    ids = list(
        db.session.scalars(
            select(AuditEvent.id)
            .where(AuditEvent.id > start.after_event_id, AuditEvent.id <= last_id)
            .order_by(AuditEvent.id)
            .limit(batch_size)
        )
    )
    if not ids:
        return 0
    after = ids[-1]
    previous = _stored_seal(after)
    if previous is None:
        raise AuditChainBroken(f"Audit event {after} lost its seal during the purge.")
    db.session.add(
        AuditAnchor(
            after_event_id=after,
            previous_seal=previous,
            at=clock.now(),
            mac=audit_chain.anchor_mac(chain_key(), after, previous),
        )
    )
    db.session.execute(delete(AuditSeal).where(AuditSeal.event_id <= after))
    db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))
    return len(ids)


def purge_before(
    cutoff: datetime,
    *,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Delete audit events older than `cutoff`, in batches; the number removed.

    Only sealed events go, from the oldest up to the first that is newer or not sealed yet,
    and only when they verify: otherwise `AuditChainBroken`, and nothing is removed, since
    they are evidence. Each batch of events and their seals is deleted in a transaction of
    its own that also writes an anchor (with its own MAC) saying the chain now starts after
    the batch. On PostgreSQL only the tables' owner may do it (`AuditPurgeRefused`), and each
    batch sets `app.audit_purge`, which the trigger asks of the owner too, so that nothing
    deletes audit rows by accident. `progress` is told the running total after each batch.
    """
    check_may_purge()
    seal_pending()
    start = _chain_start()
    last_id = _last_purgeable(cutoff, start)
    if not last_id:
        return 0
    checked = verify(up_to=last_id)
    if not checked.intact:
        raise AuditChainBroken(
            f"Audit events up to {last_id} were kept: the chain is broken at event "
            f"{checked.check.broken_id} ({checked.check.problem}). Run flask audit verify."
        )
    removed = 0
    while True:
        done = _purge_batch(last_id, batch_size)
        removed += done
        if progress is not None and done:
            progress(removed)
        if done < batch_size:
            return removed


# The supervisors' search --------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """An event as the search lists it."""

    event: AuditEvent
    staff_name: str | None
    reference: str | None


def resident_for_reference(typed: str) -> int:
    """The id of the resident with this reference number; refused when there is none."""
    reference = normalise_reference(typed)
    resident_id = (
        db.session.scalar(select(Resident.id).where(Resident.reference == reference))
        if reference
        else None
    )
    if resident_id is None:
        raise Refused(audit_chain.NO_SUCH_RESIDENT, "reference")
    return resident_id


def reference_of(resident_id: int | None) -> str | None:
    if resident_id is None:
        return None
    reference = db.session.scalar(select(Resident.reference).where(Resident.id == resident_id))
    return format_reference(reference) if reference else None


def staff_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(StaffUser.id, StaffUser.name).order_by(StaffUser.name))
    return [(str(row.id), row.name) for row in rows]


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by("action")))


def _matching(filters: AuditFilters):
    conditions = []
    if filters.resident_id is not None:
        conditions.append(AuditEvent.resident_id == filters.resident_id)
    if filters.staff_id is not None:
        conditions.append(AuditEvent.staff_id == filters.staff_id)
    if filters.action is not None:
        conditions.append(AuditEvent.action == filters.action)
    if filters.date_from is not None:
        conditions.append(AuditEvent.at >= _london_midnight(filters.date_from))
    if filters.date_to is not None:
        conditions.append(AuditEvent.at < _london_midnight(filters.date_to + timedelta(days=1)))
    return conditions


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=clock.UK).astimezone(UTC)


def _rows(filters: AuditFilters):
    return (
        select(AuditEvent, StaffUser.name, Resident.reference)
        .outerjoin(StaffUser, StaffUser.id == AuditEvent.staff_id)
        .outerjoin(Resident, Resident.id == AuditEvent.resident_id)
        .where(*_matching(filters))
        .order_by(AuditEvent.id.desc())
    )


def _event_rows(rows) -> list[EventRow]:
    return [
        EventRow(event, name, format_reference(reference) if reference else None)
        for event, name, reference in rows
    ]


@transactional
def _record_use(
    action: AuditAction, filters: AuditFilters, staff: StaffUser, **detail: int
) -> None:
    """Record who searched or exported the log, and with which filters: reading the audit
    log is itself audited. A resident id no record has (mistyped in the address, or a record
    since erased) is kept in the filters, not as the event's resident."""
    resident_id = filters.resident_id
    if resident_id is not None and db.session.get(Resident, resident_id) is None:
        resident_id = None
    record(
        action,
        staff_id=staff.id,
        resident_id=resident_id,
        filters=filters.as_args(),
        **detail,
    )


def search_events(
    filters: AuditFilters, staff: StaffUser, page: int, per_page: int
) -> tuple[list[EventRow], int]:
    """A page of the events matching the filters, newest first, and how many match. The
    search is itself recorded (before the page is read, so a commit expires nothing)."""
    _record_use(AuditAction.AUDIT_SEARCHED, filters, staff, page=page)
    total = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(*_matching(filters))
    )
    rows = db.session.execute(_rows(filters).limit(per_page).offset((page - 1) * per_page))
    return _event_rows(rows), total or 0


EXPORT_LIMIT = 50_000
CSV_COLUMNS = (
    "id", "at", "action", "outcome", "staff", "role", "resident reference", "call", "entry",
    "purpose", "detail", "address",
)  # fmt: skip


def export_events(filters: AuditFilters, staff: StaffUser) -> str:
    """The matching events as CSV (newest first, at most EXPORT_LIMIT); the export is itself
    recorded, with how many rows it held."""
    newest = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    total = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(*_matching(filters), AuditEvent.id <= newest)
    )
    count = min(total or 0, EXPORT_LIMIT)
    _record_use(AuditAction.AUDIT_EXPORTED, filters, staff, rows=count)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = _rows(filters).where(AuditEvent.id <= newest).limit(count)
    for row in _event_rows(db.session.execute(rows)):
        event = row.event
        writer.writerow(
            [
                _cell(value)
                for value in (
                    event.id,
                    event.at.isoformat(),
                    event.action,
                    event.outcome,
                    row.staff_name,
                    event.role,
                    row.reference,
                    event.call_id,
                    event.entry_id,
                    event.purpose,
                    json.dumps(event.detail, sort_keys=True) if event.detail else "",
                    event.remote_addr,
                )
            ]
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text_value = "" if value is None else str(value)
    if text_value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text_value
    return text_value
