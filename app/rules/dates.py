"""How dates and times are written for people: "7 December 2027", and "7 December 2027 at
14:05". One home for the words, used by the template filters (app/filters.py), by the rules
that write banners and texts, and by the services that write pages; never `2027-12-07`,
which reads as a code. No clock here: a time is written as given, already in London time.
"""

from datetime import date, datetime


def long_date(day: date | None) -> str:
    """A date as a person says it: "7 December 2027". Nothing for no date."""
    return f"{day.day} {day:%B %Y}" if day else ""


def date_and_time(moment: datetime | None) -> str:
    """A moment as a person says it: "7 December 2027 at 14:05". Nothing for no moment."""
    return f"{long_date(moment)} at {moment:%H:%M}" if moment else ""


def time_on_date(moment: datetime) -> str:
    """A moment as a text message says it: "14:05 on 7 December 2027"."""
    return f"{moment:%H:%M} on {long_date(moment)}"
