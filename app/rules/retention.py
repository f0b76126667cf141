"""Retention: what is due for removal on a given day, given the schedule, disputes and holds.

Each kind of record is kept for a period from the moment it was made (a call from when it
started, an entry, attempt or message from when it was recorded, an audit event from when it
happened). A record is due for removal once that period has run out: made at or before
`now - period`. Entries have a period per service area (a default, and overrides), and an
entry found incorrect after a dispute (a hoax strike) is kept for the hoax period instead
when that is longer, for fraud prevention.

Nothing is removed while the resident's record is under a legal hold, nor an entry under an
open dispute (or the call it was reported on, or the call the dispute was recorded on).
A call on which a resident gave verbal consent is the evidence of that permission, and is
kept while the permission is: permissions are never deleted. A message still waiting to be
sent is kept. Audit events are removed oldest first, as a whole stretch of the log, so they
cannot leave out one resident's: while any legal hold is in force none are removed. A record
that other records cannot do without (a row in a table that points at it and that retention
does not look after) is kept while they refer to it, so no removal leaves a dangling row.

Plain Python: no Flask, no database, no clock.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.rules.vocabulary import (
    DisputeStatus,
    MessageStatus,
    RetainedKind,
    RetentionDecision,
)

# The messages nobody will try to send again: only these are removed.
FINISHED_MESSAGES = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERED,
        MessageStatus.FAILED,
    }
)

# Refusals and messages, shown to staff as they are.
ENTER_HOLD_REASON = "Enter why the record must be kept, in at least 10 characters"
ENTER_LIFT_REASON = "Enter why the hold can be lifted, in at least 10 characters"
ALREADY_HELD = "This record is already under a legal hold"
HOLD_ALREADY_LIFTED = "This hold was already lifted"
HOLD_REASON_MIN_LENGTH = 10
# Changes to a resident's numbers on file are kept as long as entries by default: a takeover
# of a text-code check found years later still shows who put which number on the record.
PHONE_CHANGES_PERIOD = timedelta(days=2192)
# A sign-in to the residents' portal (the number its code went to, and a dispute being
# written that was never sent) is kept a month: long enough to look into a complaint about a
# sign-in, and what a resident sent is kept with the dispute itself.
PORTAL_SIGN_INS_PERIOD = timedelta(days=31)


@dataclass(frozen=True)
class Schedule:
    """How long each kind of record is kept. `entries_by_area` overrides `entries` for the
    service areas it names; `hoax_entries` applies to entries upheld as incorrect when it is
    longer than their area's period."""

    calls: timedelta
    entries: timedelta
    hoax_entries: timedelta
    verification_attempts: timedelta
    messages: timedelta
    audit_events: timedelta
    entries_by_area: Mapping[str, timedelta] = field(default_factory=dict)
    phone_changes: timedelta = PHONE_CHANGES_PERIOD
    portal_sign_ins: timedelta = PORTAL_SIGN_INS_PERIOD

    def __post_init__(self) -> None:
        periods = {
            RetainedKind.CALLS: self.calls,
            RetainedKind.ENTRIES: self.entries,
            RetainedKind.VERIFICATION_ATTEMPTS: self.verification_attempts,
            RetainedKind.MESSAGES: self.messages,
            RetainedKind.AUDIT_EVENTS: self.audit_events,
            RetainedKind.PHONE_CHANGES: self.phone_changes,
            RetainedKind.PORTAL_SIGN_INS: self.portal_sign_ins,
        }
        for kind, period in periods.items():
            if period <= timedelta(0):
                raise ValueError(f"the retention period for {kind.label.lower()} must be positive")
        if self.hoax_entries <= timedelta(0):
            raise ValueError("the retention period for hoax entries must be positive")
        for area, period in self.entries_by_area.items():
            if period <= timedelta(0):
                raise ValueError(f"the retention period for {area} entries must be positive")

    @classmethod
    def from_days(cls, settings: Mapping[str, object]) -> "Schedule":
        """A schedule from settings in days (config `RETENTION_SCHEDULE_DAYS`)."""
        by_area = settings.get("entries_by_area") or {}
        assert isinstance(by_area, Mapping)
        return cls(
            calls=_days(settings["calls"]),
            entries=_days(settings["entries"]),
            hoax_entries=_days(settings["hoax_entries"]),
            verification_attempts=_days(settings["verification_attempts"]),
            messages=_days(settings["messages"]),
            audit_events=_days(settings["audit_events"]),
            entries_by_area={str(area): _days(days) for area, days in by_area.items()},
            phone_changes=_days(settings.get("phone_changes", PHONE_CHANGES_PERIOD.days)),
            portal_sign_ins=_days(settings.get("portal_sign_ins", PORTAL_SIGN_INS_PERIOD.days)),
        )

    def entry_period(self, area_code: str, upheld: bool = False) -> timedelta:
        """How long an entry of this service area is kept; the longer of that and the hoax
        period when a dispute about it was upheld."""
        period = self.entries_by_area.get(area_code, self.entries)
        return max(period, self.hoax_entries) if upheld else period

    @property
    def shortest_entry_period(self) -> timedelta:
        """No entry is due sooner than this: the widest net for finding candidates."""
        return min([self.entries, *self.entries_by_area.values()])

    def period(self, kind: RetainedKind) -> timedelta:
        """The period of a kind; for entries, the shortest of any area."""
        return {
            RetainedKind.CALLS: self.calls,
            RetainedKind.ENTRIES: self.shortest_entry_period,
            RetainedKind.VERIFICATION_ATTEMPTS: self.verification_attempts,
            RetainedKind.MESSAGES: self.messages,
            RetainedKind.AUDIT_EVENTS: self.audit_events,
            RetainedKind.PHONE_CHANGES: self.phone_changes,
            RetainedKind.PORTAL_SIGN_INS: self.portal_sign_ins,
        }[kind]


