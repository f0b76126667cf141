"""The council's calendar. Dates people see and rules compare are London dates.

Timestamps are stored in UTC; "today", and the date of a timestamp, are
taken in Europe/London, so a permission revoked at 00:30 in summer is
revoked "today", not yesterday.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(UK).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(UK)
