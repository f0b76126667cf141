"""When repeated failures lock phone verification for a resident (docs/rules.md rule 3).

Failures are counted per resident, across calls and handlers. Enough of them close together
lock phone verification until a supervisor unlocks it; waiting does not unlock it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failed attempts, how close together, lock phone verification."""

    max_failures: int = 3
    window: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.window <= timedelta(0):
            raise ValueError("window must be longer than nothing")


@dataclass(frozen=True)
class LockState:
    """Whether phone verification is locked for a resident, and why, in the handler's words."""

    locked: bool
    failures_counted: int  # failed attempts since the last unlock, within the window before now
    tries_left: int  # failed attempts still allowed before the lock; 0 when locked
    reason: str
    locked_since: datetime | None = None  # the failure that locked it


def lock_decision(
    failure_times: Sequence[datetime],
    unlocked_at: datetime | None,
    now: datetime,
    policy: LockoutPolicy,
) -> LockState:
    """Say whether phone verification is locked for a resident.

    It locks when `policy.max_failures` failed attempts fall within `policy.window` of each
    other (by default three within 24 hours), on any calls, with any handlers. It stays locked
    until a supervisor unlocks it: failures at or before `unlocked_at` no longer count. A
    failure stamped later than `now` (clocks of two app servers a moment apart) still counts.
    """
    counted = sorted(t for t in failure_times if unlocked_at is None or t > unlocked_at)
    window = _duration(policy.window)
    n = policy.max_failures
    for first, last in zip(counted, counted[n - 1 :], strict=False):
        if last - first < policy.window:
            return LockState(
                locked=True,
                failures_counted=sum(1 for t in counted if t > now - policy.window),
                tries_left=0,
                reason=(
                    f"Phone verification locked: {n} failed attempts in {window}. "
                    "A supervisor must unlock it."
                ),
                locked_since=last,
            )
    recent = sum(1 for t in counted if t > now - policy.window)
    # At least one: a lock is only ever decided above, whatever the count says.
    tries_left = max(n - recent, 1)
    if recent == 0:
        reason = f"Phone verification open: no failed attempts in the last {window}."
    else:
        reason = (
            f"Phone verification open: {recent} failed attempt{_s(recent)} in the last "
            f"{window}. It locks after {tries_left} more."
        )
    return LockState(False, recent, tries_left, reason)


def _duration(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 86400 == 0 and seconds > 86400:
        days = seconds // 86400
        return f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{_s(hours)}"
    minutes = max(seconds // 60, 1)
    return f"{minutes} minute{_s(minutes)}"


def _s(n: int) -> str:
    return "" if n == 1 else "s"