def _days(value: object) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"a retention period is a whole number of days, not {value!r}")
    return timedelta(days=int(value))


def cutoff(now: datetime, period: timedelta) -> datetime:
    """Records made at or before this moment have been kept for `period` by `now`."""
    if now.tzinfo is None:
        raise ValueError("retention needs a timezone-aware moment")
    return now - period


def has_expired(made_at: datetime, period: timedelta, now: datetime) -> bool:
    return made_at <= cutoff(now, period)


def _decision(
    kept: Mapping[RetentionDecision, bool], made_at: datetime, period: timedelta, now: datetime
) -> RetentionDecision:
    """The first reason in `kept` that holds keeps the record; failing all, it is removed
    once kept for its period."""
    for reason, holds in kept.items():
        if holds:
            return reason
    if not has_expired(made_at, period, now):
        return RetentionDecision.NOT_YET
    return RetentionDecision.REMOVE


def call_decision(
    started_at: datetime,
    now: datetime,
    schedule: Schedule,
    *,
    ended: bool = True,
    on_hold: bool = False,
    under_open_dispute: bool = False,
    consent_evidence: bool = False,
    referenced: bool = False,
) -> RetentionDecision:
    """A call: kept while its record is held, while an entry reported on it or a dispute
    recorded on it is open, while it is the evidence of a verbal consent, while records that
    cannot do without it still refer to it, and while open."""
    kept = {
        RetentionDecision.LEGAL_HOLD: on_hold,
        RetentionDecision.OPEN_DISPUTE: under_open_dispute,
        RetentionDecision.CONSENT_EVIDENCE: consent_evidence,
        RetentionDecision.REFERENCED: referenced,
        RetentionDecision.CALL_OPEN: not ended,
    }
    return _decision(kept, started_at, schedule.calls, now)


def entry_decision(
    created_at: datetime,
    area_code: str,
    disputes: Iterable[DisputeStatus],
    now: datetime,
    schedule: Schedule,
    *,
    on_hold: bool = False,
    referenced: bool = False,
) -> RetentionDecision:
    """An entry: kept while its record is held or a dispute about it is open; an upheld
    dispute keeps it for the hoax period when that is longer than its area's."""
    statuses = set(disputes)
    kept = {
        RetentionDecision.LEGAL_HOLD: on_hold,
        RetentionDecision.OPEN_DISPUTE: DisputeStatus.OPEN in statuses,
        RetentionDecision.REFERENCED: referenced,
    }
    period = schedule.entry_period(area_code, upheld=DisputeStatus.UPHELD in statuses)
    return _decision(kept, created_at, period, now)


def aged_decision(
    kind: RetainedKind,
    created_at: datetime,
    now: datetime,
    schedule: Schedule,
    *,
    on_hold: bool = False,
    referenced: bool = False,
) -> RetentionDecision:
    """A record kept only while its resident's record is held or others refer to it, then for
    its kind's period: a verification attempt (the factors checked and the result, never the
    answers), a change to the resident's numbers on file (who made it, on what
    verification, the numbers before and after), or a sign-in to the residents' portal (the
    number its code went to, and any dispute being written and never sent)."""
    kept = {RetentionDecision.LEGAL_HOLD: on_hold, RetentionDecision.REFERENCED: referenced}
    return _decision(kept, created_at, schedule.period(kind), now)


def message_decision(
    created_at: datetime,
    status: MessageStatus,
    now: datetime,
    schedule: Schedule,
    *,
    on_hold: bool = False,
    referenced: bool = False,
) -> RetentionDecision:
    """A message to a resident: kept while its resident's record is held and while it may
    still be sent."""
    kept = {
        RetentionDecision.LEGAL_HOLD: on_hold,
        RetentionDecision.REFERENCED: referenced,
        RetentionDecision.NOT_SENT: status not in FINISHED_MESSAGES,
    }
    return _decision(kept, created_at, schedule.messages, now)


def audit_cutoff(now: datetime, schedule: Schedule, *, holds_in_force: int) -> datetime | None:
    """Audit events before this moment are due; None while any legal hold is in force."""
    if holds_in_force:
        return None
    return cutoff(now, schedule.audit_events)


def purged_summary(counts: Mapping[RetainedKind, int]) -> dict[str, int]:
    """What the audit log records of a purge: how many of each kind, never which."""
    return {kind.value: int(counts.get(kind, 0)) for kind in RetainedKind}
