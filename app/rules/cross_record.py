"""Rule 3 and issue 11 item 5: one number failing verification on several residents' records.

Someone working through records (a blagger trying one resident after another) shows as one
caller number failing verification on several different residents' records within a short
window. The handler sees a warning on the call and on the screen pop, never a block: caller ID
can be spoofed, and good faith still applies to what the caller reports. Supervisors see these
numbers too.

Plain Python: no Flask, no database, no clock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CrossRecordPolicy:
    """How many different residents' records one number must fail on, within how long."""

    window: timedelta
    residents: int


def window_start(now: datetime, policy: CrossRecordPolicy) -> datetime:
    """The earliest failure that still counts at `now`."""
    return now - policy.window


def records_to_flag(policy: CrossRecordPolicy) -> int:
    """From how many different residents' records a number is flagged. Failures on one
    resident, however many, are the lockout's business (rule 3), not this rule's: never
    fewer than two."""
    return max(policy.residents, 2)


def is_working_through_records(residents_failed: int, policy: CrossRecordPolicy) -> bool:
    """Whether a number that failed verification on `residents_failed` different residents'
    records within the window looks like someone working through records."""
    return residents_failed >= records_to_flag(policy)


def cross_record_warning(residents_failed: int, policy: CrossRecordPolicy) -> str | None:
    """The warning a handler sees when such a number calls: a warning, never a block."""
    if not is_working_through_records(residents_failed, policy):
        return None
    hours = int(policy.window.total_seconds() // 3600)
    within = f"the last {hours} hours" if hours != 1 else "the last hour"
    return (
        f"This number failed verification on {residents_failed} different residents' records "
        f"in {within}"
    )
