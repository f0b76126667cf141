"""The audit log's keyed hashes: what an event's MAC covers, how seals chain, and what
`flask audit verify` concludes (docs/rules.md, "The audit log").

Plain values in, plain values out: no Flask, no database, no clock. The key is given by the
caller (config `AUDIT_CHAIN_KEY`) and never stored with the events.

- An event's MAC is HMAC-SHA256 over its canonical content (every column but the id and the
  MAC itself), made when it is written, with no lock: any edit of a field is caught at once.
- A seal links an event into the chain in id order: HMAC(key, previous seal || MAC || id).
  The first seal follows the anchor's previous seal ("" when nothing was ever purged). A
  deleted, inserted or reordered event breaks every seal from there on.
- An anchor says where the chain starts after old events are purged, and carries a MAC of its
  own, so moving the start needs the key.
- Every event is in the chain: one without a MAC, or left unsealed longer than the sealer's
  grace period, is a break.
- A head line, written outside the database after each sealing round, names the newest
  sealed event and its seal with a MAC of its own: a chain whose tail was cut no longer
  reaches it.
"""

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.rules.row_ids import row_id

GENESIS = ""
# Actions whose last word says the outcome; every other event records something done.
_OUTCOME_WORDS = {
    "refused": "refused",
    "failed": "failed",
    "locked": "refused",
    "denied": "refused",
}


@dataclass(frozen=True)
class EventContent:
    """What an event's MAC covers: every column but its id and the MAC."""

    at: datetime
    action: str
    staff_id: int | None
    role: str | None
    resident_id: int | None
    call_id: int | None
    entry_id: int | None
    purpose: str | None
    outcome: str | None
    detail: dict[str, Any]
    remote_addr: str | None
    nonce: str | None


def derive_key(secret_key: str) -> bytes:
    """A key for development and tests only, derived from the app's secret key."""
    return hmac.new(secret_key.encode(), b"audit-chain", hashlib.sha256).digest()


