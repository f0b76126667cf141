"""The council's calendar. Dates people see and rules compare are London dates.

Timestamps are stored in UTC; "today", and the date of a timestamp, are
taken in Europe/London, so a permission revoked at 00:30 in summer is
revoked "today", not yesterday.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def today() -> date:
    return day_of(now())


def day_of(moment: datetime) -> date:
    """The London date of `moment`: "today" for a use case given `now`."""
    return moment.astimezone(UK).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(UK)


# Set by tests through `set_now`; None lets the real clock run.
_fixed_now: datetime | None = None


def now() -> datetime:
    """This moment in UTC: what session and timeout checks compare against."""
    return _fixed_now if _fixed_now is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Stop the clock at `moment` (timezone-aware), or start it again with None. Tests only."""
    global _fixed_now
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs a timezone-aware moment")
    _fixed_now = moment


def how_long(span: timedelta) -> str:
    """A stretch of time as a list says it: "under a minute", "1 minute", "12 minutes",
    "1 hour 5 minutes", "3 hours"."""
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
