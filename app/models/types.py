"""Column types shared by the models."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator

from app import clock

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    SQLite keeps no zone, so values come back naive; this puts UTC back on
    them and refuses naive values on the way in, so a local time can never
    be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(TypeDecorator[E]):
    """Store a string enum as its value in a VARCHAR column.

    No database enum type: a new member needs no migration. Unknown values
    are refused on the way in rather than stored.
    """

    impl = String(40)
    cache_ok = True

    def __init__(self, enum_class: type[E]):
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect) -> E | None:
        if value is None:
            return None
        return self.enum_class(value)


def utcnow() -> datetime:
    """Now in UTC, from the one clock tests can set (app.clock)."""
    return clock.now()