def plain_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """The detail as the JSON column gives it back (tuples as lists, keys as strings), so the
    MAC made before it is stored matches the one made from what is read."""
    return json.loads(json.dumps(detail, default=str))


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: EventContent) -> bytes:
    """One byte string for the content: sorted keys, no whitespace, UTC to the microsecond."""
    values = {
        "action": content.action,
        "at": _timestamp(content.at),
        "call_id": content.call_id,
        "detail": content.detail,
        "entry_id": content.entry_id,
        "nonce": content.nonce,
        "outcome": content.outcome,
        "purpose": content.purpose,
        "remote_addr": content.remote_addr,
        "resident_id": content.resident_id,
        "role": content.role,
        "staff_id": content.staff_id,
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_mac(key: bytes, content: EventContent) -> str:
    return hmac.new(key, canonical(content), hashlib.sha256).hexdigest()


def seal(key: bytes, previous_seal: str, mac: str, event_id: int) -> str:
    message = f"{previous_seal}|{mac}|{event_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_mac(key: bytes, after_event_id: int, previous_seal: str) -> str:
    message = f"anchor|{after_event_id}|{previous_seal}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def outcome_of(action: str, stated: str | None = None) -> str:
    """What came of an event: as stated by the caller, else read from the action's last word
    ("verification.failed" -> "failed"), else "done"."""
    if stated:
        return stated
    last = action.rsplit(".", 1)[-1].rsplit("_", 1)[-1]
    return _OUTCOME_WORDS.get(last, "done")


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back for verifying: its id, content, MAC and seal (None: unsealed)."""

    id: int
    content: EventContent
    mac: str | None
    seal: str | None


@dataclass
class ChainCheck:
    """Walks events in id order, from the chain's start, and says where it first breaks.

    Every event is in the chain from the first: one without a MAC, a MAC that does not match
    the content, a seal that does not follow the one before, or an unsealed event followed by
    a sealed one, is a break. So is an unsealed event older than `grace` at `now`: unsealed
    events are allowed only as the newest ones, for as long as the sealer takes to reach them.
    Call `finish` after the last event. Of several breaks the one with the lowest id is named.
    """

    key: bytes
    now: datetime
    grace: timedelta
    previous_seal: str = GENESIS
    checked: int = 0
    sealed: int = 0
    unsealed: int = 0
    head_id: int | None = None
    oldest_unsealed_at: datetime | None = None
    broken_id: int | None = None
    problem: str | None = None
    _first_unsealed: int | None = field(default=None, repr=False)
    _first_overdue: int | None = field(default=None, repr=False)

    @property
    def intact(self) -> bool:
        return self.broken_id is None

    def _break(self, event_id: int, problem: str) -> None:
        if self.broken_id is None or event_id < self.broken_id:
            self.broken_id = event_id
            self.problem = problem

    def feed(self, events: Iterable[StoredEvent]) -> bool:
        """Check the next events (in id order); False once the chain is broken."""
        return all(self._check(event) for event in events)

    def _check(self, event: StoredEvent) -> bool:
        self.checked += 1
        if event.mac is None:
            self._break(
                event.id,
                "it has no MAC: every event gets one as it is written, so it was written "
                "outside the app or its MAC was removed",
            )
            return False
        if not hmac.compare_digest(event.mac, event_mac(self.key, event.content)):
            self._break(event.id, "its content does not match its MAC: it was changed")
            return False
        if event.seal is None:
            self._unsealed(event)
            return True
        if self._first_unsealed is not None:
            self._break(
                self._first_unsealed,
                "it is not sealed, though later events are: its seal was deleted, or it was "
                "inserted",
            )
            return False
        expected = seal(self.key, self.previous_seal, event.mac, event.id)
        if not hmac.compare_digest(event.seal, expected):
            self._break(
                event.id,
                "its seal does not follow the event before it: an event before it was "
                "deleted, inserted or moved, or this one was",
            )
            return False
        self.previous_seal = event.seal
        self.sealed += 1
        self.head_id = event.id
        return True

    def _unsealed(self, event: StoredEvent) -> None:
        self.unsealed += 1
        at = _aware(event.content.at)
        if self._first_unsealed is None:
            self._first_unsealed = event.id
        if self.oldest_unsealed_at is None or at < self.oldest_unsealed_at:
            self.oldest_unsealed_at = at
        if self._first_overdue is None and self.now - at > self.grace:
            self._first_overdue = event.id

    def finish(self) -> None:
        """After the last event: the unsealed tail must be younger than the grace period."""
        if self._first_overdue is not None:
            minutes = int(self.grace.total_seconds() // 60)
            self._break(
                self._first_overdue,
                f"it has waited more than {minutes} minutes to be sealed: the sealer is not "
                "running, or seals were deleted",
            )

    def missing(self, event_id: int) -> None:
        """A seal whose event is gone."""
        self._break(event_id, "it was deleted: its seal remains")

    def copied(self, event_id: int) -> None:
        """An event with the same MAC as an earlier one."""
        self._break(event_id, "it repeats an earlier event's MAC: it was copied")

    def before_start(self, event_id: int, after_event_id: int) -> None:
        """An event at or before the chain's start: purged events never come back."""
        self._break(
            event_id,
            f"it lies at or before the chain's start (after event {after_event_id}), where "
            "every event was purged: it was inserted there",
        )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# The chain's head, kept where the database cannot rewrite it ------------------------------

_HEAD_LINE = re.compile(
    r"audit-head event=(?P<event_id>[1-9][0-9]{0,18}) seal=(?P<seal>[0-9a-f]{64}) "
    r"at=(?P<at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z) mac=(?P<mac>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class HeadMark:
    """The chain's newest sealed event as the sealer saw it: its id, its seal, and when."""

    event_id: int
    seal: str
    at: datetime


def _head_mac(key: bytes, event_id: int, seal_value: str, at: str) -> str:
    message = f"head|{event_id}|{seal_value}|{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_line(key: bytes, mark: HeadMark) -> str:
    """One line saying the chain's head, with a MAC of the line: forging or editing it needs
    the key."""
    at = _timestamp(mark.at)
    mac = _head_mac(key, mark.event_id, mark.seal, at)
    return f"audit-head event={mark.event_id} seal={mark.seal} at={at} mac={mac}"


def read_head_line(key: bytes, line: str) -> HeadMark | None:
    """The head a line says, or None when it is not a line the sealer wrote with this key."""
    found = _HEAD_LINE.fullmatch(line.strip())
    if found is None:
        return None
    event_id, at = int(found["event_id"]), found["at"]
    expected = _head_mac(key, event_id, found["seal"], at)
    if not hmac.compare_digest(found["mac"], expected):
        return None
    try:
        moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return HeadMark(event_id, found["seal"], moment)


def head_problem(mark: HeadMark, *, chain_starts_after: int, stored_seal: str | None) -> str | None:
    """What is wrong, if anything, with a database whose chain must reach `mark`.

    The event the head names must still be there with exactly that seal (the chain is
    checked up to it by the walk), unless a purge has since moved the chain's start past it.
    `stored_seal` is that event's seal in the database, None when the event or its seal is
    gone.
    """
    if mark.event_id <= chain_starts_after:
        return None
    recorded = f"event {mark.event_id}, sealed by {_timestamp(mark.at)}"
    if stored_seal is None:
        return (
            f"the head recorded outside the database names {recorded}, which is gone with "
            "its seal: the newest sealed events were deleted (the tail was cut), or every "
            "seal was"
        )
    if not hmac.compare_digest(stored_seal, mark.seal):
        return (
            f"the head recorded outside the database names {recorded}, whose seal in the "
            "database is not the one recorded: the chain was rewritten"
        )
    return None


# The supervisors' search of the log ---------------------------------------------------------

ENTER_REAL_REFERENCE = "Enter a reference number like ABCD-EFGH-JKM"
NO_SUCH_RESIDENT = "No resident has this reference number"
END_BEFORE_START = "The end date must be the same as or after the start date"
MAX_ACTION_LENGTH = 60


@dataclass(frozen=True)
class AuditFilters:
    """A search of the log: ids and London dates only, so it can sit in an address."""

    resident_id: int | None = None
    staff_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        values = {
            "resident": self.resident_id,
            "staff": self.staff_id,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def _positive(text: str | None) -> int | None:
    if not text:
        return None
    number = row_id(text)
    if number is None:  # not an id, or one beyond any row
        raise ValueError(text)
    return number


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def filters_from_args(args: Mapping[str, str]) -> AuditFilters | None:
    """The filters in an address, or None when any is malformed (never offered by a page)."""
    try:
        filters = AuditFilters(
            resident_id=_positive(args.get("resident")),
            staff_id=_positive(args.get("staff")),
            action=args.get("action") or None,
            date_from=_day(args.get("from")),
            date_to=_day(args.get("to")),
        )
    except ValueError:
        return None
    if filters.action is not None and len(filters.action) > MAX_ACTION_LENGTH:
        return None
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        return None
    return filters
